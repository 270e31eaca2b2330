/**
 * The conformance suite every TtsEngine adapter runs (from its own test file):
 *   describeTtsConformance({ name: 'flite', create: () => new FliteTts() })
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AudioFrame } from '../../../media/audio/index.js';
import { concatPcm, rmsDbfs } from '../../../media/audio/index.js';
import { g711Decode } from '../../../media/codecs/index.js';
import { EngineError } from '../engine-error.js';
import type { TtsEngine, TtsOutputFormat } from '../tts-engine.js';
import { collect } from './frames.js';
import { activeHandleCounts, waitForHandlesReleased } from './handles.js';

export interface TtsConformanceOptions {
  readonly name: string;
  readonly create: () => TtsEngine | Promise<TtsEngine>;
  readonly skip?: string;
}

const FORMATS: readonly TtsOutputFormat[] = [
  { encoding: 'pcm16', sampleRateHz: 16000 },
  { encoding: 'pcm16', sampleRateHz: 8000 },
  { encoding: 'mulaw', sampleRateHz: 8000 },
  { encoding: 'alaw', sampleRateHz: 8000 },
];

/** RMS level (dBFS, AES17) of the frames, decoding G.711 first. */
function levelDbfs(frames: readonly AudioFrame[]): number {
  const pcm = frames.map((f) =>
    f.format.encoding === 'pcm16'
      ? (f.data as Int16Array)
      : g711Decode(f.format.encoding, f.data as Uint8Array),
  );
  return rmsDbfs(concatPcm(pcm));
}

function durationMs(frames: readonly AudioFrame[]): number {
  return frames.reduce((ms, f) => ms + (f.data.length / f.format.sampleRateHz) * 1000, 0);
}

export function describeTtsConformance(options: TtsConformanceOptions): void {
  const { name } = options;
  describe(`${name}: TtsEngine conformance`, { skip: options.skip ?? false }, () => {
    let engine: TtsEngine;
    before(async () => {
      engine = await options.create();
    });
    after(async () => {
      await engine.close();
    });

    it('declares its name, model and voices', () => {
      assert.equal(engine.name, name);
      assert.ok(engine.model.length > 0);
      assert.ok(engine.capabilities.voices.length > 0);
    });

    for (const format of FORMATS) {
      it(`speaks in ${format.encoding} at ${format.sampleRateHz} Hz`, async () => {
        const frames = await collect(
          engine.synthesize({ text: 'Thank you for calling. How can I help?', format }),
        );
        assert.ok(frames.length > 0);
        let expectedTs = 0;
        for (const f of frames) {
          assert.equal(f.format.encoding, format.encoding);
          assert.equal(f.format.sampleRateHz, format.sampleRateHz);
          assert.equal(f.format.channels, 1);
          assert.ok(
            Math.abs(f.timestampMs - expectedTs) < 0.5,
            `timestamp ${f.timestampMs}, expected ${expectedTs}`,
          );
          expectedTs += (f.data.length / format.sampleRateHz) * 1000;
        }
        const ms = durationMs(frames);
        assert.ok(ms > 1000 && ms < 8000, `${ms} ms of audio for a short sentence`);
        assert.ok(levelDbfs(frames) > -37, 'audio is (nearly) silent');
      });
    }

    it('empty text yields no audio and no error', async () => {
      const frames = await collect(engine.synthesize({ text: '   ', format: FORMATS[0]! }));
      assert.equal(durationMs(frames), 0);
    });

    it('an unknown voice is INVALID_REQUEST', async () => {
      await assert.rejects(
        collect(engine.synthesize({ text: 'hello', voice: 'no-such-voice', format: FORMATS[0]! })),
        (err: unknown) => err instanceof EngineError && err.code === 'INVALID_REQUEST',
      );
    });

    it('aborting stops synthesis and throws ABORTED', async () => {
      const controller = new AbortController();
      const text = 'This is the first sentence. '.repeat(30);
      let frames = 0;
      await assert.rejects(
        (async () => {
          for await (const _ of engine.synthesize(
            { text, format: FORMATS[2]! },
            { signal: controller.signal },
          )) {
            frames++;
            if (frames === 1) controller.abort();
          }
        })(),
        (err: unknown) => err instanceof EngineError && err.code === 'ABORTED',
      );
      assert.equal(frames, 1);
    });

    it('an already aborted signal throws ABORTED before any audio', async () => {
      await assert.rejects(
        collect(engine.synthesize({ text: 'hello', format: FORMATS[0]! }, { signal: AbortSignal.abort() })),
        (err: unknown) => err instanceof EngineError && err.code === 'ABORTED',
      );
    });

    it('leaves no handles behind after close', async () => {
      const baseline = activeHandleCounts();
      const fresh = await options.create();
      await collect(fresh.synthesize({ text: 'One. Two. Three.', format: FORMATS[2]! }));
      await fresh.close();
      assert.deepEqual(await waitForHandlesReleased(baseline), {});
    });
  });
}
