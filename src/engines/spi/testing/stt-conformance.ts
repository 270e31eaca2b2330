/**
 * The conformance suite every SttEngine adapter runs (from its own test file):
 *   describeSttConformance({ name: 'pocketsphinx', create: () => new PocketsphinxStt(...), speech })
 * It registers node:test cases; it asserts behaviour every layer above relies on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AudioFormat, AudioFrame } from '../../../media/audio/index.js';
import { createFrame } from '../../../media/audio/index.js';
import { EngineError } from '../engine-error.js';
import type { SttEngine, SttEvent } from '../stt-engine.js';
import { collect, pcmFrames, streamFrames } from './frames.js';
import { activeHandleCounts, waitForHandlesReleased } from './handles.js';

export interface SttConformanceOptions {
  readonly name: string;
  readonly create: () => SttEngine | Promise<SttEngine>;
  /** A known utterance in a format the engine accepts, and words its finals must contain. */
  readonly speech: {
    readonly format: AudioFormat;
    readonly pcm: Int16Array;
    readonly expectWords: readonly string[];
  };
  /** When set, the suite is skipped and this reason printed (only for a model that is absent). */
  readonly skip?: string;
}

function finals(events: readonly SttEvent[]): Extract<SttEvent, { type: 'final' }>[] {
  return events.filter((e): e is Extract<SttEvent, { type: 'final' }> => e.type === 'final');
}

async function* failingSource(frames: readonly AudioFrame[], error: Error): AsyncGenerator<AudioFrame> {
  for (const frame of frames) yield await Promise.resolve(frame);
  throw error;
}

export function describeSttConformance(options: SttConformanceOptions): void {
  const { name, speech } = options;
  describe(`${name}: SttEngine conformance`, { skip: options.skip ?? false }, () => {
    let engine: SttEngine;
    const frames = (): AudioFrame[] => pcmFrames(speech.format, speech.pcm);

    before(async () => {
      engine = await options.create();
    });
    after(async () => {
      await engine.close();
    });

    it('declares its capabilities, including the format used here', () => {
      assert.equal(engine.name, name);
      assert.ok(engine.capabilities.languages.length > 0);
      assert.ok(
        engine.capabilities.inputFormats.some(
          (f) => f.encoding === speech.format.encoding && f.sampleRateHz === speech.format.sampleRateHz,
        ),
      );
    });

    it('recognizes an utterance: started first, ordered finals with the expected words, usage last', async () => {
      const events = await collect(engine.transcribe(streamFrames(frames()), { partials: true }));
      assert.equal(events[0]?.type, 'started');
      assert.equal(events.at(-1)?.type, 'usage');
      const fs = finals(events);
      assert.ok(fs.length >= 1, 'no final result');
      const text = fs
        .map((f) => f.text)
        .join(' ')
        .toLowerCase();
      const found = speech.expectWords.filter((w) => text.split(/\s+/).includes(w.toLowerCase()));
      assert.ok(
        found.length >= Math.ceil(speech.expectWords.length / 2),
        `expected most of [${speech.expectWords.join(' ')}], got "${text}"`,
      );
      const durationMs = (speech.pcm.length / speech.format.channels / speech.format.sampleRateHz) * 1000;
      let previousEnd = -1;
      for (const f of fs) {
        assert.ok(f.startMs >= 0 && f.startMs <= f.endMs, `bad offsets ${f.startMs}..${f.endMs}`);
        assert.ok(
          f.endMs <= durationMs + 50,
          `final ends at ${f.endMs} ms, past the audio (${durationMs} ms)`,
        );
        assert.ok(f.startMs >= previousEnd - 50, 'finals overlap or go backwards');
        assert.ok(f.confidence >= 0 && f.confidence <= 1, `confidence ${f.confidence}`);
        previousEnd = f.endMs;
      }
    });

    it('empty audio ends cleanly with no final text', async () => {
      const events = await collect(engine.transcribe(streamFrames([])));
      assert.equal(events[0]?.type, 'started');
      assert.equal(finals(events).filter((f) => f.text.trim() !== '').length, 0);
    });

    it('silence only gives no final text', async () => {
      const silence = new Int16Array(speech.format.sampleRateHz * 2 * speech.format.channels);
      const events = await collect(engine.transcribe(streamFrames(pcmFrames(speech.format, silence))));
      assert.equal(finals(events).filter((f) => f.text.trim() !== '').length, 0);
    });

    it('rejects a format it does not declare with UNSUPPORTED_FORMAT from the iterator', async () => {
      const odd: AudioFormat = { encoding: 'pcm16', sampleRateHz: 44100, channels: 2 };
      const frame = createFrame(odd, new Int16Array(1764));
      await assert.rejects(collect(engine.transcribe(streamFrames([frame]))), (err: unknown) => {
        assert.ok(err instanceof EngineError, String(err));
        assert.equal(err.code, 'UNSUPPORTED_FORMAT');
        return true;
      });
    });

    it('aborting mid-stream throws ABORTED from the iterator', async () => {
      const controller = new AbortController();
      const iterator = engine.transcribe(streamFrames(frames(), { realTime: true }), {
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(new Error('caller hung up')), 300);
      await assert.rejects(collect(iterator), (err: unknown) => {
        assert.ok(err instanceof EngineError, String(err));
        assert.equal(err.code, 'ABORTED');
        return true;
      });
    });

    it('an error from the audio source surfaces from the iterator', async () => {
      const boom = new Error('socket closed');
      await assert.rejects(
        collect(engine.transcribe(failingSource(frames().slice(0, 10), boom))),
        (err: unknown) => {
          const cause = err instanceof Error ? err.cause : undefined;
          assert.ok(err === boom || cause === boom, `unexpected ${String(err)}`);
          return true;
        },
      );
    });

    it('stopping early (break) and closing leaves no handles behind', async () => {
      const baseline = activeHandleCounts();
      const fresh = await options.create();
      for await (const event of fresh.transcribe(streamFrames(frames()))) {
        if (event.type === 'final' || event.type === 'partial') break;
      }
      await fresh.close();
      await fresh.close(); // idempotent
      assert.deepEqual(await waitForHandlesReleased(baseline), {});
    });
  });
}
