import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RtpPacket } from '../../../src/media/rtp/index.js';
import type { TimerScheduler } from '../../../src/core/index.js';
import { RtpPacer, RtpPacerBusyError } from '../../../src/net/rtp/index.js';
import { advance, FakeScheduler, flush, frames, lateScheduler, ManualProducer } from './net-fakes.js';

const TS0 = 1000;
const SEQ0 = 65530; // wraps during the longer tests

interface Sent {
  readonly atMs: number;
  readonly packet: RtpPacket;
}

function setup(scheduler: TimerScheduler = new FakeScheduler()): { pacer: RtpPacer; sent: Sent[] } {
  const sent: Sent[] = [];
  const pacer = new RtpPacer({
    send: (packet) => sent.push({ atMs: scheduler.clock.nowMs(), packet }),
    payloadType: 0,
    ssrc: 0x11223344,
    initialSequenceNumber: SEQ0,
    initialTimestamp: TS0,
    scheduler,
  });
  return { pacer, sent };
}

/** How a play ended, without leaving a floating promise. */
function outcome(play: Promise<void>): { settled: () => string | undefined; done: Promise<void> } {
  let state: string | undefined;
  const done = play.then(
    () => void (state = 'resolved'),
    (error: unknown) => void (state = `rejected: ${(error as Error).message}`),
  );
  return { settled: () => state, done };
}

function producerOf(count: number, end = true): ManualProducer {
  const producer = new ManualProducer();
  producer.push(...frames(count));
  if (end) producer.end();
  return producer;
}

describe('RtpPacer', () => {
  it('sends packet n at exactly n × 20 ms with marker, timestamp and sequence rules', async () => {
    const scheduler = new FakeScheduler();
    const { pacer, sent } = setup(scheduler);
    const play = outcome(pacer.play(producerOf(10)));
    await advance(scheduler, 179);
    assert.equal(play.settled(), undefined, 'not resolved before the last packet');
    await advance(scheduler, 1);
    assert.equal(play.settled(), 'resolved');
    assert.deepEqual(
      sent.map((s) => s.atMs),
      [0, 20, 40, 60, 80, 100, 120, 140, 160, 180],
    );
    assert.deepEqual(
      sent.map((s) => s.packet.marker),
      [true, false, false, false, false, false, false, false, false, false],
    );
    assert.deepEqual(
      sent.map((s) => s.packet.sequenceNumber),
      [65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3],
    );
    assert.deepEqual(
      sent.map((s) => s.packet.timestamp),
      sent.map((_, i) => TS0 + 160 * i),
    );
    assert.deepEqual(
      sent.map((s) => s.packet.payload[0]),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.ok(sent.every((s) => s.packet.ssrc === 0x11223344 && s.packet.payloadType === 0));
    assert.deepEqual(pacer.stats, { packetsSent: 10, lateTicks: 0, maxLatenessMs: 0, underruns: 0 });
    assert.equal(scheduler.pending, 0);
    await play.done;
  });

  it('compensates timer lateness instead of accumulating it', async () => {
    const fake = new FakeScheduler();
    const { pacer, sent } = setup(lateScheduler(fake, () => 3));
    const play = outcome(pacer.play(producerOf(6)));
    await advance(fake, 200);
    // Each timer fires 3 ms late, yet packet n stays 3 ms after n × 20 ms, not 3n ms.
    assert.deepEqual(
      sent.map((s) => s.atMs),
      [0, 23, 43, 63, 83, 103],
    );
    assert.deepEqual(pacer.stats, { packetsSent: 6, lateTicks: 0, maxLatenessMs: 3, underruns: 0 });
    await play.done;
  });

  it('after its own timer stalls it catches up with at most one extra packet per tick', async () => {
    const fake = new FakeScheduler();
    // The first tick timer fires 65 ms late (an event-loop stall); the others on time.
    const { pacer, sent } = setup(lateScheduler(fake, (n) => (n === 0 ? 65 : 0)));
    const producer = producerOf(10);
    const play = outcome(pacer.play(producer));
    await advance(fake, 300);
    assert.equal(play.settled(), 'resolved');
    assert.deepEqual(
      sent.map((s) => s.atMs),
      [0, 85, 85, 100, 100, 120, 120, 140, 160, 180],
    );
    // The timestamps keep the schedule: the owed packets were ready, only our timer was late.
    assert.deepEqual(
      sent.map((s) => s.packet.timestamp),
      sent.map((_, i) => TS0 + 160 * i),
    );
    assert.equal(sent.filter((s) => s.packet.marker).length, 1);
    assert.deepEqual(pacer.stats, { packetsSent: 10, lateTicks: 3, maxLatenessMs: 65, underruns: 0 });
    await play.done;
  });

  it('does not burst when the producer stalls and then floods', async () => {
    const scheduler = new FakeScheduler();
    const { pacer, sent } = setup(scheduler);
    const producer = producerOf(3, false);
    const play = outcome(pacer.play(producer));
    await advance(scheduler, 100);
    assert.deepEqual(
      sent.map((s) => s.atMs),
      [0, 20, 40],
    );
    producer.push(...frames(20, 3));
    producer.end();
    await flush();
    // One frame went out at once and two wait in the pacer; the rest of the flood stays in the
    // producer until the pacer asks for it.
    assert.equal(sent.length, 4);
    assert.equal(producer.waiting.length, 17);
    await advance(scheduler, 500);
    assert.equal(play.settled(), 'resolved');
    const times = sent.map((s) => s.atMs);
    assert.deepEqual(
      times.slice(3),
      [...Array(20).keys()].map((i) => 100 + 20 * i),
    );
    // A new talkspurt: marker set, timestamp advanced by the 60 ms that really passed since the
    // last packet's slot, sequence numbers continuous.
    const resumed = sent[3]!.packet;
    assert.equal(resumed.marker, true);
    assert.equal(resumed.timestamp, TS0 + 2 * 160 + 60 * 8);
    assert.equal(sent[4]!.packet.timestamp, resumed.timestamp + 160);
    assert.equal(sent.filter((s) => s.packet.marker).length, 2);
    assert.deepEqual(
      sent.map((s) => s.packet.sequenceNumber),
      sent.map((_, i) => (SEQ0 + i) & 0xffff),
    );
    assert.equal(pacer.stats.underruns, 1);
    assert.equal(pacer.stats.lateTicks, 0);
    await play.done;
  });

  it('starts a following play one ptime after the last packet, as a new talkspurt', async () => {
    const scheduler = new FakeScheduler();
    const { pacer, sent } = setup(scheduler);
    const first = outcome(pacer.play(producerOf(3)));
    await advance(scheduler, 40);
    assert.equal(first.settled(), 'resolved');
    const second = outcome(pacer.play(producerOf(2)));
    await advance(scheduler, 100);
    assert.equal(second.settled(), 'resolved');
    assert.deepEqual(
      sent.map((s) => s.atMs),
      [0, 20, 40, 60, 80],
    );
    assert.deepEqual(
      sent.map((s) => s.packet.marker),
      [true, false, false, true, false],
    );
    assert.deepEqual(
      sent.map((s) => s.packet.timestamp - TS0),
      [0, 160, 320, 480, 640],
    );
    await Promise.all([first.done, second.done]);
  });

  it('advances the timestamp by the idle time between plays', async () => {
    const scheduler = new FakeScheduler();
    const { pacer, sent } = setup(scheduler);
    const first = outcome(pacer.play(producerOf(1)));
    await advance(scheduler, 1000);
    const second = outcome(pacer.play(producerOf(1)));
    await advance(scheduler, 10);
    assert.deepEqual(
      sent.map((s) => [s.atMs, s.packet.timestamp - TS0, s.packet.marker]),
      [
        [0, 0, true],
        [1000, 8000, true],
      ],
    );
    await Promise.all([first.done, second.done]);
  });

  it('rejects a second play while one is running, and keeps the first going', async () => {
    const scheduler = new FakeScheduler();
    const { pacer, sent } = setup(scheduler);
    const first = outcome(pacer.play(producerOf(3)));
    await assert.rejects(pacer.play(producerOf(1)), (error: unknown) => {
      assert.ok(error instanceof RtpPacerBusyError);
      assert.equal(error.code, 'RTP_PACER_BUSY');
      return true;
    });
    await advance(scheduler, 60);
    assert.equal(first.settled(), 'resolved');
    assert.equal(sent.length, 3);
    await first.done;
  });

  it('stops on abort: rejects with the reason, sends nothing more, releases the producer', async () => {
    const scheduler = new FakeScheduler();
    const { pacer, sent } = setup(scheduler);
    const producer = producerOf(10);
    const controller = new AbortController();
    const play = outcome(pacer.play(producer, { signal: controller.signal }));
    await advance(scheduler, 45);
    controller.abort(new Error('caller hung up'));
    await flush();
    assert.equal(play.settled(), 'rejected: caller hung up');
    await advance(scheduler, 200);
    assert.equal(sent.length, 3);
    assert.equal(producer.returned, true);
    assert.equal(pacer.playing, false);
    assert.equal(scheduler.pending, 0);
    await play.done;
  });

  it('rejects at once when the signal is already aborted', async () => {
    const { pacer, sent } = setup();
    await assert.rejects(pacer.play(producerOf(1), { signal: AbortSignal.abort(new Error('gone')) }), /gone/);
    assert.equal(sent.length, 0);
  });

  it('stop() resolves the play (barge-in) and the next play starts no sooner than one ptime later', async () => {
    const scheduler = new FakeScheduler();
    const { pacer, sent } = setup(scheduler);
    const producer = producerOf(10);
    const play = outcome(pacer.play(producer));
    await advance(scheduler, 25);
    pacer.stop();
    await flush();
    assert.equal(play.settled(), 'resolved');
    assert.equal(producer.returned, true);
    const next = outcome(pacer.play(producerOf(1)));
    await advance(scheduler, 30);
    assert.deepEqual(
      sent.map((s) => s.atMs),
      [0, 20, 40],
    );
    assert.equal(sent[2]!.packet.marker, true);
    await Promise.all([play.done, next.done]);
  });

  it('rejects with the producer error', async () => {
    const scheduler = new FakeScheduler();
    const { pacer, sent } = setup(scheduler);
    const producer = producerOf(2, false);
    const play = outcome(pacer.play(producer));
    await advance(scheduler, 30);
    producer.fail(new Error('synthesizer died'));
    await advance(scheduler, 30);
    assert.equal(play.settled(), 'rejected: synthesizer died');
    assert.equal(sent.length, 2);
    assert.equal(scheduler.pending, 0);
    await play.done;
  });

  it('resolves an empty play without sending', async () => {
    const { pacer, sent } = setup();
    await pacer.play(producerOf(0));
    assert.equal(sent.length, 0);
    assert.equal(pacer.playing, false);
  });
});
