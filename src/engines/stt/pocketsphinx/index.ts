export { DEBIAN_MODEL_DIR, PocketsphinxStt } from './pocketsphinx-stt.js';
export type { PocketsphinxSttOptions } from './pocketsphinx-stt.js';
