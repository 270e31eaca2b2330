import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InvalidArgumentError, ParseError } from '../../../../src/core/index.js';
import type { RtpPacket } from '../../../../src/media/rtp/index.js';
import { isRtcp, parseRtp, serializeRtp, serializeRtpInto } from '../../../../src/media/rtp/index.js';
import { hexBytes, readHexFixture } from './hex-fixture.js';

function expectParseError(buf: Uint8Array, offset: number): void {
  assert.throws(
    () => parseRtp(buf),
    (e: unknown) => e instanceof ParseError && e.offset === offset,
  );
}

describe('parseRtp', () => {
  it('reads every field of a packet with CSRCs, an extension and padding', () => {
    const bytes = readHexFixture('rtp-csrc-extension-padding.hex');
    const p = parseRtp(bytes);
    assert.equal(p.marker, true);
    assert.equal(p.payloadType, 0);
    assert.equal(p.sequenceNumber, 0x1234);
    assert.equal(p.timestamp, 0xdeadbeef);
    assert.equal(p.ssrc, 0x11223344);
    assert.deepEqual(p.csrcs, [0xaabbccdd, 0x01020304]);
    assert.equal(p.extension?.profile, 0xbede);
    assert.deepEqual([...(p.extension?.data ?? [])], [0x10, 0x7f, 0, 0]);
    assert.deepEqual([...p.payload], [0xff, 0xfe, 0xfd, 0xfc]);
    assert.deepEqual([...(p.padding ?? [])], [0, 0, 0, 4]);
  });

  it('returns the payload as a view into the input, not a copy', () => {
    const bytes = readHexFixture('rtp-csrc-extension-padding.hex');
    const p = parseRtp(bytes);
    assert.equal(p.payload.buffer, bytes.buffer);
    assert.equal(p.payload.byteOffset, 28);
  });

  it('reads a minimal PCMA packet with an empty CSRC list and no extension', () => {
    const p = parseRtp(hexBytes('80 08 ff ff 00 00 00 a0 00 00 00 01 d5 d5'));
    assert.equal(p.payloadType, 8);
    assert.equal(p.marker, false);
    assert.equal(p.sequenceNumber, 65535);
    assert.equal(p.timestamp, 160);
    assert.deepEqual(p.csrcs, []);
    assert.equal(p.extension, null);
    assert.equal(p.padding, null);
    assert.equal(p.payload.length, 2);
  });

  it('rejects malformed packets with ParseError at the offending byte', () => {
    expectParseError(hexBytes('80 00 00 01'), 4);
    expectParseError(hexBytes('40 00 00 01 00 00 00 00 00 00 00 01'), 0);
    // CC = 1 but no CSRC follows.
    expectParseError(hexBytes('81 00 00 01 00 00 00 00 00 00 00 01'), 12);
    // X = 1 with an extension claiming 2 words but carrying one.
    expectParseError(hexBytes('90 00 00 01 00 00 00 00 00 00 00 01 be de 00 02 00 00 00 00'), 14);
    // P = 1 with a zero count, and with a count larger than the packet body.
    expectParseError(hexBytes('a0 00 00 01 00 00 00 00 00 00 00 01 aa 00'), 13);
    expectParseError(hexBytes('a0 00 00 01 00 00 00 00 00 00 00 01 aa 05'), 13);
  });

  it('only ever throws ParseError, with an offset inside the input, for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (raw, forceV2) => {
        const buf = Uint8Array.from(raw);
        if (forceV2 && buf.length > 0) buf[0] = (buf[0]! & 0x3f) | 0x80;
        try {
          const p = parseRtp(buf);
          // Whatever parses must serialize back to the same bytes.
          assert.deepEqual(serializeRtp(p), buf);
        } catch (e) {
          assert.ok(e instanceof ParseError, String(e));
          assert.ok(e.offset >= 0 && e.offset <= buf.length);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('serializeRtp', () => {
  it('reproduces the fixture byte for byte', () => {
    const bytes = readHexFixture('rtp-csrc-extension-padding.hex');
    assert.deepEqual(serializeRtp(parseRtp(bytes)), bytes);
  });

  it('round-trips generated packets', () => {
    const packet = fc.record({
      marker: fc.boolean(),
      payloadType: fc.integer({ min: 0, max: 127 }),
      sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
      timestamp: fc.nat({ max: 0xffffffff }),
      ssrc: fc.nat({ max: 0xffffffff }),
      csrcs: fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 15 }),
      extension: fc.option(
        fc.record({
          profile: fc.integer({ min: 0, max: 0xffff }),
          data: fc
            .integer({ min: 0, max: 4 })
            .chain((words) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 })),
        }),
      ),
      payload: fc.uint8Array({ maxLength: 200 }),
      padding: fc.option(fc.integer({ min: 1, max: 255 }).map((n) => new Uint8Array(n))),
    });
    fc.assert(
      fc.property(packet, (p) => {
        const parsed = parseRtp(serializeRtp(p));
        assert.equal(parsed.sequenceNumber, p.sequenceNumber);
        assert.equal(parsed.timestamp, p.timestamp);
        assert.equal(parsed.ssrc, p.ssrc);
        assert.equal(parsed.marker, p.marker);
        assert.equal(parsed.payloadType, p.payloadType);
        assert.deepEqual(parsed.csrcs, p.csrcs);
        assert.deepEqual(parsed.payload, p.payload);
        assert.equal(parsed.extension?.profile, p.extension?.profile);
        assert.deepEqual(parsed.extension?.data, p.extension?.data);
        assert.equal(parsed.padding?.length, p.padding?.length);
      }),
    );
  });

  it('writes into a caller buffer at an offset and reports the length', () => {
    const p: RtpPacket = {
      marker: false,
      payloadType: 0,
      sequenceNumber: 7,
      timestamp: 1120,
      ssrc: 1,
      csrcs: [],
      extension: null,
      payload: new Uint8Array([1, 2, 3]),
      padding: null,
    };
    const out = new Uint8Array(32);
    assert.equal(serializeRtpInto(p, out, 10), 15);
    assert.deepEqual(out.subarray(10, 25), hexBytes('80 00 00 07 00 00 04 60 00 00 00 01 01 02 03'));
    assert.throws(() => serializeRtpInto(p, out, 20), InvalidArgumentError);
    assert.throws(() => serializeRtp({ ...p, payloadType: 128 }), InvalidArgumentError);
    assert.throws(
      () => serializeRtp({ ...p, extension: { profile: 1, data: new Uint8Array(3) } }),
      InvalidArgumentError,
    );
  });

  it('writes the padding count into the last padding octet', () => {
    const p = parseRtp(hexBytes('80 00 00 01 00 00 00 00 00 00 00 01 aa'));
    const bytes = serializeRtp({ ...p, padding: new Uint8Array(3) });
    assert.deepEqual(bytes, hexBytes('a0 00 00 01 00 00 00 00 00 00 00 01 aa 00 00 03'));
  });
});

describe('isRtcp', () => {
  it('tells RTCP from RTP by the packet type range of RFC 5761 §4', () => {
    assert.equal(isRtcp(readHexFixture('rtcp-sr-sdes.hex')), true);
    assert.equal(isRtcp(readHexFixture('rtcp-rr-bye.hex')), true);
    assert.equal(isRtcp(readHexFixture('rtp-csrc-extension-padding.hex')), false);
    // Marker set on a dynamic payload type above the reserved range (PT 101).
    assert.equal(isRtcp(readHexFixture('telephone-event-digit5-end.hex')), false);
    assert.equal(isRtcp(new Uint8Array([0x80])), false);
  });
});
