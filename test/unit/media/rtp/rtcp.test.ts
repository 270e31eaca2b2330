import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InvalidArgumentError, ParseError } from '../../../../src/core/index.js';
import type { RtcpPacket, RtcpReportBlock } from '../../../../src/media/rtp/index.js';
import {
  ntpMiddle32,
  ntpTimestamp,
  parseRtcp,
  rtcpCname,
  serializeRtcp,
} from '../../../../src/media/rtp/index.js';
import { hexBytes, readHexFixture } from './hex-fixture.js';

describe('parseRtcp', () => {
  it('reads an SR with one report block and an SDES CNAME, field by field', () => {
    const packets = parseRtcp(readHexFixture('rtcp-sr-sdes.hex'));
    assert.equal(packets.length, 2);
    const sr = packets[0];
    assert.ok(sr?.type === 'sr');
    assert.equal(sr.ssrc, 0x11223344);
    assert.equal(sr.ntpSeconds, 0xe8f2a1b0);
    assert.equal(sr.ntpFraction, 0x80000000);
    assert.equal(sr.rtpTimestamp, 123456);
    assert.equal(sr.packetCount, 100);
    assert.equal(sr.octetCount, 16000);
    assert.equal(sr.extension.length, 0);
    assert.deepEqual(sr.reports, [
      {
        ssrc: 0x55667788,
        fractionLost: 25,
        cumulativeLost: -2,
        extendedHighestSeq: 0x00011234,
        jitter: 32,
        lastSr: 0xa1b08000,
        delaySinceLastSr: 65536,
      },
    ]);
    const sdes = packets[1];
    assert.ok(sdes?.type === 'sdes');
    assert.deepEqual(sdes.chunks, [{ ssrc: 0x11223344, items: [{ type: 1, text: 'user@example.com' }] }]);
    assert.equal(rtcpCname(packets, 0x11223344), 'user@example.com');
    assert.equal(rtcpCname(packets, 1), null);
  });

  it('reads an RR without blocks and a BYE with a reason', () => {
    const packets = parseRtcp(readHexFixture('rtcp-rr-bye.hex'));
    assert.deepEqual(packets[0], { type: 'rr', ssrc: 0x11223344, reports: [], extension: new Uint8Array(0) });
    assert.deepEqual(packets[1], { type: 'bye', ssrcs: [0x11223344], reason: 'goodbye' });
  });

  it('keeps unknown packet types raw and strips padding', () => {
    // APP (204) with subtype 1, then a padded RR whose last octet counts 4 padding octets.
    const bytes = hexBytes('81 cc 00 02 11 22 33 44 6e 61 6d 65  a0 c9 00 02 11 22 33 44 00 00 00 04');
    const packets = parseRtcp(bytes);
    assert.deepEqual(packets[0], {
      type: 'unknown',
      packetType: 204,
      count: 1,
      body: hexBytes('11223344 6e616d65'),
    });
    assert.deepEqual(packets[1], { type: 'rr', ssrc: 0x11223344, reports: [], extension: new Uint8Array(0) });
  });

  it('rejects malformed datagrams with ParseError', () => {
    const cases: [string, number][] = [
      ['', 0],
      ['80 c9 00', 0],
      ['40 c9 00 01 11 22 33 44', 0],
      ['80 c9 00 05 11 22 33 44', 2],
      // RR claiming one report block in a one-word body.
      ['81 c9 00 01 11 22 33 44', 4],
      // SDES chunk without its null terminator.
      ['81 ca 00 02 11 22 33 44 01 02 61 62', 12],
      // BYE reason length past the packet.
      ['81 cb 00 02 11 22 33 44 09 61 62 63', 8],
    ];
    for (const [hex, offset] of cases) {
      assert.throws(
        () => parseRtcp(hexBytes(hex)),
        (e: unknown) => e instanceof ParseError && e.offset === offset,
        hex,
      );
    }
  });

  it('only ever throws ParseError, with an offset inside the input, for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (raw) => {
        const buf = Uint8Array.from(raw);
        if (buf.length > 0) buf[0] = (buf[0]! & 0x3f) | 0x80;
        if (buf.length > 3) buf[2] = 0;
        try {
          parseRtcp(buf);
        } catch (e) {
          assert.ok(e instanceof ParseError, String(e));
          assert.ok(e.offset >= 0 && e.offset <= buf.length);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('serializeRtcp', () => {
  it('reproduces both compound fixtures byte for byte', () => {
    for (const name of ['rtcp-sr-sdes.hex', 'rtcp-rr-bye.hex']) {
      const bytes = readHexFixture(name);
      assert.deepEqual(serializeRtcp(parseRtcp(bytes)), bytes, name);
    }
  });

  it('round-trips generated SR, RR, SDES, BYE and unknown packets', () => {
    const u32 = fc.nat({ max: 0xffffffff });
    const block: fc.Arbitrary<RtcpReportBlock> = fc.record({
      ssrc: u32,
      fractionLost: fc.integer({ min: 0, max: 255 }),
      cumulativeLost: fc.integer({ min: -0x800000, max: 0x7fffff }),
      extendedHighestSeq: u32,
      jitter: u32,
      lastSr: u32,
      delaySinceLastSr: u32,
    });
    const words = fc
      .integer({ min: 0, max: 3 })
      .chain((n) => fc.uint8Array({ minLength: n * 4, maxLength: n * 4 }));
    const text = fc.string({ maxLength: 40 });
    const packet: fc.Arbitrary<RtcpPacket> = fc.oneof(
      fc.record({
        type: fc.constant('sr' as const),
        ssrc: u32,
        ntpSeconds: u32,
        ntpFraction: u32,
        rtpTimestamp: u32,
        packetCount: u32,
        octetCount: u32,
        reports: fc.array(block, { maxLength: 31 }),
        extension: words,
      }),
      fc.record({
        type: fc.constant('rr' as const),
        ssrc: u32,
        reports: fc.array(block, { maxLength: 5 }),
        extension: words,
      }),
      fc.record({
        type: fc.constant('sdes' as const),
        chunks: fc.array(
          fc.record({
            ssrc: u32,
            items: fc.array(fc.record({ type: fc.integer({ min: 1, max: 8 }), text }), { maxLength: 3 }),
          }),
          { maxLength: 3 },
        ),
      }),
      fc.record({
        type: fc.constant('bye' as const),
        ssrcs: fc.array(u32, { maxLength: 4 }),
        reason: fc.option(text),
      }),
      fc.record({
        type: fc.constant('unknown' as const),
        packetType: fc.integer({ min: 204, max: 210 }),
        count: fc.integer({ min: 0, max: 31 }),
        body: words,
      }),
    );
    fc.assert(
      fc.property(fc.array(packet, { minLength: 1, maxLength: 4 }), (packets) => {
        const bytes = serializeRtcp(packets);
        assert.equal(bytes.length % 4, 0);
        // fast-check builds null-prototype records; structuredClone gives them plain prototypes.
        assert.deepEqual(parseRtcp(bytes), structuredClone(packets));
        assert.deepEqual(serializeRtcp(parseRtcp(bytes)), bytes);
      }),
    );
  });

  it('rejects values that do not fit their fields', () => {
    const block: RtcpReportBlock = {
      ssrc: 1,
      fractionLost: 0,
      cumulativeLost: 0x800000,
      extendedHighestSeq: 0,
      jitter: 0,
      lastSr: 0,
      delaySinceLastSr: 0,
    };
    assert.throws(
      () => serializeRtcp([{ type: 'rr', ssrc: 1, reports: [block], extension: new Uint8Array(0) }]),
      InvalidArgumentError,
    );
    assert.throws(
      () => serializeRtcp([{ type: 'bye', ssrcs: [], reason: 'x'.repeat(256) }]),
      InvalidArgumentError,
    );
  });
});

describe('NTP time', () => {
  it('converts Unix milliseconds and takes the middle 32 bits for LSR', () => {
    const ntp = ntpTimestamp(1_700_000_000_500);
    assert.equal(ntp.seconds, 1_700_000_000 + 2208988800);
    assert.equal(ntp.fraction, 0x80000000);
    assert.equal(ntpMiddle32({ seconds: 0xe8f2a1b0, fraction: 0x80000000 }), 0xa1b08000);
  });
});
