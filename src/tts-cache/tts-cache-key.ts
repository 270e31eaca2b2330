import { createHash } from 'node:crypto';
import type { TtsRequest } from '../engines/spi/index.js';
import { canonicalJson } from './canonical-json.js';

/** The part of an engine that decides which audio a request produces. */
export interface TtsEngineIdentity {
  readonly name: string;
  readonly model: string;
}

/** Bumped whenever the keyed material changes shape, so old entries simply stop matching. */
const KEY_SCHEMA_VERSION = 1;

/**
 * The cache key of a synthesis: SHA-256 (hex) of the canonical JSON of everything that changes
 * the audio. Per-request switches that do not change the audio (do-not-cache, abort signal) live
 * in the synthesis options, not in the request, so they can never reach the key.
 *
 * Two documented defaults are folded so that equivalent requests share an entry: `ssml: false`
 * is the same as no `ssml`, `rate: 1` the same as no `rate`, and empty `engineOptions` the same
 * as none.
 */
export function ttsCacheKey(engine: TtsEngineIdentity, request: TtsRequest): string {
  // Typed as a full record of TtsRequest's keys: adding a field to TtsRequest (which by contract
  // changes the audio) fails to compile here until the key covers it.
  const audio: Record<keyof TtsRequest, unknown> = {
    text: request.text,
    ssml: request.ssml === true ? true : undefined,
    voice: request.voice,
    language: request.language,
    rate: request.rate === 1 ? undefined : request.rate,
    format: { encoding: request.format.encoding, sampleRateHz: request.format.sampleRateHz },
    engineOptions:
      request.engineOptions !== undefined && Object.keys(request.engineOptions).length > 0
        ? request.engineOptions
        : undefined,
  };
  const material = canonicalJson({
    v: KEY_SCHEMA_VERSION,
    engine: engine.name,
    model: engine.model,
    request: audio,
  });
  return createHash('sha256').update(material, 'utf8').digest('hex');
}
