import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { serializeRtcp } from '../../../src/media/rtp/index.js';
import { rtcpIntervalMs } from '../../../src/net/rtp/rtcp-reporter.js';
import type { RtpLatching } from '../../../src/net/rtp/rtp-receiver.js';
import { RtpReceiver } from '../../../src/net/rtp/rtp-receiver.js';
import { rtp } from './net-sockets.js';

// Addresses here are only strings: no socket is involved, nothing is sent anywhere.
const A = '192.0.2.10';
const B = '198.51.100.7';

function receiver(latching: RtpLatching = 'any'): { r: RtpReceiver; seqs: number[] } {
  const r = new RtpReceiver({ clockRateHz: 8000, relatchAfterMs: 2000, latching });
  const seqs: number[] = [];
  r.onPacket = (p) => seqs.push(p.sequenceNumber);
  return { r, seqs };
}

/** An RFC 4733 telephone-event packet (payload type 101) for digit 1, end bit set. */
function dtmf(seq: number): Uint8Array {
  const bytes = rtp(seq).slice(0, 16);
  bytes[1] = 101;
  // RFC 4733 §2.3: event 1, end bit and volume 10, duration 160.
  bytes.set([1, 0x8a, 0, 160], 12);
  return bytes;
}

describe('RtpReceiver with latching "address" (the default)', () => {
  it('is the default, and takes nothing before an SDP address is known', () => {
    const r = new RtpReceiver({ clockRateHz: 8000, relatchAfterMs: 2000 });
    const seqs: number[] = [];
    r.onPacket = (p) => seqs.push(p.sequenceNumber);
    r.onRtpDatagram(rtp(1), A, 4000, 0);
    assert.deepEqual(seqs, []);
    assert.deepEqual([r.stats.rejected, r.stats.parseErrors, r.stats.latched], [1, 0, false]);
  });

  it('latches only from the SDP address, on any port (symmetric RTP), and counts the rest', () => {
    const { r, seqs } = receiver('address');
    r.expect(A, 4000);
    r.onRtpDatagram(rtp(1), B, 4000, 0); // right port, wrong address: never latches
    r.onRtpDatagram(rtp(2), A, 61234, 10); // the SDP address behind a port-translating NAT
    r.onRtpDatagram(rtp(3), B, 4000, 20);
    r.onRtpDatagram(rtp(4), A, 61234, 30);
    assert.deepEqual(seqs, [2, 4]);
    assert.deepEqual([r.latchedAddress, r.latchedPort], [A, 61234]);
    assert.equal(r.stats.rejected, 2);
    assert.equal(r.stats.foreignDropped, 0);
  });

  it('never lets another address take over, however long the silence; relatches on the SDP address', () => {
    const { r, seqs } = receiver('address');
    r.expect(A, 4000);
    r.onRtpDatagram(rtp(1), A, 4000, 0);
    r.onRtpDatagram(rtp(900), B, 5000, 60_000);
    r.onRtpDatagram(rtp(901), B, 5000, 60_020);
    assert.deepEqual([r.latchedAddress, r.latchedPort, r.stats.rejected], [A, 4000, 2]);
    r.onRtpDatagram(rtp(2), A, 4002, 60_040); // the peer's own new port after silence
    assert.deepEqual(seqs, [1, 2]);
    assert.deepEqual([r.latchedAddress, r.latchedPort, r.stats.relatches], [A, 4002, 1]);
  });

  it('drops telephone-events from an address no SDP named before they are parsed', () => {
    const { r, seqs } = receiver('address');
    r.expect(A, 4000);
    r.onRtpDatagram(dtmf(7), B, 4000, 0);
    r.onRtpDatagram(dtmf(8), '127.0.0.2', 4000, 0);
    assert.deepEqual(seqs, []);
    assert.equal(r.stats.rejected, 2);
    r.onRtpDatagram(dtmf(9), A, 4000, 0);
    assert.deepEqual(seqs, [9]);
  });

  it('takes RTCP only from the SDP address', () => {
    const { r } = receiver('address');
    r.expect(A, 4000);
    const rr = serializeRtcp([{ type: 'rr', ssrc: 1, reports: [], extension: new Uint8Array(0) }]);
    r.onRtcpDatagram(rr, B, 4001, 0);
    assert.deepEqual([r.stats.rtcpReceived, r.stats.rejected, r.rtcpAddress], [0, 1, undefined]);
    r.onRtcpDatagram(rr, A, 4001, 10);
    assert.deepEqual([r.stats.rtcpReceived, r.rtcpAddress], [1, A]);
  });

  it('compares an IPv4-mapped IPv6 source as the IPv4 address', () => {
    const { r, seqs } = receiver('address');
    r.expect(A, 4000);
    r.onRtpDatagram(rtp(1), `::ffff:${A}`, 4000, 0);
    r.onRtpDatagram(rtp(2), `::ffff:${B}`, 4000, 10);
    assert.deepEqual(seqs, [1]);
  });

  it('refuses everything while the SDP names a hostname (no DNS on the media path)', () => {
    const { r, seqs } = receiver('address');
    r.expect('media.example.com', 4000);
    r.onRtpDatagram(rtp(1), A, 4000, 0);
    assert.deepEqual([seqs.length, r.stats.rejected], [0, 1]);
    r.expect(A, 4000);
    r.onRtpDatagram(rtp(2), A, 4000, 10);
    assert.deepEqual(seqs, [2]);
  });
});

describe('RtpReceiver with latching "strict"', () => {
  it('takes only the exact SDP address and port, and RTCP from that address', () => {
    const { r, seqs } = receiver('strict');
    r.expect(A, 4000);
    r.onRtpDatagram(rtp(1), A, 4002, 0);
    r.onRtpDatagram(rtp(2), B, 4000, 10);
    r.onRtpDatagram(rtp(3), A, 4000, 20);
    r.onRtpDatagram(rtp(4), A, 4002, 60_000); // silence does not open another port either
    assert.deepEqual(seqs, [3]);
    assert.equal(r.stats.rejected, 3);
    const rr = serializeRtcp([{ type: 'rr', ssrc: 1, reports: [], extension: new Uint8Array(0) }]);
    r.onRtcpDatagram(rr, A, 4001, 60_010);
    assert.equal(r.stats.rtcpReceived, 1);
  });
});

describe('RtpReceiver with latching "any"', () => {
  it('tells streams apart by address and port, not SSRC', () => {
    const { r, seqs } = receiver();
    r.onRtpDatagram(rtp(1), A, 4000, 0);
    r.onRtpDatagram(rtp(2), A, 4002, 10); // same address and SSRC, other port
    r.onRtpDatagram(rtp(3), B, 4000, 20); // same port and SSRC, other address
    r.onRtpDatagram(rtp(4), A, 4000, 30);
    assert.deepEqual(seqs, [1, 4]);
    assert.equal(r.stats.foreignDropped, 2);
    assert.deepEqual([r.latchedAddress, r.latchedPort], [A, 4000]);
  });

  it('re-latches only after the latched source was silent for 2 s, from the last packet', () => {
    const { r, seqs } = receiver();
    r.onRtpDatagram(rtp(1), A, 4000, 0);
    r.onRtpDatagram(rtp(2), A, 4000, 1500);
    r.onRtpDatagram(rtp(900), B, 5000, 3499); // 1999 ms after A's last packet
    r.onRtpDatagram(rtp(901), B, 5000, 3500);
    assert.deepEqual(seqs, [1, 2, 901]);
    assert.deepEqual([r.latchedAddress, r.latchedPort, r.stats.relatches], [B, 5000, 1]);
  });

  it('does not let garbage from a new source steal the latch', () => {
    const { r, seqs } = receiver();
    r.onRtpDatagram(rtp(1), A, 4000, 0);
    r.onRtpDatagram(new Uint8Array([0x80, 0, 0, 0]), B, 5000, 5000);
    assert.deepEqual([r.latchedAddress, r.stats.parseErrors, r.stats.relatches], [A, 1, 0]);
    r.onRtpDatagram(rtp(2), A, 4000, 5001);
    assert.deepEqual(seqs, [1, 2]);
  });

  it('takes RTCP only from the latched address, on any port', () => {
    const { r } = receiver();
    r.onRtpDatagram(rtp(1), A, 4000, 0);
    const rr = serializeRtcp([{ type: 'rr', ssrc: 1, reports: [], extension: new Uint8Array(0) }]);
    r.onRtcpDatagram(rr, B, 4001, 10);
    assert.deepEqual([r.stats.rtcpReceived, r.stats.foreignDropped, r.rtcpAddress], [0, 1, undefined]);
    r.onRtcpDatagram(rr, A, 61000, 20);
    assert.deepEqual([r.stats.rtcpReceived, r.rtcpAddress, r.rtcpPort], [1, A, 61000]);
  });
});

function pick<T>(items: readonly T[], n: number): T {
  return items[n % items.length]!;
}

describe('RtpReceiver on arbitrary input', () => {
  it('never throws, and accounts for every datagram exactly once', () => {
    const datagram = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      // Mostly-valid RTP and RTCP with random tails, which reach deeper branches than noise.
      fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 40 })).map(([seq, tail]) => {
        const bytes = rtp(seq);
        bytes.set(tail.subarray(0, bytes.length));
        return bytes;
      }),
      fc.uint8Array({ minLength: 4, maxLength: 80 }).map((b) => {
        b[0] = 0x80 | (b[0]! & 0x3f);
        b[1] = 200 + (b[1]! % 4);
        return b;
      }),
    );
    const arrival = fc.record({
      bytes: datagram,
      fromA: fc.boolean(),
      rtcpPort: fc.boolean(),
      stepMs: fc.integer({ min: 0, max: 3000 }),
    });
    fc.assert(
      fc.property(fc.array(arrival, { maxLength: 60 }), (arrivals) => {
        const { r } = receiver(pick(['any', 'address', 'strict'] as const, arrivals.length));
        r.expect(A, 4000);
        let nowMs = 0;
        for (const a of arrivals) {
          nowMs += a.stepMs;
          const address = a.fromA ? A : B;
          if (a.rtcpPort) r.onRtcpDatagram(a.bytes, address, 4001, nowMs);
          else r.onRtpDatagram(a.bytes, address, 4000, nowMs);
        }
        const s = r.stats;
        assert.equal(
          s.received + s.parseErrors + s.foreignDropped + s.rejected + s.rtcpReceived,
          arrivals.length,
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('rtcpIntervalMs', () => {
  it('randomises over [0.5, 1.5] of the interval, halved for the first report (RFC 3550 §6.2)', () => {
    assert.equal(
      rtcpIntervalMs(5000, () => 0, false),
      2500,
    );
    assert.equal(
      rtcpIntervalMs(5000, () => 0.5, false),
      5000,
    );
    assert.equal(
      rtcpIntervalMs(5000, () => 0.75, false),
      6250,
    );
    assert.equal(
      rtcpIntervalMs(5000, () => 0, true),
      1250,
    );
    assert.equal(
      rtcpIntervalMs(5000, () => 0.75, true),
      3125,
    );
  });
});
