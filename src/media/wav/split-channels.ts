import type { AudioFrame } from '../audio/index.js';
import { createFrame } from '../audio/index.js';
import type { WavData } from './wav-info.js';

/**
 * One mono frame per channel, in channel order, each starting at timestampMs 0. Recognition
 * runs per channel (SIPREC puts caller and agent on separate channels), so this is how a stereo
 * recording enters the pipeline.
 */
export function splitChannels(wav: WavData): AudioFrame[] {
  const { channels } = wav.format;
  const format = { ...wav.format, channels: 1 };
  const frameCount = Math.floor(wav.samples.length / channels);
  const frames: AudioFrame[] = [];
  for (let ch = 0; ch < channels; ch++) {
    const data = wav.samples instanceof Int16Array ? new Int16Array(frameCount) : new Uint8Array(frameCount);
    for (let i = 0; i < frameCount; i++) data[i] = wav.samples[i * channels + ch]!;
    frames.push(createFrame(format, data, 0));
  }
  return frames;
}
