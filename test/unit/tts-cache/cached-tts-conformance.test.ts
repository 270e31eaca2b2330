// CachedTts must be a TtsEngine like any other: the shared conformance suite runs against it twice,
// once with a cold cache (every request a miss through the shared synthesis) and once with every
// conformance prompt already cached (every request a hit served from disk).
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { ScriptedTts, describeTtsConformance } from '../../../src/engines/spi/testing/index.js';
import type { TtsOutputFormat } from '../../../src/engines/spi/index.js';
import { CachedTts, TtsCacheStore } from '../../../src/tts-cache/index.js';
import { tempCacheDir } from './support.js';

const cold = tempCacheDir();
const coldStore = new TtsCacheStore(cold.dir);
const warm = tempCacheDir();
const warmStore = new TtsCacheStore(warm.dir);
after(() => {
  coldStore.close();
  warmStore.close();
  cold.remove();
  warm.remove();
});

describeTtsConformance({ name: 'scripted', create: () => new CachedTts(new ScriptedTts(), coldStore) });

/** The prompts and formats the conformance suite asks for, so the warm run only ever hits. */
const FORMATS: TtsOutputFormat[] = [
  { encoding: 'pcm16', sampleRateHz: 16000 },
  { encoding: 'pcm16', sampleRateHz: 8000 },
  { encoding: 'mulaw', sampleRateHz: 8000 },
  { encoding: 'alaw', sampleRateHz: 8000 },
];
const TEXTS = [
  'Thank you for calling. How can I help?',
  'This is the first sentence. '.repeat(30),
  'One. Two. Three.',
];

const warmEngines: CachedTts[] = [];
describeTtsConformance({
  name: 'scripted-warm',
  create: async () => {
    const engine = new CachedTts(new ScriptedTts({ name: 'scripted-warm' }), warmStore);
    await engine.prewarm(TEXTS.flatMap((text) => FORMATS.map((format) => ({ text, format }))));
    warmEngines.push(engine);
    return engine;
  },
});

it('the warm conformance run was served from the cache', () => {
  const [first] = warmEngines;
  assert.ok(first);
  const stats = first.stats();
  // The prewarm synthesized each prompt once; in the suite only the unknown-voice request and the
  // empty text (no audio is never stored) miss.
  assert.equal(stats.misses, TEXTS.length * FORMATS.length + 2);
  assert.ok(stats.hits >= FORMATS.length + 1, `${stats.hits} hits`);
});
