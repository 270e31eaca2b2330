import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TtsRequest } from '../../../src/engines/spi/index.js';
import { canonicalJson, ttsCacheKey } from '../../../src/tts-cache/index.js';

const ENGINE = { name: 'flite', model: 'cmu_us_slt-2.2' };
const BASE: TtsRequest = {
  text: 'Thank you for calling.',
  voice: 'slt',
  language: 'en-US',
  rate: 1.1,
  ssml: false,
  format: { encoding: 'mulaw', sampleRateHz: 8000 },
  engineOptions: { pitch: 2, style: 'calm', breath: true },
};

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined and folds -0', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [1, -0], c: undefined, e: 'x' } }),
      '{"a":{"d":[1,0],"e":"x"},"b":1}',
    );
    assert.equal(canonicalJson({ x: 1.0 }), canonicalJson({ x: 1 }));
  });

  it('refuses values JSON would silently turn into null', () => {
    assert.throws(() => canonicalJson({ rate: NaN }), /non-finite/);
    assert.throws(() => canonicalJson({ rate: Infinity }), /non-finite/);
    assert.throws(() => canonicalJson({ n: 1n }), /bigint/);
  });
});

describe('ttsCacheKey', () => {
  const key = ttsCacheKey(ENGINE, BASE);

  it('is 64 hex digits of SHA-256', () => {
    assert.match(key, /^[0-9a-f]{64}$/);
  });

  it('does not depend on the order of keys', () => {
    const reordered: TtsRequest = {
      engineOptions: { style: 'calm', breath: true, pitch: 2 },
      format: { sampleRateHz: 8000, encoding: 'mulaw' },
      ssml: false,
      rate: 1.1,
      language: 'en-US',
      voice: 'slt',
      text: 'Thank you for calling.',
    };
    assert.equal(ttsCacheKey({ model: ENGINE.model, name: ENGINE.name }, reordered), key);
  });

  it('treats absent and documented-default values alike', () => {
    const plain: TtsRequest = { text: 'Hi.', format: { encoding: 'pcm16', sampleRateHz: 16000 } };
    const k = ttsCacheKey(ENGINE, plain);
    assert.equal(ttsCacheKey(ENGINE, { ...plain, ssml: false, rate: 1, engineOptions: {} }), k);
    assert.equal(ttsCacheKey(ENGINE, { ...plain, voice: undefined }), k);
  });

  it('ignores per-request switches that do not change the audio', () => {
    // A caller that (wrongly) tucks a do-not-cache flag into the request must not split the cache.
    const withFlag = { ...BASE, noCache: true, requestId: 'abc' } as TtsRequest;
    assert.equal(ttsCacheKey(ENGINE, withFlag), key);
  });

  const changes: [string, TtsRequest | undefined, typeof ENGINE | undefined][] = [
    ['text', { ...BASE, text: 'Thank you for calling!' }, undefined],
    ['voice', { ...BASE, voice: 'awb' }, undefined],
    ['language', { ...BASE, language: 'en-GB' }, undefined],
    ['rate', { ...BASE, rate: 1.2 }, undefined],
    ['ssml flag', { ...BASE, ssml: true }, undefined],
    ['encoding', { ...BASE, format: { encoding: 'alaw', sampleRateHz: 8000 } }, undefined],
    ['sample rate', { ...BASE, format: { encoding: 'pcm16', sampleRateHz: 16000 } }, undefined],
    ['pcm16 rate', { ...BASE, format: { encoding: 'pcm16', sampleRateHz: 8000 } }, undefined],
    ['an engine option', { ...BASE, engineOptions: { pitch: 3, style: 'calm', breath: true } }, undefined],
    [
      'an engine option type',
      { ...BASE, engineOptions: { pitch: '2', style: 'calm', breath: true } },
      undefined,
    ],
    ['an added engine option', { ...BASE, engineOptions: { ...BASE.engineOptions, extra: 0 } }, undefined],
    ['engine name', undefined, { name: 'espeak', model: ENGINE.model }],
    ['model', undefined, { name: ENGINE.name, model: 'cmu_us_slt-2.3' }],
  ];
  for (const [what, request, engine] of changes) {
    it(`changes when the ${what} changes`, () => {
      assert.notEqual(ttsCacheKey(engine ?? ENGINE, request ?? BASE), key);
    });
  }

  it('gives different keys to all the variants above', () => {
    const keys = changes.map(([, request, engine]) => ttsCacheKey(engine ?? ENGINE, request ?? BASE));
    assert.equal(new Set([key, ...keys]).size, keys.length + 1);
  });
});
