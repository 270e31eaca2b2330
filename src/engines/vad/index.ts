export type { VadEvent, VadOptions, VoiceActivityDetector } from './voice-activity-detector.js';
export { EnergyVad } from './energy-vad.js';
export type { EnergyVadOptions } from './energy-vad.js';
export { SileroVad } from './silero-vad.js';
export type { SileroVadOptions } from './silero-vad.js';
export { createVad, sileroModelCandidates } from './create-vad.js';
export type { CreateVadOptions } from './create-vad.js';
export { checkOnnxModel } from './check-onnx-model.js';
export { DEFAULT_MIN_SPEECH_MS, DEFAULT_TRAILING_SILENCE_MS } from './vad-defaults.js';
