export { SherpaTts } from './sherpa-tts.js';
export type { SherpaTtsOptions } from './sherpa-tts.js';
export { DEFAULT_SHERPA_VOICE, detectSherpaTtsLayout, languageFromVoiceName } from './sherpa-tts-layout.js';
export type { SherpaTtsLayout, SherpaTtsLayoutKind } from './sherpa-tts-layout.js';
