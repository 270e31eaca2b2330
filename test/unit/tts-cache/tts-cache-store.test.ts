import assert from 'node:assert/strict';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TtsOutputFormat, TtsRequest } from '../../../src/engines/spi/index.js';
import { ScriptedTts, collect } from '../../../src/engines/spi/testing/index.js';
import type { TtsCacheStoreOptions } from '../../../src/tts-cache/index.js';
import { CachedTts, TtsCacheStore } from '../../../src/tts-cache/index.js';
import { ManualClock, audioFiles, tempCacheDir, tempFiles } from './support.js';

const MULAW: TtsOutputFormat = { encoding: 'mulaw', sampleRateHz: 8000 };

/** Four words of µ-law: exactly 8000 bytes per entry. */
function prompt(n: number): TtsRequest {
  return { text: `Prompt number ${n} here.`, format: MULAW };
}

function fakeKey(n: number): string {
  return n.toString(16).padStart(64, '0');
}

describe('TtsCacheStore', () => {
  let dir: string;
  let remove: () => void;
  let clock: ManualClock;
  const opened: TtsCacheStore[] = [];

  function open(options: TtsCacheStoreOptions = {}): TtsCacheStore {
    const store = new TtsCacheStore(dir, { clock, ...options });
    opened.push(store);
    return store;
  }

  beforeEach(() => {
    ({ dir, remove } = tempCacheDir());
    clock = new ManualClock();
  });
  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
    remove();
  });

  it('lays out index.sqlite in WAL mode, audio/<2 hex>/<key>.raw, and an empty tmp/', async () => {
    const store = open();
    const cached = new CachedTts(new ScriptedTts(), store);
    await collect(cached.synthesize(prompt(1)));
    await cached.flush();
    const key = cached.keyOf(prompt(1));
    assert.deepEqual(audioFiles(dir), [join(key.slice(0, 2), `${key}.raw`)]);
    assert.deepEqual(tempFiles(dir), []);
    assert.ok(existsSync(join(dir, 'index.sqlite')));
    assert.ok(existsSync(join(dir, 'index.sqlite-wal')), 'journal is a write-ahead log');
  });

  describe('LRU bound', () => {
    it('evicts the least recently used entries past maxBytes and keeps recently used ones', async () => {
      const store = open({ maxBytes: 8000 * 4, maxEntryBytes: 8000 });
      const inner = new ScriptedTts();
      const cached = new CachedTts(inner, store, { clock });
      for (let n = 0; n < 4; n++) {
        clock.advance(1000);
        await collect(cached.synthesize(prompt(n)));
        await cached.flush();
      }
      assert.equal(store.stats().bytesStored, 32000);
      // Prompt 0 is the oldest written but is used again now, so prompt 1 becomes the oldest used.
      clock.advance(1000);
      await collect(cached.synthesize(prompt(0)));
      for (let n = 4; n < 6; n++) {
        clock.advance(1000);
        await collect(cached.synthesize(prompt(n)));
        await cached.flush();
      }
      const kept = [0, 1, 2, 3, 4, 5].filter((n) => store.lookup(cached.keyOf(prompt(n))) !== undefined);
      assert.deepEqual(kept, [0, 3, 4, 5]);
      const stats = cached.stats();
      assert.equal(stats.evictions, 2);
      assert.equal(stats.entries, 4);
      assert.ok(stats.bytesStored <= 32000);
      assert.equal(audioFiles(dir).length, 4, 'evicted files are deleted too');
      for (const n of [1, 2]) assert.ok(!existsSync(store.pathFor(cached.keyOf(prompt(n)))));
    });

    it('does not store a synthesis larger than maxEntryBytes, but still plays it', async () => {
      const store = open({ maxBytes: 100_000, maxEntryBytes: 4000 });
      const cached = new CachedTts(new ScriptedTts(), store);
      const frames = await collect(cached.synthesize(prompt(1)));
      await cached.flush();
      assert.equal(frames.length, 50);
      assert.equal(store.stats().entries, 0);
      assert.deepEqual(tempFiles(dir), []);
    });

    it('put reports an existing entry instead of replacing it', async () => {
      const store = open();
      const input = { key: fakeKey(1), engine: 'e', model: 'm', format: MULAW, synthesisMs: 5 };
      assert.equal(await store.put(input, [new Uint8Array(160).fill(1)]), 'stored');
      assert.equal(await store.put(input, [new Uint8Array(160).fill(2)]), 'exists');
      const entry = store.lookup(fakeKey(1));
      assert.ok(entry);
      assert.deepEqual(await store.readAudio(entry), Buffer.alloc(160, 1));
      assert.deepEqual(tempFiles(dir), []);
    });
  });

  describe('TTL', () => {
    it('an expired entry is a miss, and is purged from index and disk', async () => {
      const store = open({ ttlMs: 60_000 });
      const inner = new ScriptedTts();
      const cached = new CachedTts(inner, store, { clock });
      await collect(cached.synthesize(prompt(1)));
      await cached.flush();
      const path = store.pathFor(cached.keyOf(prompt(1)));
      clock.advance(59_000);
      await collect(cached.synthesize(prompt(1)));
      assert.equal(cached.stats().hits, 1, 'still fresh: a hit (use does not extend the TTL)');
      clock.advance(1_000);
      assert.equal(store.lookup(cached.keyOf(prompt(1))), undefined);
      assert.ok(!existsSync(path));
      assert.equal(store.stats().expired, 1);
      await collect(cached.synthesize(prompt(1)));
      assert.equal(inner.synthesized, 2, 'synthesized again after expiry');
      await cached.flush();
      assert.ok(existsSync(path), 'and stored afresh');
    });

    it('purgeExpired removes every expired entry at once', async () => {
      const store = open({ ttlMs: 10_000 });
      const cached = new CachedTts(new ScriptedTts(), store, { clock });
      await collect(cached.synthesize(prompt(1)));
      await collect(cached.synthesize(prompt(2)));
      await cached.flush();
      clock.advance(5_000);
      await collect(cached.synthesize(prompt(3)));
      await cached.flush();
      clock.advance(6_000);
      assert.equal(store.purgeExpired(), 2);
      assert.equal(store.stats().entries, 1);
      assert.equal(audioFiles(dir).length, 1);
    });
  });

  it('purge() deletes every entry and stray audio files', async () => {
    const store = open();
    const cached = new CachedTts(new ScriptedTts(), store);
    for (let n = 0; n < 3; n++) await collect(cached.synthesize(prompt(n)));
    await cached.flush();
    mkdirSync(join(dir, 'audio', 'ab'), { recursive: true });
    writeFileSync(join(dir, 'audio', 'ab', `${fakeKey(0xab)}.raw`), 'left by a crash');
    assert.equal(cached.purge(), 3);
    assert.deepEqual(audioFiles(dir), []);
    assert.deepEqual(cached.stats().entries, 0);
  });

  it('removes stale temp files left by a crashed writer at open, and keeps fresh ones', () => {
    open().close();
    opened.pop();
    const stale = join(dir, 'tmp', `${fakeKey(1)}.999.1.dead.tmp`);
    const fresh = join(dir, 'tmp', `${fakeKey(2)}.999.2.beef.tmp`);
    writeFileSync(stale, 'partial');
    writeFileSync(fresh, 'being written by another process');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(stale, twoHoursAgo, twoHoursAgo);
    open();
    assert.deepEqual(tempFiles(dir), [`${fakeKey(2)}.999.2.beef.tmp`]);
  });

  it('refuses a key that is not a SHA-256 hex digest (it becomes a path)', async () => {
    const store = open();
    await assert.rejects(
      store.put({ key: '../../etc/passwd', engine: 'e', model: 'm', format: MULAW, synthesisMs: 1 }, [
        new Uint8Array(1),
      ]),
      /64 hex digits/,
    );
  });
});
