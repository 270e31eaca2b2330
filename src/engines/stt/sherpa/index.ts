export { SherpaStt } from './sherpa-stt.js';
export type { SherpaSttOptions } from './sherpa-stt.js';
export { DEFAULT_SHERPA_MODEL, detectSherpaModelLayout } from './sherpa-model-layout.js';
export type { SherpaModelLayout } from './sherpa-model-layout.js';
