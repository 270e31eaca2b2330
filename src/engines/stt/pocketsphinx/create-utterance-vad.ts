import type { VadOptions, VoiceActivityDetector } from '../../vad/index.js';
import { InterimEnergyVad } from './interim-energy-vad.js';

/**
 * The detector that cuts a channel into utterances. It is the one place that chooses the
 * implementation, so moving to the shared `createVad` of engines/vad touches only this file.
 */
export function createUtteranceVad(options: VadOptions): VoiceActivityDetector {
  return new InterimEnergyVad(options);
}
