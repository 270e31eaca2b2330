/**
 * The recognizer's backlog: a bound in seconds of audio (not frames), and no silent loss — every
 * dropped or abandoned range becomes a gap with its call-time range. The slow engine is the
 * scripted recognizer reading through a gate the test opens, so "slow" needs no clock at all.
 */
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { AudioFrame } from '../../../src/media/audio/index.js';
import { generateTone } from '../../../src/media/audio/index.js';
import type { SttEngine, SttEvent, SttOptions } from '../../../src/engines/spi/index.js';
import { EngineError } from '../../../src/engines/spi/index.js';
import { ScriptedStt } from '../../../src/engines/spi/testing/index.js';
import type { RecognizedText, RecognizerGap } from '../../../src/session/leg-recognizer.js';
import { LegRecognizer } from '../../../src/session/leg-recognizer.js';
import { recognizerSpeedOf } from '../../../src/session/index.js';
import { PCMU, SessionRig, failingStt, g711Payloads } from './session-rig.js';

/** An engine that takes frames only as fast as the test allows: `allow(n)` lets n more through. */
class GatedStt implements SttEngine {
  readonly name = 'gated';
  readonly inner = new ScriptedStt({ utterances: ['one two three'] });
  readonly capabilities = this.inner.capabilities;
  taken = 0;
  private allowed = 0;
  private wake: (() => void) | undefined;

  allow(frames: number): void {
    this.allowed += frames;
    this.wake?.();
  }

  /** From now on every frame goes through at once. */
  open(): void {
    this.allow(Number.POSITIVE_INFINITY);
  }

  transcribe(frames: AsyncIterable<AudioFrame>, options?: SttOptions): AsyncIterable<SttEvent> {
    return this.inner.transcribe(this.gate(frames), options);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async *gate(frames: AsyncIterable<AudioFrame>): AsyncGenerator<AudioFrame> {
    const iterator = frames[Symbol.asyncIterator]();
    for (;;) {
      while (this.taken >= this.allowed) await new Promise<void>((resolve) => (this.wake = resolve));
      const next = await iterator.next();
      if (next.done === true) return;
      this.taken++;
      yield next.value;
    }
  }
}

const tone = (ms: number): Int16Array =>
  generateTone({ frequencyHz: 440, sampleRateHz: 8000, durationMs: ms });

/** Lets the recognizer's loop and the engine run until nothing moves. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await nextTurn();
}

function recognizer(stt: SttEngine, backlogMs: number | undefined) {
  const gaps: RecognizerGap[] = [];
  const texts: RecognizedText[] = [];
  const r = new LegRecognizer({
    stt,
    ...(backlogMs === undefined ? {} : { backlogMs }),
    onText: (t) => texts.push(t),
    onGap: (g) => gaps.push(g),
  });
  return { r, gaps, texts };
}

describe('LegRecognizer backlog', () => {
  it('holds seconds of audio: a 10 s stall of the engine loses nothing with the default backlog', async () => {
    const stt = new GatedStt();
    const { r, gaps, texts } = recognizer(stt, undefined);
    await settle();
    // 10 s of 20 ms frames while the engine takes none (the first is already pulled by the gate).
    for (let i = 0; i < 500; i++) r.push(tone(20), 1000 + i * 20);
    await settle();
    assert.equal(r.drops, 0, 'the old 50-frame queue dropped 449 of these');
    assert.ok(r.backlogQueuedMs >= 9960, `queued ${r.backlogQueuedMs} ms`);
    stt.open();
    await r.finish(60_000);
    assert.deepEqual(gaps, []);
    assert.equal(stt.taken, 500, 'the engine got every frame');
    assert.equal(texts.filter((t) => t.final).length, 1);
  });

  it('bounds the backlog by duration, whatever the frame size, and drops the oldest beyond it', async () => {
    for (const frameMs of [10, 20, 40]) {
      const stt = new GatedStt();
      const { r, gaps } = recognizer(stt, 1000);
      await settle();
      const frames = 3000 / frameMs;
      for (let i = 0; i < frames; i++) r.push(tone(frameMs), 500 + i * frameMs);
      await settle();
      // The gate's pending pull holds no frame: everything is in the channel, bounded to 1 s.
      assert.equal(r.backlogQueuedMs, 1000, `${frameMs} ms frames`);
      assert.equal(r.backlog, 1000 / frameMs);
      assert.equal(r.drops, frames - 1000 / frameMs);
      stt.open();
      await r.finish(60_000);
      // 3 s offered at call time 500..3500; the newest second was kept, the oldest two dropped.
      assert.deepEqual(
        gaps,
        [{ reason: 'backlog', startMs: 500, endMs: 2500, lostMs: 2000 }],
        `${frameMs} ms`,
      );
      assert.equal(r.gaps, 1);
      assert.equal(r.gapLostMs, 2000);
    }
  });

  it('merges scattered drops of an engine slightly slower than real time into one gap range', async () => {
    const stt = new GatedStt();
    const { r, gaps } = recognizer(stt, 200);
    await settle();
    // 2 s at call time 0..2000; the engine takes 3 frames for every 4 that arrive after the queue
    // filled (at 10 frames), so every fourth frame is dropped.
    for (let i = 0; i < 100; i++) {
      r.push(tone(20), i * 20);
      if (i >= 10 && i % 4 !== 0) stt.allow(1);
      await settle();
    }
    const dropped = r.drops;
    assert.ok(dropped >= 15 && dropped <= 30, `dropped ${dropped}`);
    stt.open();
    await r.finish(60_000);
    assert.equal(gaps.length, 1, JSON.stringify(gaps));
    const gap = gaps[0]!;
    assert.equal(gap.reason, 'backlog');
    assert.equal(gap.lostMs, dropped * 20, 'lostMs counts only the dropped frames');
    assert.ok(gap.endMs - gap.startMs > gap.lostMs, 'the range spans frames that were heard');
  });

  it('merges the drops of a backlog longer than the merge window too (one gap, not one per frame)', async () => {
    const stt = new GatedStt();
    const { r, gaps } = recognizer(stt, 3000);
    await settle();
    // 8 s at call time 0..8000; after the 3 s queue filled the engine takes 3 frames for every 4:
    // each dropped frame is 3 s older than the frame whose push dropped it.
    for (let i = 0; i < 400; i++) {
      r.push(tone(20), i * 20);
      if (i >= 150 && i % 4 !== 0) stt.allow(1);
      await settle();
    }
    const dropped = r.drops;
    assert.ok(dropped >= 50, `dropped ${dropped}`);
    stt.open();
    await r.finish(60_000);
    // The dropped frames lie within 5 s of call time: at most two pieces, not one per drop.
    assert.ok(gaps.length >= 1 && gaps.length <= 2, `${gaps.length} gaps: ${JSON.stringify(gaps)}`);
    assert.equal(
      gaps.reduce((sum, g) => sum + g.lostMs, 0),
      dropped * 20,
    );
  });

  it('reports a long stall in pieces of at most 5 s while it lasts, not only at the end', async () => {
    const stt = new GatedStt();
    const { r, gaps } = recognizer(stt, 1000);
    await settle();
    for (let i = 0; i < 500; i++) r.push(tone(20), i * 20);
    // Still stalled, but 9 s were dropped: one 5 s gap is already out.
    assert.deepEqual(gaps, [{ reason: 'backlog', startMs: 0, endMs: 5000, lostMs: 5000 }]);
    stt.open();
    await r.finish(60_000);
    assert.deepEqual(gaps[1], { reason: 'backlog', startMs: 5000, endMs: 9000, lostMs: 4000 });
  });

  it('reports the unfinalized audio of a restarted stream as an engine-restart gap', async () => {
    let streams = 0;
    const scripted = new ScriptedStt({ utterances: ['hello there'] });
    let failNow: (() => void) | undefined;
    const stt: SttEngine = {
      name: 'flaky',
      capabilities: scripted.capabilities,
      transcribe(frames, options) {
        streams++;
        if (streams > 1) return scripted.transcribe(frames, options);
        return (async function* (): AsyncGenerator<SttEvent> {
          yield { type: 'started' };
          const failed = new Promise<never>((_, reject) => {
            failNow = () =>
              reject(new EngineError('flaky', 'ENGINE_UNAVAILABLE', 'connection reset', { retryable: true }));
          });
          for await (const frame of frames) {
            void frame;
            if (failNow !== undefined) break;
          }
          await failed;
        })();
      },
      close: () => Promise.resolve(),
    };
    const { r, gaps, texts } = recognizer(stt, 5000);
    await settle();
    for (let i = 0; i < 50; i++) r.push(tone(20), 2000 + i * 20);
    await settle();
    failNow!();
    await settle();
    assert.equal(r.restarts, 1);
    // Everything the first stream was given (2000..3000) never became a final.
    assert.deepEqual(gaps, [{ reason: 'engine-restart', startMs: 2000, endMs: 3000, lostMs: 1000 }]);
    for (let i = 0; i < 50; i++) r.push(tone(20), 3000 + i * 20);
    for (let i = 0; i < 50; i++) r.push(new Int16Array(160), 4000 + i * 20);
    await r.finish(60_000);
    assert.equal(gaps.length, 1, 'the second stream lost nothing');
    assert.deepEqual(
      texts.filter((t) => t.final).map((t) => [t.text, t.startMs]),
      [['hello there', 3000]],
    );
  });

  it('restarts again after a stream that ran 10 s of audio, but not after one that failed at once (crash loop)', async () => {
    // Each stream dies (a retryable crash, as when an engine process is killed) after the number
    // of frames the script gives it: 12 s, 12 s, then 1 s.
    const stt = failingStt({
      name: 'crashing',
      message: 'engine process exited',
      lives: [600, 600, 50],
      retryable: true,
    });
    const { r, gaps } = recognizer(stt, 60_000);
    await settle();
    for (let i = 0; i < 1300; i++) {
      r.push(tone(20), i * 20);
      if (i % 50 === 0) await settle();
    }
    await settle();
    assert.equal(stt.streams, 3);
    assert.equal(r.restarts, 2);
    assert.equal(r.state, 'failed');
    assert.deepEqual(
      gaps.map((g) => g.reason),
      ['engine-restart', 'engine-restart', 'engine-failed'],
    );
    await r.finish(1000);
  });

  it('reports audio offered after a failure for good as one engine-failed gap to the end of the leg', async () => {
    const stt = failingStt({ name: 'broken', message: 'decoder crashed', lives: [10] });
    const { r, gaps } = recognizer(stt, 5000);
    await settle();
    for (let i = 0; i < 10; i++) {
      r.push(tone(20), 100 + i * 20);
      await settle();
    }
    assert.equal(r.state, 'failed');
    assert.deepEqual(gaps, [{ reason: 'engine-failed', startMs: 100, endMs: 300, lostMs: 200 }]);
    for (let i = 10; i < 60; i++) r.push(tone(20), 100 + i * 20);
    await r.finish(1000);
    assert.deepEqual(gaps[1], { reason: 'engine-failed', startMs: 300, endMs: 1300, lostMs: 1000 });
  });
});

describe('LegRecognizer finish', () => {
  // Real timers: finish() waits on them. The bounds are generous; nothing asserts a duration.
  it('waits while a slow engine works off its backlog instead of dropping it after the idle timeout', async () => {
    const stt = new GatedStt();
    const { r, gaps, texts } = recognizer(stt, 20_000);
    await settle();
    for (let i = 0; i < 300; i++) r.push(tone(20), i * 20);
    await settle();
    // The engine takes one frame every 5 ms: 1.5 s of draining, five times the idle timeout.
    const feeder = setInterval(() => stt.allow(1), 5);
    try {
      await r.finish(300);
    } finally {
      clearInterval(feeder);
    }
    assert.equal(stt.taken, 300, 'every queued frame reached the engine');
    assert.deepEqual(gaps, []);
    assert.equal(r.state, 'ended');
    assert.equal(texts.filter((t) => t.final).length, 1);
  });

  it('gives up on an engine that makes no progress and reports what it lost as flush-timeout', async () => {
    const stt = new GatedStt();
    const { r, gaps } = recognizer(stt, 20_000);
    await settle();
    for (let i = 0; i < 50; i++) r.push(tone(20), 1000 + i * 20);
    await r.finish(50);
    assert.deepEqual(gaps, [{ reason: 'flush-timeout', startMs: 1000, endMs: 2000, lostMs: 1000 }]);
  });
});

describe('Call: transcript.gap', () => {
  it('emits transcript.gap with the leg, role, call-time range and reason when a slow engine forces drops', async () => {
    const stt = new GatedStt();
    const rig = new SessionRig({ stt, recognizerBacklogMs: 1000 });
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU });
    await rig.advance(2000);
    // 3 s of tone into the leg while the engine takes nothing.
    await rig.stream(leg, g711Payloads('mulaw', 440, 3000));
    assert.equal(leg.stats.recognizerBacklog, 50);
    stt.open();
    await rig.advance(200);
    await rig.call.end('bye');
    const gaps = rig.of('transcript.gap');
    assert.equal(gaps.length, 1, JSON.stringify(rig.events.map((e) => e.type)));
    const gap = gaps[0]!;
    assert.equal(gap.callId, rig.call.id);
    assert.equal(gap.sipCallId, rig.call.sipCallId);
    assert.equal(gap.legId, leg.id);
    assert.equal(gap.role, 'caller');
    assert.equal(gap.reason, 'backlog');
    // The first frame played one playout delay after the first packet (at 2000 ms), and its call
    // time is when it was spoken: 2000 ms. The frames after the queued second are what was lost.
    assert.equal(gap.startMs, 2000);
    assert.equal(gap.lostMs, leg.stats.recognizerDrops * 20);
    assert.equal(gap.endMs - gap.startMs, gap.lostMs);
    assert.ok(gap.lostMs >= 1900 && gap.lostMs <= 2000, `lost ${gap.lostMs} ms`);
    // The transcript's final still covers the kept, last second.
    const final = rig.of('transcript.final')[0];
    assert.ok(final !== undefined);
    assert.ok(final.startMs >= gap.endMs, `final at ${final.startMs}, gap ends ${gap.endMs}`);
    assert.equal(rig.events.at(-1)!.type, 'call.ended');
  });

  it('runs a call refused by admission without recognition and says so on call.started', async () => {
    const stt = new GatedStt();
    const rig = new SessionRig({ stt, transcription: 'refused' });
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU });
    await rig.stream(leg, g711Payloads('mulaw', 440, 400));
    await rig.call.end('bye');
    assert.equal(rig.call.transcription, 'refused');
    assert.equal(rig.of('call.started')[0]!.transcription, 'refused');
    assert.equal(leg.stats.recognizer, 'off');
    assert.ok(leg.stats.played > 0, 'the media still flows');
    assert.equal(stt.taken, 0);
  });

  it("feeds each stream's usage into the engine's shared speed, which sizes the next legs' backlog", async () => {
    const stt = new ScriptedStt({ utterances: ['x'] });
    const speed = recognizerSpeedOf(stt);
    assert.equal(speed.samples, 0);
    const rig = new SessionRig({ stt });
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU });
    await rig.stream(leg, g711Payloads('mulaw', 440, 1500));
    await rig.call.end('bye');
    assert.equal(speed.samples, 1);
    assert.equal(recognizerSpeedOf(stt), speed, 'one speed per engine instance');
    assert.notEqual(recognizerSpeedOf(new ScriptedStt({ utterances: [] })), speed);
  });

  it('says live with an engine and off without one', async () => {
    const live = new SessionRig({ stt: new ScriptedStt({ utterances: ['x'] }) });
    const off = new SessionRig();
    await Promise.all([live.call.end('bye'), off.call.end('bye')]);
    assert.equal(live.of('call.started')[0]!.transcription, 'live');
    assert.equal(off.of('call.started')[0]!.transcription, 'off');
  });
});
