export type { AudioEncoding, AudioFormat } from './audio-format.js';
export {
  ALAW_8K,
  AUDIO_ENCODINGS,
  MULAW_8K,
  PCM16_16K,
  PCM16_8K,
  assertFormat,
  bytesPerSample,
  formatToString,
  sameFormat,
  samplesForDuration,
} from './audio-format.js';
export type { AudioFrame } from './audio-frame.js';
export {
  DEFAULT_FRAME_MS,
  createFrame,
  frameByteLength,
  frameDurationMs,
  frameSampleCount,
} from './audio-frame.js';
export type { ResamplerQuality } from './resampler-design.js';
export { RESAMPLER_SOURCE_RATES_HZ, RESAMPLER_TARGET_RATES_HZ } from './resampler-design.js';
export type { ResamplerOptions } from './resampler.js';
export { Resampler, resample } from './resampler.js';
export {
  concatPcm,
  deinterleave,
  floatToPcm16,
  interleave,
  mixDown,
  pcm16ToFloat,
  rmsDbfs,
  silence,
} from './pcm.js';
export type { FrameSplitterOptions } from './frame-splitter.js';
export { FrameSplitter } from './frame-splitter.js';
export type { SweepOptions, ToneOptions } from './tone.js';
export { detectDtmf, generateSweep, generateTone, goertzelDbfs, goertzelPower } from './tone.js';
export { dominantFrequencyHz, fftInPlace, magnitudeSpectrum } from './spectrum.js';
