export type { FliteTtsOptions } from './flite-tts.js';
export { FliteTts } from './flite-tts.js';
