export { runBaresip, baresipModuleDir } from './run-baresip.js';
export type { RunBaresipOptions, BaresipResult } from './run-baresip.js';
