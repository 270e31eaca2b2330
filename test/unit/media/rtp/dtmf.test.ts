import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ParseError } from '../../../../src/core/index.js';
import type { DtmfDigit, DtmfEvent, RtpPacket } from '../../../../src/media/rtp/index.js';
import {
  decodeTelephoneEvent,
  DtmfReceiver,
  DtmfSender,
  dtmfDigitFromEvent,
  dtmfEventFromDigit,
  encodeTelephoneEvent,
  parseRtp,
  RtpPacketizer,
} from '../../../../src/media/rtp/index.js';
import { readHexFixture } from './hex-fixture.js';

function event(
  timestamp: number,
  code: number,
  end: boolean,
  durationSamples: number,
  marker = false,
): RtpPacket {
  return {
    marker,
    payloadType: 101,
    sequenceNumber: 0,
    timestamp,
    ssrc: 1,
    csrcs: [],
    extension: null,
    payload: encodeTelephoneEvent({ event: code, end, volume: 10, durationSamples }),
    padding: null,
  };
}

describe('telephone-event payload', () => {
  it('decodes the end packet of digit 5 from the fixture', () => {
    const p = parseRtp(readHexFixture('telephone-event-digit5-end.hex'));
    assert.equal(p.payloadType, 101);
    assert.equal(p.marker, true);
    assert.equal(p.timestamp, 10000);
    assert.deepEqual(decodeTelephoneEvent(p.payload), {
      event: 5,
      end: true,
      volume: 10,
      durationSamples: 800,
    });
    assert.deepEqual(encodeTelephoneEvent(decodeTelephoneEvent(p.payload)), p.payload);
  });

  it('maps event codes 0-16 to digits both ways (RFC 4733 §3.2)', () => {
    const digits = '0123456789*#ABCD'.split('');
    digits.forEach((d, code) => {
      assert.equal(dtmfDigitFromEvent(code), d);
      assert.equal(dtmfEventFromDigit(d as DtmfDigit), code);
    });
    assert.equal(dtmfDigitFromEvent(16), 'flash');
    assert.equal(dtmfDigitFromEvent(17), null);
  });

  it('ignores the reserved bit and only ever throws ParseError on random bytes', () => {
    assert.equal(decodeTelephoneEvent(new Uint8Array([1, 0x40 | 7, 0, 160])).volume, 7);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), (buf) => {
        try {
          const ev = decodeTelephoneEvent(buf);
          assert.deepEqual(
            encodeTelephoneEvent(ev),
            Uint8Array.from([buf[0]!, buf[1]! & 0xbf, buf[2]!, buf[3]!]),
          );
        } catch (e) {
          assert.ok(e instanceof ParseError);
          assert.ok(e.offset >= 0 && e.offset <= buf.length);
        }
      }),
    );
  });
});

describe('DtmfSender', () => {
  it('sends a marked first packet, 50 ms updates and three end packets on one timestamp', () => {
    const packetizer = new RtpPacketizer({
      payloadType: 0,
      ssrc: 9,
      initialSequenceNumber: 65534,
      initialTimestamp: 1000,
    });
    const sender = new DtmfSender(packetizer, { payloadType: 101 });
    const plan = sender.digit('#', 120);
    const rows = plan.map(({ packet, sendAtMs }) => {
      const ev = decodeTelephoneEvent(packet.payload);
      return [sendAtMs, packet.sequenceNumber, packet.marker, ev.event, ev.end, ev.durationSamples];
    });
    assert.deepEqual(rows, [
      [0, 65534, true, 11, false, 400],
      [50, 65535, false, 11, false, 800],
      [100, 0, false, 11, false, 960],
      [120, 1, false, 11, true, 960],
      [170, 2, false, 11, true, 960],
      [220, 3, false, 11, true, 960],
    ]);
    assert.ok(
      plan.every(
        ({ packet }) => packet.timestamp === 1000 && packet.payloadType === 101 && packet.ssrc === 9,
      ),
    );
    // Audio resumes after the tone, on the next sequence number, as a new talkspurt.
    const audio = packetizer.packetize(new Uint8Array(160));
    assert.deepEqual([audio.timestamp, audio.sequenceNumber, audio.marker], [1960, 4, true]);
  });
});

describe('DtmfReceiver', () => {
  it('turns a sent digit into start, updates and one end, counting repeated ends once', () => {
    const packetizer = new RtpPacketizer({ payloadType: 0, randomUint32: () => 42 });
    const plan = new DtmfSender(packetizer, { payloadType: 101 }).digit('7', 200);
    const receiver = new DtmfReceiver();
    const events: DtmfEvent[] = plan.flatMap(({ packet, sendAtMs }) => [...receiver.push(packet, sendAtMs)]);
    assert.deepEqual(
      events.map((e) => `${e.kind}:${e.digit}:${e.kind === 'start' ? '' : e.durationMs}`),
      ['start:7:', 'update:7:100', 'update:7:150', 'update:7:200', 'end:7:200'],
    );
    assert.equal(receiver.stats.digits, 1);
    assert.equal(receiver.stats.repeatedEnds, 2);
  });

  it('starts an event whose marked first packet was lost, and reads an end-only event', () => {
    const receiver = new DtmfReceiver();
    assert.deepEqual(
      receiver.push(event(8000, 1, false, 800), 0).map((e) => e.kind),
      ['start'],
    );
    assert.deepEqual(receiver.push(event(8000, 1, true, 1280), 80), [
      { kind: 'end', digit: '1', timestamp: 8000, durationMs: 160, complete: true },
    ]);
    const onlyEnd = receiver.push(event(16000, 2, true, 640), 500);
    assert.deepEqual(
      onlyEnd.map((e) => e.kind),
      ['start', 'end'],
    );
    assert.equal(receiver.push(event(8000, 1, true, 1280), 520).length, 0);
  });

  it('ends an event whose end packets were all lost, by timeout or by the next digit', () => {
    const receiver = new DtmfReceiver({ endTimeoutMs: 300 });
    receiver.push(event(100, 3, false, 400, true), 0);
    assert.equal(receiver.tick(200).length, 0);
    assert.deepEqual(receiver.tick(300), [
      { kind: 'end', digit: '3', timestamp: 100, durationMs: 50, complete: false },
    ]);
    receiver.push(event(5000, 4, false, 400, true), 1000);
    const cut = receiver.push(event(9000, 5, false, 400, true), 1100);
    assert.deepEqual(
      cut.map((e) => `${e.kind}:${e.digit}`),
      ['end:4', 'start:5'],
    );
  });

  it('ignores non-DTMF events and short payloads', () => {
    const receiver = new DtmfReceiver();
    assert.equal(receiver.push(event(1, 32, false, 160), 0).length, 0);
    assert.equal(receiver.push({ ...event(1, 1, false, 160), payload: new Uint8Array(2) }, 0).length, 0);
    assert.deepEqual([receiver.stats.ignored, receiver.stats.malformed], [1, 1]);
  });
});
