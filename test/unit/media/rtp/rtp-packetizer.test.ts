import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../../../src/core/index.js';
import { parseRtp, RtpPacketizer, serializeRtp } from '../../../../src/media/rtp/index.js';

const FRAME = new Uint8Array(160).fill(0xff);

describe('RtpPacketizer', () => {
  it('numbers packets with wrap, advances the timestamp per frame and marks talkspurts', () => {
    const values = [0xcafebabe, 65534, 0xfffffe00];
    const p = new RtpPacketizer({ payloadType: 8, randomUint32: () => values.shift() ?? 0 });
    assert.equal(p.ssrc, 0xcafebabe);
    const packets = [p.packetize(FRAME), p.packetize(FRAME), p.packetize(FRAME)];
    p.skip(8000);
    packets.push(p.packetize(FRAME), p.packetize(FRAME, { startOfTalkspurt: true }), p.packetize(FRAME));
    assert.deepEqual(
      packets.map((x) => [x.sequenceNumber, x.timestamp, x.marker]),
      [
        [65534, 0xfffffe00, true],
        [65535, 0xfffffea0, false],
        [0, 0xffffff40, false],
        [1, (0xffffffe0 + 8000) >>> 0, true],
        [2, (0xffffffe0 + 8160) >>> 0, true],
        [3, (0xffffffe0 + 8320) >>> 0, false],
      ],
    );
    const wire = parseRtp(serializeRtp(packets[3]!));
    assert.equal(wire.payloadType, 8);
    assert.deepEqual(wire.payload, FRAME);
  });

  it('takes ptime and clock rate into account and honours explicit sample counts', () => {
    const p = new RtpPacketizer({
      payloadType: 9,
      clockRateHz: 16000,
      ptimeMs: 30,
      ssrc: 1,
      initialSequenceNumber: 0,
      initialTimestamp: 0,
    });
    p.packetize(FRAME);
    assert.equal(p.nextTimestamp, 480);
    p.packetize(FRAME, { samples: 100 });
    assert.equal(p.nextTimestamp, 580);
    assert.equal(p.nextSequenceNumber, 2);
  });

  it('draws SSRC, sequence number and timestamp at random by default', () => {
    const a = new RtpPacketizer({ payloadType: 0 });
    const b = new RtpPacketizer({ payloadType: 0 });
    assert.notDeepEqual([a.ssrc, a.nextTimestamp], [b.ssrc, b.nextTimestamp]);
  });

  it('rejects invalid options', () => {
    assert.throws(() => new RtpPacketizer({ payloadType: 128 }), InvalidArgumentError);
    assert.throws(() => new RtpPacketizer({ payloadType: 0, ptimeMs: 0.01 }), InvalidArgumentError);
    assert.throws(
      () => new RtpPacketizer({ payloadType: 0, initialSequenceNumber: 70000 }),
      InvalidArgumentError,
    );
  });
});
