import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RtpPacket } from '../../../../src/media/rtp/index.js';
import { RtpStreamStats } from '../../../../src/media/rtp/index.js';

function packet(seq: number, timestamp: number, ssrc = 0x1234): RtpPacket {
  return {
    marker: false,
    payloadType: 0,
    sequenceNumber: seq,
    timestamp: timestamp >>> 0,
    ssrc,
    csrcs: [],
    extension: null,
    payload: new Uint8Array(160),
    padding: null,
  };
}

describe('RtpStreamStats', () => {
  it('computes interarrival jitter exactly as RFC 3550 A.8 does by hand', () => {
    const stats = new RtpStreamStats();
    // 20 ms frames (160 units at 8 kHz) arriving at 0, 20, 45 and 60 ms, near a timestamp wrap.
    const base = 0xffffff00;
    const arrivalsMs = [0, 20, 45, 60];
    arrivalsMs.forEach((ms, i) => stats.record(packet(i, base + i * 160), ms));
    // D(1,2) = (200 - 160) = 40 units -> J = 40/16 = 2.5; D(2,3) = |120 - 160| = 40 -> J = 2.5 + 37.5/16.
    assert.equal(stats.jitter, 2.5 + 37.5 / 16);
    assert.equal(stats.jitterMs, (2.5 + 37.5 / 16) / 8);
  });

  it('converges to the known jitter of a synthetic alternating stream', () => {
    const stats = new RtpStreamStats();
    // Every other packet is 5 ms late, so each transit difference is 40 units.
    for (let i = 0; i < 200; i++) stats.record(packet(i, i * 160), i * 20 + (i % 2) * 5);
    const expected = 40 * (1 - (15 / 16) ** 199);
    assert.ok(Math.abs(stats.jitter - expected) < 1e-9);
    assert.ok(Math.abs(stats.jitterMs - 5) < 1e-3);
  });

  it('counts loss (A.3), duplicates, reordering and cycles across the sequence wrap', () => {
    const stats = new RtpStreamStats();
    const arrivals = [65530, 65531, 65532, 65534, 65535, 0, 3, 1, 4, 4, 5];
    arrivals.forEach((seq, i) => stats.record(packet(seq, seq * 160), i * 20));
    assert.equal(stats.packets, 11);
    assert.equal(stats.bytes, 11 * 160);
    assert.equal(stats.cycleCount, 1);
    assert.equal(stats.extendedHighestSeq, 0x10005);
    assert.equal(stats.expected, 12);
    // A.3 counts the duplicate as received, so two missing packets show as one lost.
    assert.equal(stats.lost, 1);
    assert.equal(stats.duplicates, 1);
    assert.equal(stats.outOfOrder, 1);
    const block = stats.reportBlock(1000);
    assert.deepEqual(block, {
      ssrc: 0x1234,
      fractionLost: Math.floor(256 / 12),
      cumulativeLost: 1,
      extendedHighestSeq: 0x10005,
      jitter: Math.floor(stats.jitter),
      lastSr: 0,
      delaySinceLastSr: 0,
    });
    // A new interval with nothing new reports no fraction lost.
    assert.equal(stats.reportBlock(2000).fractionLost, 0);
  });

  it('fills LSR and DLSR from the last sender report', () => {
    const stats = new RtpStreamStats();
    stats.record(packet(1, 160), 0);
    stats.recordSenderReport(
      {
        type: 'sr',
        ssrc: 0x1234,
        ntpSeconds: 0xe8f2a1b0,
        ntpFraction: 0x80000000,
        rtpTimestamp: 0,
        packetCount: 0,
        octetCount: 0,
        reports: [],
        extension: new Uint8Array(0),
      },
      1000,
    );
    const block = stats.reportBlock(2500);
    assert.equal(block.lastSr, 0xa1b08000);
    assert.equal(block.delaySinceLastSr, 98304);
  });

  it('follows A.1 probation when asked, and restarts on a new SSRC', () => {
    const stats = new RtpStreamStats({ minSequential: 2 });
    stats.record(packet(10, 0), 0);
    assert.equal(stats.expected, 0);
    stats.record(packet(11, 160), 20);
    assert.equal(stats.expected, 1);
    assert.equal(stats.lost, 0);
    stats.record(packet(500, 0, 0x9999), 40);
    assert.equal(stats.ssrcChanges, 1);
    assert.equal(stats.ssrc, 0x9999);
    assert.equal(stats.packets, 1);
  });

  it('believes a large sequence jump only when the next packet follows it (A.1)', () => {
    const stats = new RtpStreamStats();
    stats.record(packet(100, 0), 0);
    stats.record(packet(101, 160), 20);
    stats.record(packet(20000, 320), 40);
    assert.equal(stats.extendedHighestSeq, 101);
    stats.record(packet(20001, 480), 60);
    assert.equal(stats.extendedHighestSeq, 20001);
    assert.equal(stats.lost, 0);
    stats.recordLate();
    assert.equal(stats.late, 1);
  });
});
