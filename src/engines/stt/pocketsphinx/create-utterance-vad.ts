import type { CreateVadOptions, VoiceActivityDetector } from '../../vad/index.js';
import { createVad } from '../../vad/index.js';

/** Which detector cuts utterances: engines/vad's choice (Silero when its model is found, else energy). */
export type UtteranceVadChoice = Pick<CreateVadOptions, 'model' | 'modelDir' | 'modelsDir'>;

/**
 * The detector for one channel. It is created inside the decoder worker, so Silero's ONNX
 * inference also stays off the main thread.
 */
export function createUtteranceVad(
  choice: UtteranceVadChoice,
  trailingSilenceMs: number,
): VoiceActivityDetector {
  return createVad({ ...choice, trailingSilenceMs });
}
