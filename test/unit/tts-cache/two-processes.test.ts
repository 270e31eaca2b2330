import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { TtsRequest } from '../../../src/engines/spi/index.js';
import { ScriptedTts, collect } from '../../../src/engines/spi/testing/index.js';
import type { TtsCacheStats } from '../../../src/tts-cache/index.js';
import { CachedTts, TtsCacheStore } from '../../../src/tts-cache/index.js';
import { ROOT } from '../../support/paths.js';
import { audioBytes, audioFiles, tempCacheDir, tempFiles } from './support.js';

const WRITER = fileURLToPath(new URL('./cache-writer-process.ts', import.meta.url));

function prompts(count: number, prefix = 'Shared prompt'): TtsRequest[] {
  return Array.from({ length: count }, (_, n) => ({
    text: `${prefix} ${n}. Second sentence.`,
    format:
      n % 2 === 0 ? { encoding: 'mulaw', sampleRateHz: 8000 } : { encoding: 'pcm16', sampleRateHz: 16000 },
  }));
}

async function reference(req: TtsRequest): Promise<Buffer> {
  return audioBytes(await collect(new ScriptedTts().synthesize(req)));
}

interface Writer {
  /** Tells the child to start writing; resolves with its stats once it has exited cleanly. */
  go(): Promise<TtsCacheStats & { synthesized: number }>;
}

/** Starts a writer process and resolves once it has opened the cache. */
async function startWriter(dir: string, requests: TtsRequest[], delayPerSentenceMs = 0): Promise<Writer> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', WRITER, dir, JSON.stringify(requests), String(delayPerSentenceMs)],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('ready\n')) resolve();
    });
    void exited.then((code) => reject(new Error(`writer exited (${code}) before ready: ${stderr}`)));
  });
  return {
    async go() {
      child.stdin.end('go\n');
      const code = await exited;
      assert.equal(code, 0, `writer failed: ${stderr}`);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      return JSON.parse(last) as TtsCacheStats & { synthesized: number };
    },
  };
}

describe('two processes sharing one cache directory', () => {
  let dir: string;
  let remove: () => void;
  const opened: TtsCacheStore[] = [];

  beforeEach(() => {
    ({ dir, remove } = tempCacheDir());
  });
  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
    remove();
  });

  function open(): TtsCacheStore {
    const store = new TtsCacheStore(dir, { busyTimeoutMs: 10_000 });
    opened.push(store);
    return store;
  }

  it('entries written by a child process are hits in the parent, which had the cache open already', async () => {
    const store = open();
    const requests = prompts(6);
    const writer = await startWriter(dir, requests);
    const childStats = await writer.go();
    assert.equal(childStats.misses, 6);
    assert.equal(childStats.entries, 6);

    const inner = new ScriptedTts();
    const cached = new CachedTts(inner, store);
    for (const req of requests) {
      assert.deepEqual(audioBytes(await collect(cached.synthesize(req))), await reference(req));
    }
    assert.equal(inner.synthesized, 0);
    assert.equal(cached.stats().hits, 6);
  });

  it('the parent reads consistent entries while a child is writing', async (t) => {
    const store = open();
    const requests = prompts(30, 'Streaming prompt');
    const expected = await Promise.all(requests.map(reference));
    const cached = new CachedTts(new ScriptedTts(), store);
    const keys = requests.map((r) => cached.keyOf(r));
    const writer = await startWriter(dir, requests, 2);
    const done = writer.go();
    let finished = false;
    void done.finally(() => (finished = true));
    let seen = 0;
    let rounds = 0;
    while (!finished) {
      rounds++;
      for (const [i, key] of keys.entries()) {
        const entry = store.lookup(key);
        if (entry === undefined) continue;
        const audio = await store.readAudio(entry);
        assert.ok(audio, `entry ${i} has its complete file as soon as its row is visible`);
        assert.deepEqual(Buffer.from(audio), expected[i]);
        seen++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await done;
    t.diagnostic(`read ${seen} entries in ${rounds} rounds while the child wrote`);
    assert.ok(rounds > 1 && seen > 0, `read ${seen} entries in ${rounds} rounds while the child wrote`);
    assert.equal(store.stats().entries, 30);
  });

  it('two children and the parent writing the same keys at once end with one valid entry per key', async (t) => {
    const requests = prompts(12, 'Contended prompt');
    const writers = await Promise.all([startWriter(dir, requests, 3), startWriter(dir, requests, 3)]);
    const store = open();
    const inner = new ScriptedTts({ delayPerSentenceMs: 3 });
    const cached = new CachedTts(inner, store);
    const children = writers.map((w) => w.go());
    for (const req of requests) await collect(cached.synthesize(req));
    await cached.flush();
    const childStats = await Promise.all(children);

    assert.equal(store.stats().entries, requests.length);
    assert.equal(audioFiles(dir).length, requests.length, 'one file per key, no strays');
    assert.deepEqual(tempFiles(dir), []);
    for (const req of requests) {
      const entry = store.lookup(cached.keyOf(req));
      assert.ok(entry);
      const audio = await store.readAudio(entry);
      assert.ok(audio);
      assert.deepEqual(Buffer.from(audio), await reference(req));
    }
    const syntheses = [cached.stats(), ...childStats].map((s) => s.misses);
    t.diagnostic(`syntheses per process (parent, child, child): ${syntheses.join(', ')}`);
    const written = [cached.stats(), ...childStats].map((s) => s.writeErrors);
    assert.deepEqual(written, [0, 0, 0]);
  });
});
