// FliteTts and EspeakTts against the real Debian CLIs: the conformance suite, then what the suite
// cannot see from outside: sentence streaming (processes started when the first frame arrives),
// SIGKILL on abort with the process gone afterwards, SSML breaks as silence, prosody rate.
import assert from 'node:assert/strict';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import type { AudioFrame } from '../../../src/media/audio/index.js';
import { rmsDbfs } from '../../../src/media/audio/index.js';
import type { TtsEngine } from '../../../src/engines/spi/index.js';
import { EngineError } from '../../../src/engines/spi/index.js';
import { collect, describeTtsConformance } from '../../../src/engines/spi/testing/index.js';
import { EspeakTts } from '../../../src/engines/tts/espeak/index.js';
import { FliteTts } from '../../../src/engines/tts/flite/index.js';
import type { SpawnProcess } from '../../../src/engines/tts/output/index.js';

/** Wraps spawn to record every child: its pid, and how it ended. */
class SpawnRecorder {
  readonly children: { pid: number | undefined; exit?: { code: number | null; signal: string | null } }[] =
    [];
  readonly spawn: SpawnProcess = (
    command: string,
    args: readonly string[],
    options: SpawnOptions,
  ): ChildProcess => {
    const child = spawn(command, args, options);
    const record: (typeof this.children)[number] = { pid: child.pid };
    this.children.push(record);
    child.once('exit', (code, signal) => {
      record.exit = { code, signal };
    });
    return child;
  };
}

interface EngineCase {
  readonly name: string;
  readonly create: (options?: { spawn?: SpawnProcess; binaryPath?: string }) => Promise<TtsEngine>;
  readonly installHint: string;
}

const ENGINES: readonly EngineCase[] = [
  { name: 'flite', create: (o) => FliteTts.create(o), installHint: 'apt-get install flite' },
  { name: 'espeak', create: (o) => EspeakTts.create(o), installHint: 'apt-get install espeak-ng' },
];

const PCM_8K = { encoding: 'pcm16', sampleRateHz: 8000 } as const;
const THREE_SENTENCES =
  'Thank you for calling the city library. ' +
  'Our opening hours are nine in the morning to six in the evening, Monday to Saturday, and on Sundays we are closed. ' +
  'Please stay on the line and the next available librarian will be with you shortly.';

function durationMs(frames: readonly AudioFrame[]): number {
  return frames.reduce((ms, f) => ms + (f.data.length * 1000) / f.format.sampleRateHz, 0);
}

/** Longest run of frames quieter than -60 dBFS that has speech on both sides, in ms. */
function longestInnerSilenceMs(frames: readonly AudioFrame[]): number {
  const silent = frames.map((f) => rmsDbfs(f.data as Int16Array) < -60);
  const first = silent.indexOf(false);
  const last = silent.lastIndexOf(false);
  let best = 0;
  let run = 0;
  for (let i = first; i <= last; i++) {
    run = silent[i] ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best * 20;
}

for (const engine of ENGINES) {
  describeTtsConformance({ name: engine.name, create: () => engine.create() });

  describe(`${engine.name}: behaviour of the CLI adapter`, () => {
    it('names the installed version in model', async () => {
      const tts = await engine.create();
      await tts.close();
      assert.match(tts.model, engine.name === 'flite' ? /^flite-2\.\d/ : /^espeak-ng-1\.\d+/);
    });

    it('a missing binary is ENGINE_UNAVAILABLE with the install hint', async () => {
      await assert.rejects(engine.create({ binaryPath: '/nonexistent/voxbridge-tts' }), (err: unknown) => {
        assert.ok(err instanceof EngineError);
        assert.equal(err.code, 'ENGINE_UNAVAILABLE');
        assert.ok(err.message.includes(engine.installHint), err.message);
        return true;
      });
    });

    it('yields the first frame before the third sentence is synthesized', async (t) => {
      const recorder = new SpawnRecorder();
      const tts = await engine.create({ spawn: recorder.spawn });
      const probes = recorder.children.length;
      const startedAt = performance.now();
      let spawnedAtFirstFrame = -1;
      let frames = 0;
      for await (const _ of tts.synthesize({ text: THREE_SENTENCES, format: PCM_8K })) {
        if (frames++ === 0) {
          spawnedAtFirstFrame = recorder.children.length - probes;
          t.diagnostic(`first audio after ${(performance.now() - startedAt).toFixed(0)} ms`);
        }
      }
      t.diagnostic(`whole prompt after ${(performance.now() - startedAt).toFixed(0)} ms`);
      await tts.close();
      assert.ok(
        spawnedAtFirstFrame >= 1 && spawnedAtFirstFrame <= 2,
        `${spawnedAtFirstFrame} processes at first frame`,
      );
      assert.equal(recorder.children.length - probes, 3, 'one process per sentence');
    });

    it('abort after the first frame kills the running process and leaves none behind', async () => {
      const recorder = new SpawnRecorder();
      const tts = await engine.create({ spawn: recorder.spawn });
      const probes = recorder.children.length;
      const controller = new AbortController();
      // A long second sentence keeps its process busy when the abort comes.
      const text = `Hello. ${'This sentence goes on and on, '.repeat(6)}without an end. Goodbye.`;
      await assert.rejects(
        (async () => {
          for await (const _ of tts.synthesize({ text, format: PCM_8K }, { signal: controller.signal })) {
            controller.abort();
          }
        })(),
        (err: unknown) => err instanceof EngineError && err.code === 'ABORTED',
      );
      await tts.close();
      const children = recorder.children.slice(probes);
      assert.ok(children.length >= 1 && children.length <= 2, `${children.length} processes started`);
      for (const child of children) {
        assert.ok(child.exit !== undefined, 'every process has exited when the iterator throws');
        assert.throws(() => process.kill(child.pid!, 0), { code: 'ESRCH' });
      }
    });

    it('a consumer that stops early leaves no process behind', async () => {
      const recorder = new SpawnRecorder();
      const tts = await engine.create({ spawn: recorder.spawn });
      const probes = recorder.children.length;
      for await (const _ of tts.synthesize({ text: THREE_SENTENCES, format: PCM_8K })) break;
      await tts.close();
      for (const child of recorder.children.slice(probes)) {
        assert.ok(child.exit !== undefined);
        assert.throws(() => process.kill(child.pid!, 0), { code: 'ESRCH' });
      }
    });

    it('close() during synthesis aborts it and leaves no process behind', async () => {
      const recorder = new SpawnRecorder();
      const tts = await engine.create({ spawn: recorder.spawn });
      const probes = recorder.children.length;
      let closed: Promise<void> | undefined;
      await assert.rejects(
        (async () => {
          for await (const _ of tts.synthesize({ text: THREE_SENTENCES, format: PCM_8K }))
            closed ??= tts.close();
        })(),
        (err: unknown) => err instanceof EngineError && err.code === 'ABORTED',
      );
      await closed;
      for (const child of recorder.children.slice(probes)) {
        assert.ok(child.exit !== undefined);
        assert.throws(() => process.kill(child.pid!, 0), { code: 'ESRCH' });
      }
    });

    it('an SSML break of 500 ms is at least 500 ms of silence between the two texts', async () => {
      const tts = await engine.create();
      const frames = await collect(
        tts.synthesize({
          text: '<speak>Hello there.<break time="500ms"/>Goodbye now.</speak>',
          ssml: true,
          format: PCM_8K,
        }),
      );
      await tts.close();
      const silenceMs = longestInnerSilenceMs(frames);
      assert.ok(silenceMs >= 500, `${silenceMs} ms of silence`);
      frames.forEach((f, i) => assert.equal(f.timestampMs, i * 20));
    });

    it('prosody rate slow makes the audio longer, and so does rate 0.5', async () => {
      const tts = await engine.create();
      const text = 'Your appointment is on Tuesday at four in the afternoon.';
      const speak = async (request: { text: string; ssml?: boolean; rate?: number }): Promise<number> =>
        durationMs(await collect(tts.synthesize({ ...request, format: PCM_8K })));
      const normal = await speak({ text: `<speak>${text}</speak>`, ssml: true });
      const slow = await speak({ text: `<speak><prosody rate="slow">${text}</prosody></speak>`, ssml: true });
      const half = await speak({ text, rate: 0.5 });
      await tts.close();
      assert.ok(slow > normal * 1.15, `slow ${slow} ms vs normal ${normal} ms`);
      assert.ok(half > slow, `rate 0.5 ${half} ms vs slow ${slow} ms`);
    });

    it('malformed SSML is INVALID_REQUEST naming the position, before any process runs', async () => {
      const recorder = new SpawnRecorder();
      const tts = await engine.create({ spawn: recorder.spawn });
      const probes = recorder.children.length;
      await assert.rejects(
        collect(
          tts.synthesize({ text: '<speak>Hello <break time="soon"/></speak>', ssml: true, format: PCM_8K }),
        ),
        (err: unknown) =>
          err instanceof EngineError && err.code === 'INVALID_REQUEST' && /column 14/.test(err.message),
      );
      await tts.close();
      assert.equal(recorder.children.length, probes);
    });

    it('an unknown engine option and a bad rate are INVALID_REQUEST', async () => {
      const tts = await engine.create();
      for (const request of [
        { text: 'hi', format: PCM_8K, engineOptions: { volume: 3 } },
        { text: 'hi', format: PCM_8K, rate: 0 },
      ]) {
        await assert.rejects(
          collect(tts.synthesize(request)),
          (err: unknown) => err instanceof EngineError && err.code === 'INVALID_REQUEST',
        );
      }
      await tts.close();
    });
  });
}
