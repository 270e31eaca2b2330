import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { JitterBufferOutput, RtpPacket } from '../../../../src/media/rtp/index.js';
import { JitterBuffer, seqAdd, seqDelta } from '../../../../src/media/rtp/index.js';

const FRAME = new Uint8Array(160);

function packet(seq: number, ssrc = 1, timestamp = seq * 160): RtpPacket {
  return {
    marker: false,
    payloadType: 0,
    sequenceNumber: seq & 0xffff,
    timestamp: timestamp >>> 0,
    ssrc,
    csrcs: [],
    extension: null,
    payload: FRAME,
    padding: null,
  };
}

/** Short text per output, so expectations read like a playout log. */
function show(o: JitterBufferOutput): string {
  if (o.kind === 'packet') return `p${o.packet.sequenceNumber}`;
  if (o.kind === 'lost') return `l${o.seq}${o.count > 1 ? `x${o.count}` : ''}${o.conceal ? 'c' : ''}`;
  return '-';
}

function popMany(jb: JitterBuffer, fromMs: number, ticks: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < ticks; i++) out.push(show(jb.pop(fromMs + i * 20)));
  return out;
}

describe('JitterBuffer', () => {
  it('waits for the configured depth, then plays in order', () => {
    const jb = new JitterBuffer({ depthMs: 40 });
    jb.push(packet(10), 0);
    assert.equal(show(jb.pop(0)), '-');
    jb.push(packet(11), 20);
    assert.equal(show(jb.pop(20)), '-');
    jb.push(packet(12), 40);
    assert.deepEqual(popMany(jb, 40, 4), ['p10', 'p11', 'p12', '-']);
    assert.equal(jb.stats.underruns, 1);
  });

  it('reorders, drops duplicates and late packets, and counts them', () => {
    const jb = new JitterBuffer({ depthMs: 40 });
    assert.equal(jb.push(packet(2), 0), 'accepted');
    // An earlier packet during the first fill moves the playout start back.
    assert.equal(jb.push(packet(1), 5), 'accepted');
    assert.equal(jb.push(packet(4), 10), 'accepted');
    assert.equal(jb.push(packet(4), 11), 'duplicate');
    assert.equal(jb.push(packet(3), 12), 'accepted');
    assert.deepEqual(popMany(jb, 40, 2), ['p1', 'p2']);
    assert.equal(jb.push(packet(2), 80), 'duplicate');
    assert.equal(jb.push(packet(0), 80), 'late');
    assert.deepEqual(popMany(jb, 80, 3), ['p3', 'p4', '-']);
    const s = jb.stats;
    assert.deepEqual([s.accepted, s.played, s.duplicates, s.late], [4, 4, 2, 1]);
  });

  it('conceals up to maxConcealFrames lost frames, then reports silence, each seq once', () => {
    const jb = new JitterBuffer({ depthMs: 20, maxConcealFrames: 2 });
    jb.push(packet(100), 0);
    jb.push(packet(105), 1);
    assert.deepEqual(popMany(jb, 20, 7), ['p100', 'l101c', 'l102c', 'l103', 'l104', 'p105', '-']);
    // The lost packet arriving afterwards is late, not played.
    assert.equal(jb.push(packet(103), 200), 'late');
    assert.deepEqual([jb.stats.lost, jb.stats.concealed], [4, 2]);
  });

  it('handles sequence and timestamp wrap-around', () => {
    const jb = new JitterBuffer({ depthMs: 20 });
    const seqs = [65533, 65534, 65535, 0, 1];
    seqs.forEach((s, i) => jb.push(packet(s, 1, 0xffffff00 + i * 160), i));
    jb.push(packet(3, 1, (0xffffff00 + 6 * 160) >>> 0), 6);
    assert.deepEqual(popMany(jb, 20, 8), ['p65533', 'p65534', 'p65535', 'p0', 'p1', 'l2c', 'p3', '-']);
  });

  it('treats an SSRC change as a new stream and ignores stragglers of the old one', () => {
    const jb = new JitterBuffer({ depthMs: 20 });
    jb.push(packet(10, 1), 0);
    assert.deepEqual(popMany(jb, 20, 1), ['p10']);
    jb.push(packet(5000, 2), 40);
    assert.equal(jb.push(packet(11, 1), 41), 'late');
    jb.push(packet(5001, 2), 45);
    assert.deepEqual(popMany(jb, 60, 3), ['p5000', 'p5001', '-']);
    assert.equal(jb.stats.ssrcChanges, 1);
    assert.equal(jb.stats.lost, 0);
  });

  it('after an underrun, reports the gap once as a range and re-buffers', () => {
    const jb = new JitterBuffer({ depthMs: 40 });
    jb.push(packet(1), 0);
    assert.deepEqual(popMany(jb, 40, 2), ['p1', '-']);
    jb.push(packet(9), 200);
    assert.deepEqual(popMany(jb, 200, 2), ['-', '-']);
    assert.deepEqual(popMany(jb, 240, 3), ['l2x7', 'p9', '-']);
    assert.equal(jb.stats.lost, 7);
  });

  it('bounds memory: packets far ahead are dropped, and a confirmed jump resyncs', () => {
    const jb = new JitterBuffer({ depthMs: 20, maxPackets: 16 });
    jb.push(packet(0), 0);
    jb.push(packet(1), 0);
    assert.equal(jb.push(packet(1000), 1), 'dropped');
    assert.equal(jb.push(packet(1001), 2), 'accepted');
    assert.equal(jb.stats.resyncs, 1);
    assert.deepEqual(popMany(jb, 40, 2), ['p1001', '-']);
    // Far ahead with nothing held is a plain jump, reported as one lost range.
    assert.equal(jb.push(packet(3000), 100), 'accepted');
    assert.deepEqual(popMany(jb, 120, 2), ['l1002x1998', 'p3000']);
  });

  it('adaptive mode grows its depth under jitter and shrinks it when the network calms', () => {
    const jb = new JitterBuffer({ depthMs: 20, adaptive: { minDepthMs: 20, maxDepthMs: 200 } });
    /** Sends `count` packets from `firstSeq` at 20 ms, delayed by `delayMs(seq)`, while popping. */
    const simulate = (
      firstSeq: number,
      count: number,
      startMs: number,
      delayMs: (seq: number) => number,
      silenceSamples = 0,
    ): number => {
      const arrivals = Array.from({ length: count }, (_, i) => ({
        seq: firstSeq + i,
        atMs: startMs + i * 20 + delayMs(firstSeq + i),
      })).sort((a, b) => a.atMs - b.atMs);
      let next = 0;
      let now = startMs;
      for (; next < arrivals.length; now += 20) {
        while (next < arrivals.length && arrivals[next]!.atMs <= now) {
          const a = arrivals[next++]!;
          jb.push(packet(a.seq, 1, a.seq * 160 + silenceSamples), a.atMs);
        }
        jb.pop(now);
      }
      return now;
    };
    const jittery = (s: number): number => (s % 4 === 0 ? 60 : 0);
    let now = simulate(0, 100, 0, jittery);
    const grown = jb.depthMs;
    assert.ok(grown >= 60, `depth ${grown} should have grown`);
    // Once grown, the same jitter no longer costs packets.
    const lostAfterGrowth = jb.stats.lost;
    now = simulate(100, 100, now, jittery);
    assert.equal(jb.stats.lost, lostAfterGrowth);
    now = simulate(200, 400, now, () => 0);
    // The shrink happens when playout restarts after a pause in sending (silence suppression:
    // the timestamp moves on by the 600 ms not sent, the sequence number does not).
    for (let i = 0; i < 30; i++, now += 20) jb.pop(now);
    simulate(600, 10, now, () => 0, 30 * 160);
    assert.ok(jb.depthMs < grown, `depth ${jb.depthMs} should be below ${grown}`);
    assert.ok(jb.depthMs >= 20 && jb.depthMs <= 200);
  });

  it('keeps order, never repeats, and reports each lost seq exactly once under random network damage', () => {
    const scenario = fc.record({
      startSeq: fc.oneof(fc.integer({ min: 65400, max: 65535 }), fc.integer({ min: 0, max: 65535 })),
      count: fc.integer({ min: 1, max: 150 }),
      damage: fc.array(
        fc.record({
          drop: fc.boolean(),
          copies: fc.integer({ min: 1, max: 3 }),
          delayMs: fc.integer({ min: 0, max: 120 }),
        }),
        { minLength: 150, maxLength: 150 },
      ),
      depthMs: fc.constantFrom(20, 40, 60, 100),
      adaptive: fc.boolean(),
      maxConcealFrames: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(
      fc.property(scenario, (sc) => {
        const arrivals: { seq: number; atMs: number }[] = [];
        for (let i = 0; i < sc.count; i++) {
          const d = sc.damage[i]!;
          if (d.drop && i % 3 !== 0) continue;
          for (let c = 0; c < d.copies; c++)
            arrivals.push({ seq: seqAdd(sc.startSeq, i), atMs: i * 20 + d.delayMs + c });
        }
        arrivals.sort((a, b) => a.atMs - b.atMs);
        const jb = new JitterBuffer({
          depthMs: sc.depthMs,
          maxConcealFrames: sc.maxConcealFrames,
          ...(sc.adaptive ? { adaptive: { minDepthMs: 20, maxDepthMs: 300 } } : {}),
        });
        const accepted = new Set<number>();
        const late = new Set<number>();
        const reported: number[] = [];
        const played: number[] = [];
        const lost = new Set<number>();
        let next = 0;
        for (let now = 0; now < sc.count * 20 + 2000; now += 20) {
          while (next < arrivals.length && arrivals[next]!.atMs <= now) {
            const a = arrivals[next++]!;
            const r = jb.push(packet(a.seq, 7, seqAdd(a.seq, -sc.startSeq) * 160), a.atMs);
            if (r === 'accepted') accepted.add(a.seq);
            if (r === 'late') late.add(a.seq);
            assert.notEqual(r, 'dropped');
          }
          const o = jb.pop(now);
          if (o.kind === 'packet') {
            reported.push(o.packet.sequenceNumber);
            played.push(o.packet.sequenceNumber);
          } else if (o.kind === 'lost') {
            for (let k = 0; k < o.count; k++) {
              const s = seqAdd(o.seq, k);
              reported.push(s);
              lost.add(s);
            }
          }
        }
        // In order with nothing skipped or repeated: every number appears once, consecutively.
        for (let i = 1; i < reported.length; i++) assert.equal(reported[i], seqAdd(reported[i - 1]!, 1));
        // Everything accepted was played, and played at most once.
        assert.equal(played.length, accepted.size);
        assert.deepEqual(new Set(played), accepted);
        // A number reported lost was either never delivered or arrived too late.
        for (const s of lost) assert.ok(!accepted.has(s));
        // A late number was reported, or came from before the first number played.
        for (const s of late) assert.ok(lost.has(s) || played.includes(s) || seqDelta(s, reported[0]!) < 0);
        assert.equal(jb.size, 0);
      }),
      { numRuns: 300 },
    );
  });
});
