export type { EspeakTtsOptions } from './espeak-tts.js';
export { EspeakTts } from './espeak-tts.js';
