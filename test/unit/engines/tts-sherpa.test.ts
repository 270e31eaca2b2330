import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { EngineError } from '../../../src/engines/spi/index.js';
import type { TtsRequest } from '../../../src/engines/spi/index.js';
import {
  activeHandleCounts,
  collect,
  describeTtsConformance,
  waitForHandlesReleased,
} from '../../../src/engines/spi/testing/index.js';
import { SherpaTts } from '../../../src/engines/tts/sherpa/index.js';
import type { SherpaWorkerInit } from '../../../src/engines/tts/sherpa/sherpa-tts-protocol.js';
import { SherpaTtsWorker } from '../../../src/engines/tts/sherpa/sherpa-tts-worker-client.js';
import type { EngineChild } from '../../../src/engines/worker/index.js';
import { engineChildOfWorker, spawnEngineProcess } from '../../../src/engines/worker/index.js';
import { modelSearchDirs, resolveModelDir } from '../../../src/models/index.js';

/**
 * Stands in for sherpa-onnx in the worker: answers like the real worker, and for each sentence
 * blocks its thread synchronously (as the native generate call does) before returning a tone of
 * 250 ms per word divided by the speed, at 300 + 100 × speaker id Hz. It reports every sentence it
 * starts as a `seen` message, which the client ignores and the tests count.
 */
const FAKE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const fake = workerData.fake;
if (fake.failLoad) {
  parentPort.postMessage({ type: 'load-failed', message: 'fake load failure' });
} else {
  parentPort.postMessage({ type: 'ready', sampleRateHz: 16000, numSpeakers: 2, sherpaVersion: '0.0.0-fake' });
  parentPort.on('message', (req) => {
    parentPort.postMessage({ type: 'seen', text: req.text, sid: req.sid, speed: req.speed });
    if (fake.blockMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, fake.blockMs);
    if (req.text.includes('crash')) process.exit(3);
    if (req.text.includes('explode')) {
      parentPort.postMessage({ type: 'failed', id: req.id, message: 'fake synthesis error' });
      return;
    }
    const words = req.text.split(/\\s+/).length;
    const n = Math.round((16000 * 0.25 * words) / req.speed);
    const pcm = new Int16Array(n);
    const hz = 300 + 100 * req.sid;
    for (let i = 0; i < n; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 16000));
    parentPort.postMessage({ type: 'audio', id: req.id, pcm, sampleRateHz: 16000 }, [pcm.buffer]);
  });
}
`;

interface Seen {
  text: string;
  sid: number;
  speed: number;
}

function fakeWorker(fake: { blockMs?: number; failLoad?: boolean } = {}): {
  spawn: (init: SherpaWorkerInit) => EngineChild;
  seen: Seen[];
} {
  const seen: Seen[] = [];
  return {
    seen,
    spawn: (init) => {
      const worker = new Worker(FAKE_WORKER, {
        eval: true,
        workerData: { ...init, fake: { blockMs: 0, ...fake } },
      });
      worker.on('message', (m: { type: string } & Seen) => {
        if (m.type === 'seen') seen.push({ text: m.text, sid: m.sid, speed: m.speed });
      });
      return engineChildOfWorker(worker);
    },
  };
}

/** A folder that passes layout detection; the fake worker never reads it. */
async function fakeVoiceDir(root: string): Promise<string> {
  const dir = join(root, 'vits-piper-en_US-fake-low');
  await mkdir(join(dir, 'espeak-ng-data'), { recursive: true });
  await writeFile(join(dir, 'en_US-fake-low.onnx'), Buffer.from([0x08, 0x07]));
  await writeFile(join(dir, 'tokens.txt'), '_ 0\n');
  for (const f of ['phontab', 'phonindex', 'phondata', 'intonations']) {
    await writeFile(join(dir, 'espeak-ng-data', f), 'x');
  }
  return dir;
}

const INIT: SherpaWorkerInit = { modelFile: '/unused.onnx', tokensFile: '/unused.txt', numThreads: 1 };
const PCM16K = { encoding: 'pcm16', sampleRateHz: 16000 } as const;

function isEngineError(code: string): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof EngineError, String(err));
    assert.equal(err.code, code, err.message);
    return true;
  };
}

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'voxbridge-sherpa-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

// The whole engine (planning, worker, output formats, cancellation) against the fake voice.
describeTtsConformance({
  name: 'sherpa',
  create: async () =>
    SherpaTts.create({ modelDir: await fakeVoiceDir(root) }, { spawnWorker: fakeWorker().spawn }),
});

// The real voice, when one is installed (VOXBRIDGE_MODELS_DIR or the models cache).
const REAL_VOICE = 'vits-piper-en_US-amy-low';
const realVoiceDir = await resolveModelDir(REAL_VOICE);
describe(`with ${REAL_VOICE}`, () => {
  describeTtsConformance({
    name: 'sherpa',
    create: () => SherpaTts.create({ modelDir: realVoiceDir! }),
    ...(realVoiceDir === undefined
      ? {
          skip:
            `no sherpa TTS voice in ${modelSearchDirs().join(' or ')}; ` +
            `run voxbridge models pull ${REAL_VOICE} (or set VOXBRIDGE_MODELS_DIR)`,
        }
      : {}),
  });
});

describe('SherpaTtsWorker (the real worker thread)', () => {
  it('starts under tsx, loads sherpa-onnx-node and reports a voice it cannot load', async () => {
    const baseline = activeHandleCounts();
    await assert.rejects(
      SherpaTtsWorker.start({ ...INIT, modelFile: join(root, 'does-not-exist.onnx') }),
      (err: unknown) =>
        isEngineError('ENGINE_UNAVAILABLE')(err) && (err as Error).message.includes('does-not-exist.onnx'),
    );
    assert.deepEqual(await waitForHandlesReleased(baseline), {});
  });
});

describe('SherpaTtsWorker in a child process', () => {
  it('a synthesis process killed mid-sentence fails its sentences, not this process', async () => {
    const fixture = new URL('../../fixtures/engine-child/anchor.ts', import.meta.url).href;
    let pid: number | undefined;
    const worker = await SherpaTtsWorker.start(INIT, (init) => {
      const child = spawnEngineProcess(fixture, 'fake-tts-child', init);
      pid = child.pid;
      return child;
    });
    const signal = new AbortController().signal;
    const audio = await worker.generate('one sentence', 0, 1, signal);
    assert.equal(audio.pcm.length, 1600, 'typed arrays cross the channel');
    assert.ok(pid !== undefined && pid !== process.pid);
    const hanging = worker.generate('hang here', 0, 1, signal);
    const queued = worker.generate('waits behind it', 0, 1, signal);
    process.kill(pid, 'SIGKILL');
    for (const sentence of [hanging, queued]) {
      await assert.rejects(
        sentence,
        (err: unknown) => isEngineError('ENGINE_UNAVAILABLE')(err) && /SIGKILL/.test((err as Error).message),
      );
    }
    await worker.close();
  });
});

describe('SherpaTtsWorker queueing and cancellation (fake voice)', () => {
  it('runs sentences one at a time, in order', async () => {
    const fake = fakeWorker({ blockMs: 20 });
    const worker = await SherpaTtsWorker.start(INIT, fake.spawn);
    const signal = new AbortController().signal;
    const results = await Promise.all([
      worker.generate('one', 0, 1, signal),
      worker.generate('two words', 1, 2, signal),
    ]);
    assert.deepEqual(
      results.map((r) => r.pcm.length),
      [4000, 4000],
    );
    assert.deepEqual(fake.seen, [
      { text: 'one', sid: 0, speed: 1 },
      { text: 'two words', sid: 1, speed: 2 },
    ]);
    await worker.close();
  });

  it('drops a queued sentence on abort without ever starting it', async () => {
    const fake = fakeWorker({ blockMs: 100 });
    const worker = await SherpaTtsWorker.start(INIT, fake.spawn);
    const first = worker.generate('first', 0, 1, new AbortController().signal);
    const controller = new AbortController();
    const second = worker.generate('second', 0, 1, controller.signal);
    controller.abort();
    await assert.rejects(second, isEngineError('ABORTED'));
    await first;
    const third = await worker.generate('third', 0, 1, new AbortController().signal);
    assert.equal(third.pcm.length, 4000);
    assert.deepEqual(
      fake.seen.map((s) => s.text),
      ['first', 'third'],
    );
    await worker.close();
  });

  it('releases the caller of a running sentence at once and keeps the event loop free meanwhile', async () => {
    const fake = fakeWorker({ blockMs: 600 });
    const worker = await SherpaTtsWorker.start(INIT, fake.spawn);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const controller = new AbortController();
    const started = performance.now();
    const pending = worker.generate('a long sentence', 0, 1, controller.signal);
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(pending, isEngineError('ABORTED'));
    const elapsedMs = performance.now() - started;
    clearInterval(timer);
    assert.ok(elapsedMs < 400, `abort took ${elapsedMs} ms`);
    // The synthesis thread was blocked; the main thread kept running timers.
    assert.ok(ticks >= 5, `only ${ticks} timer ticks while synthesizing`);
    // The worker stays usable once the abandoned sentence is done.
    const next = await worker.generate('next', 0, 1, new AbortController().signal);
    assert.equal(next.pcm.length, 4000);
    await worker.close();
  });

  it('turns a synthesis error into ENGINE_FAILED and a dead worker into failures, not hangs', async () => {
    const worker = await SherpaTtsWorker.start(INIT, fakeWorker().spawn);
    const signal = new AbortController().signal;
    await assert.rejects(worker.generate('explode', 0, 1, signal), isEngineError('ENGINE_FAILED'));
    const crashing = assert.rejects(
      worker.generate('crash now', 0, 1, signal),
      isEngineError('ENGINE_UNAVAILABLE'),
    );
    const queued = assert.rejects(
      worker.generate('never runs', 0, 1, signal),
      isEngineError('ENGINE_UNAVAILABLE'),
    );
    await Promise.all([crashing, queued]);
    await assert.rejects(worker.generate('after', 0, 1, signal), isEngineError('ENGINE_UNAVAILABLE'));
    await worker.close();
  });

  it('rejects waiting sentences when closed', async () => {
    const worker = await SherpaTtsWorker.start(INIT, fakeWorker({ blockMs: 200 }).spawn);
    const signal = new AbortController().signal;
    const running = assert.rejects(
      worker.generate('running', 0, 1, signal),
      isEngineError('ENGINE_UNAVAILABLE'),
    );
    const waiting = assert.rejects(
      worker.generate('waiting', 0, 1, signal),
      isEngineError('ENGINE_UNAVAILABLE'),
    );
    await worker.close();
    await Promise.all([running, waiting]);
  });

  it('reports a load failure as ENGINE_UNAVAILABLE', async () => {
    await assert.rejects(
      SherpaTtsWorker.start(INIT, fakeWorker({ failLoad: true }).spawn),
      (err: unknown) =>
        isEngineError('ENGINE_UNAVAILABLE')(err) && /fake load failure/.test((err as Error).message),
    );
  });
});

describe('SherpaTts (fake voice)', () => {
  async function engine(fake = fakeWorker()): Promise<SherpaTts> {
    return SherpaTts.create({ modelDir: await fakeVoiceDir(root) }, { spawnWorker: fake.spawn });
  }

  it('names its model after the folder and the sherpa version, and offers speaker ids as voices', async () => {
    const tts = await engine();
    assert.equal(tts.model, 'vits-piper-en_US-fake-low@sherpa-onnx-0.0.0-fake');
    assert.deepEqual(tts.capabilities.voices, [
      { id: '0', language: 'en-US' },
      { id: '1', language: 'en-US' },
    ]);
    assert.equal(tts.capabilities.nativeSampleRateHz, 16000);
    assert.equal(tts.layout.kind, 'piper');
    await tts.close();
  });

  it('speaks sentence by sentence with the chosen speaker, and maps rate to speed', async () => {
    const fake = fakeWorker();
    const tts = await engine(fake);
    const request: TtsRequest = {
      text: 'One two. Three four five six.',
      voice: '1',
      rate: 2,
      format: PCM16K,
    };
    const frames = await collect(tts.synthesize(request));
    assert.deepEqual(fake.seen, [
      { text: 'One two.', sid: 1, speed: 2 },
      { text: 'Three four five six.', sid: 1, speed: 2 },
    ]);
    // Six words at 250 ms, twice as fast: 750 ms, in whole 20 ms frames.
    assert.equal(frames.length, Math.ceil(750 / 20));
    await tts.close();
  });

  it('stops after the sentence in hand when aborted: no further sentence is started', async () => {
    const fake = fakeWorker({ blockMs: 30 });
    const tts = await engine(fake);
    const controller = new AbortController();
    const text = Array.from({ length: 20 }, (_, i) => `Sentence number ${i}.`).join(' ');
    await assert.rejects(
      (async () => {
        for await (const _ of tts.synthesize({ text, format: PCM16K }, { signal: controller.signal })) {
          controller.abort();
        }
      })(),
      isEngineError('ABORTED'),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    // The first sentence, and at most the one synthesized ahead while the first was played.
    assert.ok(fake.seen.length <= 2, `${fake.seen.length} sentences started`);
    await tts.close();
  });

  it('after its synthesis process died, the next prompt starts a new one', async () => {
    let spawned = 0;
    const fake = fakeWorker();
    const tts = await SherpaTts.create(
      { modelDir: await fakeVoiceDir(root) },
      {
        spawnWorker: (init) => {
          spawned++;
          return fake.spawn(init);
        },
      },
    );
    await assert.rejects(
      collect(tts.synthesize({ text: 'A crash here.', format: PCM16K })),
      isEngineError('ENGINE_UNAVAILABLE'),
    );
    assert.equal(spawned, 1);
    // The first restart is immediate; the backoff only spaces the ones after it.
    const frames = await collect(tts.synthesize({ text: 'Two words.', format: PCM16K }));
    assert.equal(frames.length, Math.ceil(500 / 20));
    assert.equal(spawned, 2);
    await tts.close();
  });

  it('rejects bad requests with INVALID_REQUEST', async () => {
    const tts = await engine();
    for (const request of [
      { text: 'hi', voice: '2', format: PCM16K },
      { text: 'hi', voice: 'amy', format: PCM16K },
      { text: 'hi', language: 'de-DE', format: PCM16K },
      { text: 'hi', rate: 0, format: PCM16K },
      { text: 'hi', engineOptions: { noiseScale: 0.5 }, format: PCM16K },
    ]) {
      await assert.rejects(
        collect(tts.synthesize(request)),
        isEngineError('INVALID_REQUEST'),
        JSON.stringify(request),
      );
    }
    assert.ok((await collect(tts.synthesize({ text: 'hi', language: 'en-GB', format: PCM16K }))).length > 0);
    await tts.close();
  });

  it('close() during synthesis ends the utterance with ABORTED at once', async () => {
    const tts = await engine(fakeWorker({ blockMs: 300 }));
    const text = 'First sentence here. Second sentence here. Third sentence here.';
    const consumed = assert.rejects(
      collect(tts.synthesize({ text, format: PCM16K })),
      isEngineError('ABORTED'),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await tts.close();
    await consumed;
    assert.ok(performance.now() - started < 1000);
  });

  it('is unavailable after close', async () => {
    const tts = await engine();
    await tts.close();
    await assert.rejects(
      collect(tts.synthesize({ text: 'hi', format: PCM16K })),
      isEngineError('ENGINE_UNAVAILABLE'),
    );
  });

  it('refuses a default voice that is no speaker id, and stops its thread', async () => {
    const baseline = activeHandleCounts();
    await assert.rejects(
      SherpaTts.create(
        { modelDir: await fakeVoiceDir(root), defaultVoice: '7' },
        { spawnWorker: fakeWorker().spawn },
      ),
      isEngineError('INVALID_REQUEST'),
    );
    assert.deepEqual(await waitForHandlesReleased(baseline), {});
  });
});
