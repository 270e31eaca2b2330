import assert from 'node:assert/strict';
import { existsSync, readFileSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TtsOutputFormat, TtsRequest } from '../../../src/engines/spi/index.js';
import { EngineError } from '../../../src/engines/spi/index.js';
import { ScriptedTts, collect } from '../../../src/engines/spi/testing/index.js';
import { CachedTts, TtsCacheStore, ttsCacheKey } from '../../../src/tts-cache/index.js';
import { audioBytes, audioFiles, tempCacheDir, tempFiles } from './support.js';

const MULAW: TtsOutputFormat = { encoding: 'mulaw', sampleRateHz: 8000 };
const PCM16: TtsOutputFormat = { encoding: 'pcm16', sampleRateHz: 16000 };
const THREE_SENTENCES = 'Welcome to the clinic. Please hold the line. An agent will answer soon.';

function request(text = THREE_SENTENCES, format: TtsOutputFormat = MULAW): TtsRequest {
  return { text, format };
}

/** The audio a plain ScriptedTts produces for the request: what the cache must give back. */
async function reference(req: TtsRequest): Promise<Buffer> {
  return audioBytes(await collect(new ScriptedTts().synthesize(req)));
}

describe('CachedTts', () => {
  let dir: string;
  let remove: () => void;
  let store: TtsCacheStore;
  const opened: TtsCacheStore[] = [];

  function openStore(options: ConstructorParameters<typeof TtsCacheStore>[1] = {}): TtsCacheStore {
    const s = new TtsCacheStore(dir, options);
    opened.push(s);
    return s;
  }

  beforeEach(() => {
    ({ dir, remove } = tempCacheDir());
    store = openStore();
  });
  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
    remove();
  });

  describe('hit and miss', () => {
    for (const format of [MULAW, PCM16]) {
      it(`a hit returns byte-identical ${format.encoding} audio in 20 ms frames`, async () => {
        const inner = new ScriptedTts();
        const cached = new CachedTts(inner, store);
        const req = request(THREE_SENTENCES, format);
        const missed = await collect(cached.synthesize(req));
        await cached.flush();
        const sentences = inner.synthesized;
        const hit = await collect(cached.synthesize(req));
        assert.equal(inner.synthesized, sentences, 'the hit did not call the engine');
        assert.deepEqual(audioBytes(hit), audioBytes(missed));
        assert.deepEqual(audioBytes(hit), await reference(req));
        const frameSamples = format.sampleRateHz / 50;
        for (const [i, frame] of hit.entries()) {
          assert.deepEqual(frame.format, { ...format, channels: 1 });
          if (i < hit.length - 1) assert.equal(frame.data.length, frameSamples);
          assert.equal(frame.timestampMs, (i * frameSamples * 1000) / format.sampleRateHz);
        }
      });
    }

    it('stores the raw encoded bytes on disk, not a container', async () => {
      const cached = new CachedTts(new ScriptedTts(), store);
      const req = request('One two three four.');
      await collect(cached.synthesize(req));
      await cached.flush();
      const key = ttsCacheKey(new ScriptedTts(), req);
      const onDisk = readFileSync(join(dir, 'audio', key.slice(0, 2), `${key}.raw`));
      assert.deepEqual(onDisk, await reference(req));
      assert.equal(onDisk.length, 8000, 'four words of µ-law at 8 kHz: 1 s, one byte per sample');
      const entry = store.lookup(key);
      assert.ok(entry);
      assert.equal(entry.bytes, 8000);
      assert.equal(entry.durationMs, 1000);
      assert.deepEqual(entry.format, MULAW);
      assert.equal(entry.engine, 'scripted');
      assert.equal(entry.model, 'scripted-1');
    });

    it('a different format or voice is a different entry', async () => {
      const inner = new ScriptedTts();
      const cached = new CachedTts(inner, store);
      await collect(cached.synthesize(request('Hello there.', MULAW)));
      await collect(cached.synthesize(request('Hello there.', { encoding: 'alaw', sampleRateHz: 8000 })));
      await collect(cached.synthesize({ ...request('Hello there.', MULAW), voice: 'fake-en' }));
      await cached.flush();
      assert.equal(inner.synthesized, 3);
      assert.equal(store.stats().entries, 3);
    });

    it('counts hits, misses, bytes, entries and the synthesis time saved', async () => {
      const inner = new ScriptedTts({ delayPerSentenceMs: 30 });
      const cached = new CachedTts(inner, store);
      const a = request('One two. Three four.');
      const b = request('Five six seven eight.', PCM16);
      await collect(cached.synthesize(a));
      await collect(cached.synthesize(b));
      await cached.flush();
      for (let i = 0; i < 3; i++) await collect(cached.synthesize(a));
      await collect(cached.synthesize(b, { noCache: true }));
      const stats = cached.stats();
      assert.equal(stats.misses, 2);
      assert.equal(stats.hits, 3);
      assert.equal(stats.bypassed, 1);
      assert.equal(stats.entries, 2);
      assert.equal(stats.bytesStored, 8000 + 32000);
      assert.equal(stats.evictions, 0);
      assert.equal(stats.writeErrors, 0);
      // Entry a took two sentences at >= 30 ms each; three hits saved at least 3 x 60 ms.
      assert.ok(stats.savedMs >= 180, `saved ${stats.savedMs} ms`);
      assert.ok(stats.savedMs < 3 * 60 * 4, `saved ${stats.savedMs} ms`);
      assert.equal(store.lookup(cached.keyOf(a))?.hits, 3);
    });

    it('empty text yields nothing and stores nothing', async () => {
      const cached = new CachedTts(new ScriptedTts(), store);
      assert.deepEqual(await collect(cached.synthesize(request('   '))), []);
      await cached.flush();
      assert.equal(store.stats().entries, 0);
    });

    it('engine errors pass through and store nothing', async () => {
      const cached = new CachedTts(new ScriptedTts(), store);
      await assert.rejects(
        collect(cached.synthesize({ ...request('Hi.'), voice: 'nobody' })),
        (err: unknown) => err instanceof EngineError && err.code === 'INVALID_REQUEST',
      );
      await cached.flush();
      assert.equal(store.stats().entries, 0);
      assert.deepEqual(audioFiles(dir), []);
    });

    it('a broken cache never fails a synthesis: faults are reported and counted', async () => {
      const inner = new ScriptedTts();
      const faults: string[] = [];
      const cached = new CachedTts(inner, store, {
        onCacheError: (_error, operation) => faults.push(operation),
      });
      store.close();
      const req = request('Still speaking.');
      assert.deepEqual(audioBytes(await collect(cached.synthesize(req))), await reference(req));
      await cached.flush();
      assert.deepEqual(faults, ['read', 'write']);
      assert.equal(inner.synthesized, 1);
      opened.splice(opened.indexOf(store), 1);
    });

    it('time to first frame: a hit is immediate, a miss waits for the engine', async (t) => {
      const cached = new CachedTts(new ScriptedTts({ delayPerSentenceMs: 40 }), store);
      const firstFrameMs = async (req: TtsRequest): Promise<number> => {
        const started = performance.now();
        const iterator = cached.synthesize(req)[Symbol.asyncIterator]();
        await iterator.next();
        const ms = performance.now() - started;
        await iterator.return(undefined);
        return ms;
      };
      const misses: number[] = [];
      const hits: number[] = [];
      for (let i = 0; i < 10; i++) {
        const req = request(`Prompt number ${i}. It has a second sentence.`);
        misses.push(await firstFrameMs(req));
        // The first iterator left early, so nothing was stored: play it through once.
        await collect(cached.synthesize(req));
        await cached.flush();
        hits.push(await firstFrameMs(req));
      }
      const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1] ?? NaN;
      t.diagnostic(
        `time to first frame: miss median ${median(misses).toFixed(2)} ms, hit median ${median(hits).toFixed(2)} ms (max ${Math.max(...hits).toFixed(2)} ms)`,
      );
      assert.ok(median(misses) >= 35, `miss ${median(misses)} ms`);
      assert.ok(median(hits) <= 5, `hit ${median(hits)} ms`);
    });
  });

  describe('single-flight', () => {
    it('10 concurrent requests synthesize once and all get identical bytes', async () => {
      const inner = new ScriptedTts({ delayPerSentenceMs: 20 });
      const cached = new CachedTts(inner, store);
      const req = request();
      const results = await Promise.all(Array.from({ length: 10 }, () => collect(cached.synthesize(req))));
      assert.equal(inner.synthesized, 3, 'three sentences, synthesized once');
      const expected = await reference(req);
      for (const frames of results) assert.deepEqual(audioBytes(frames), expected);
      await cached.flush();
      const stats = cached.stats();
      assert.equal(stats.misses, 1);
      assert.equal(stats.coalesced, 9);
      assert.equal(stats.entries, 1);
    });

    it('followers get frames as they arrive, not after the synthesis completes', async () => {
      const cached = new CachedTts(new ScriptedTts({ delayPerSentenceMs: 60 }), store);
      const req = request();
      const started = performance.now();
      const timings = await Promise.all(
        Array.from({ length: 4 }, async () => {
          let first = NaN;
          for await (const _ of cached.synthesize(req)) {
            if (Number.isNaN(first)) first = performance.now() - started;
          }
          return { first, last: performance.now() - started };
        }),
      );
      for (const { first, last } of timings) {
        assert.ok(first < 120, `first frame after ${first} ms`);
        assert.ok(last >= 170, `done after ${last} ms`);
      }
    });

    it('a follower joining late replays from the first frame', async () => {
      const inner = new ScriptedTts({ delayPerSentenceMs: 30 });
      const cached = new CachedTts(inner, store);
      const req = request();
      const leader = collect(cached.synthesize(req));
      await new Promise((resolve) => setTimeout(resolve, 45));
      const follower = await collect(cached.synthesize(req));
      assert.deepEqual(audioBytes(follower), audioBytes(await leader));
      assert.equal(inner.synthesized, 3);
      assert.equal(cached.stats().coalesced, 1);
    });

    it('followers still get all their audio when the leader cancels', async () => {
      const inner = new ScriptedTts({ delayPerSentenceMs: 20 });
      const cached = new CachedTts(inner, store);
      const req = request();
      const controller = new AbortController();
      const leader = (async () => {
        for await (const _ of cached.synthesize(req, { signal: controller.signal })) controller.abort();
      })();
      const followers = Array.from({ length: 3 }, () => collect(cached.synthesize(req)));
      await assert.rejects(leader, (err: unknown) => err instanceof EngineError && err.code === 'ABORTED');
      const expected = await reference(req);
      for (const frames of await Promise.all(followers)) assert.deepEqual(audioBytes(frames), expected);
      assert.equal(inner.synthesized, 3);
      await cached.flush();
      assert.equal(store.stats().entries, 1, 'the completed shared synthesis is stored');
    });

    it('aborts the engine once every consumer has left, and stores nothing', async () => {
      const inner = new ScriptedTts({ delayPerSentenceMs: 30 });
      const cached = new CachedTts(inner, store);
      const req = request();
      const controllers = [new AbortController(), new AbortController()];
      const runs = controllers.map(async (controller) => {
        for await (const _ of cached.synthesize(req, { signal: controller.signal })) controller.abort();
      });
      for (const run of runs) {
        await assert.rejects(run, (err: unknown) => err instanceof EngineError && err.code === 'ABORTED');
      }
      await cached.flush();
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(inner.synthesized, 1, 'the engine stopped after the first sentence');
      assert.equal(store.stats().entries, 0);
      // The abandoned flight is gone: the next request synthesizes afresh and completes.
      assert.deepEqual(audioBytes(await collect(cached.synthesize(req))), await reference(req));
    });
  });

  describe('cancellation leaves nothing behind', () => {
    it('abort mid-stream: no row, no audio file, no temp file', async () => {
      const inner = new ScriptedTts({ delayPerSentenceMs: 10 });
      const cached = new CachedTts(inner, store);
      const controller = new AbortController();
      let frames = 0;
      await assert.rejects(
        (async () => {
          for await (const _ of cached.synthesize(request(), { signal: controller.signal })) {
            if (++frames === 40) controller.abort();
          }
        })(),
        (err: unknown) => err instanceof EngineError && err.code === 'ABORTED',
      );
      assert.equal(frames, 40);
      await cached.flush();
      assert.equal(store.stats().entries, 0);
      assert.equal(store.lookup(cached.keyOf(request())), undefined);
      assert.deepEqual(audioFiles(dir), []);
      assert.deepEqual(tempFiles(dir), []);
    });

    it('breaking out of the loop early counts as leaving', async () => {
      const cached = new CachedTts(new ScriptedTts({ delayPerSentenceMs: 10 }), store);
      for await (const _ of cached.synthesize(request())) break;
      await cached.flush();
      assert.equal(store.stats().entries, 0);
      assert.deepEqual(audioFiles(dir), []);
    });

    it('a hit can be aborted too', async () => {
      const cached = new CachedTts(new ScriptedTts(), store);
      await collect(cached.synthesize(request()));
      await cached.flush();
      const controller = new AbortController();
      let frames = 0;
      await assert.rejects(
        (async () => {
          for await (const _ of cached.synthesize(request(), { signal: controller.signal })) {
            frames++;
            controller.abort();
          }
        })(),
        (err: unknown) => err instanceof EngineError && err.code === 'ABORTED',
      );
      assert.equal(frames, 1);
    });
  });

  describe('do-not-cache', () => {
    it('neither reads nor writes: no row, no file, the engine runs every time', async () => {
      const inner = new ScriptedTts();
      const cached = new CachedTts(inner, store);
      const req = request('Your balance is forty two dollars.');
      const expected = await reference(req);
      for (let i = 1; i <= 3; i++) {
        assert.deepEqual(audioBytes(await collect(cached.synthesize(req, { noCache: true }))), expected);
        assert.equal(inner.synthesized, i);
      }
      await cached.flush();
      assert.equal(store.stats().entries, 0);
      assert.deepEqual(audioFiles(dir), []);
      assert.equal(cached.stats().bypassed, 3);
    });

    it('ignores an existing entry for the same request', async () => {
      const inner = new ScriptedTts();
      const cached = new CachedTts(inner, store);
      const req = request('Hello.');
      await collect(cached.synthesize(req));
      await cached.flush();
      await collect(cached.synthesize(req, { noCache: true }));
      assert.equal(inner.synthesized, 2);
      assert.equal(cached.stats().hits, 0);
      assert.equal(store.lookup(cached.keyOf(req))?.hits, 0);
    });
  });

  describe('restart and damaged entries', () => {
    it('a new CachedTts on the same directory hits', async () => {
      const first = new CachedTts(new ScriptedTts(), store);
      const req = request();
      const original = audioBytes(await collect(first.synthesize(req)));
      await first.close();
      store.close();
      opened.splice(opened.indexOf(store), 1);

      const inner = new ScriptedTts();
      const second = new CachedTts(inner, openStore());
      assert.deepEqual(audioBytes(await collect(second.synthesize(req))), original);
      assert.equal(inner.synthesized, 0);
      assert.equal(second.stats().hits, 1);
    });

    it('a row whose file vanished is a miss, the row is deleted, and the entry is rewritten', async () => {
      const inner = new ScriptedTts();
      const cached = new CachedTts(inner, store);
      const req = request('Short one.');
      await collect(cached.synthesize(req));
      await cached.flush();
      const path = store.pathFor(cached.keyOf(req));
      unlinkSync(path);
      assert.deepEqual(audioBytes(await collect(cached.synthesize(req))), await reference(req));
      assert.equal(inner.synthesized, 2);
      assert.equal(cached.stats().orphanedRows, 1);
      await cached.flush();
      assert.ok(existsSync(path));
      assert.equal(cached.stats().entries, 1);
    });

    it('a truncated file is a miss, not short audio', async () => {
      const cached = new CachedTts(new ScriptedTts(), store);
      const req = request('Short one.');
      await collect(cached.synthesize(req));
      await cached.flush();
      truncateSync(store.pathFor(cached.keyOf(req)), 100);
      assert.deepEqual(audioBytes(await collect(cached.synthesize(req))), await reference(req));
      assert.equal(cached.stats().hits, 0);
    });
  });

  describe('prewarm', () => {
    it('synthesizes only what is missing and reports failures without throwing', async () => {
      const inner = new ScriptedTts({ delayPerSentenceMs: 5 });
      const cached = new CachedTts(inner, store);
      const prompts = ['Welcome.', 'Press one for sales.', 'Press two for support.', 'Goodbye.'].map((t) =>
        request(t),
      );
      await collect(cached.synthesize(prompts[0]!));
      await cached.flush();
      const bad: TtsRequest = { ...request('Bad voice.'), voice: 'nobody' };
      const result = await cached.prewarm([...prompts, bad], { concurrency: 2 });
      assert.equal(result.alreadyCached, 1);
      assert.equal(result.synthesized, 3);
      assert.equal(result.failed.length, 1);
      assert.equal(result.failed[0]?.request, bad);
      assert.equal(inner.synthesized, 4);
      for (const p of prompts) assert.ok(store.lookup(cached.keyOf(p)));
      const again = await cached.prewarm(prompts);
      assert.equal(again.alreadyCached, 4);
      assert.equal(inner.synthesized, 4);
    });
  });
});
