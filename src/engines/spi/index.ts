export { EngineError, abortedError } from './engine-error.js';
export type { EngineErrorCode } from './engine-error.js';
export type { SttCapabilities, SttEngine, SttEvent, SttOptions, SttWord } from './stt-engine.js';
export type {
  TtsCapabilities,
  TtsEngine,
  TtsOutputFormat,
  TtsRequest,
  TtsSynthesisOptions,
  TtsVoice,
} from './tts-engine.js';
