export { ttsCacheKey } from './tts-cache-key.js';
export type { TtsEngineIdentity } from './tts-cache-key.js';
export { canonicalJson } from './canonical-json.js';
export { TtsCacheStore } from './tts-cache-store.js';
export type {
  TtsCacheEntry,
  TtsCacheEntryInput,
  TtsCachePutResult,
  TtsCacheStoreOptions,
  TtsCacheStoreStats,
} from './tts-cache-store.js';
export { CachedTts } from './cached-tts.js';
export type {
  CachedSynthesisOptions,
  CachedTtsOptions,
  PrewarmOptions,
  PrewarmResult,
  TtsCacheStats,
} from './cached-tts.js';
export { SharedSynthesis } from './shared-synthesis.js';
export type { SharedSynthesisOptions, SharedSynthesisOutcome } from './shared-synthesis.js';
export { bytesToFrames, frameBytes } from './frame-bytes.js';
