export { TtsOutput } from './tts-output.js';
export type { SentenceAudio, StreamUtteranceOptions, SynthesizeSentence } from './stream-utterance.js';
export { streamUtterance } from './stream-utterance.js';
export type {
  SpawnProcess,
  SynthesisProcessOptions,
  SynthesisProcessResult,
} from './run-synthesis-process.js';
export { runSynthesisProcess } from './run-synthesis-process.js';
