import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnswerOptions, ReofferOptions } from '../../../../src/sip/sdp/index.js';
import {
  answerReoffer,
  createAnswer,
  createOffer,
  isHold,
  nextSessionVersion,
  parseSdp,
  SdpNegotiationError,
  serializeSdp,
} from '../../../../src/sip/sdp/index.js';
import { readSdpFixture } from './sdp-fixture.js';

let nextPort = 40000;
const allocate = (): { rtp: number; rtcp: number } => {
  nextPort += 2;
  return { rtp: nextPort, rtcp: nextPort + 1 };
};

const initial: AnswerOptions = {
  address: '10.0.0.5',
  ports: allocate,
  sessionId: '3912345678901234567',
  sessionVersion: '9007199254740993',
  mode: 'uas',
};
const again: ReofferOptions = { ports: allocate, mode: 'uas' };

describe('answerReoffer', () => {
  it('answers a hold re-INVITE recvonly with the same ports, session id and version + 1', () => {
    const first = createAnswer(readSdpFixture('asterisk-offer.sdp'), initial);
    const held = answerReoffer(first, readSdpFixture('hold-sendonly-reoffer.sdp'), again);
    assert.equal(held.changed, true);
    assert.equal(held.answer.origin.sessionId, '3912345678901234567');
    assert.equal(held.answer.origin.sessionVersion, '9007199254740994');
    assert.deepEqual(
      [held.media[0]!.localRtpPort, held.media[0]!.direction, held.media[0]!.onHold],
      [first.media[0]!.localRtpPort, 'recvonly', true],
    );
    assert.equal(isHold(held.answer), false);
    const resumed = answerReoffer(held, readSdpFixture('asterisk-offer.sdp'), again);
    assert.equal(resumed.answer.origin.sessionVersion, '9007199254740995');
    assert.deepEqual([resumed.media[0]!.direction, resumed.media[0]!.onHold], ['sendrecv', false]);
  });

  it('keeps the version when the answer does not change (session refresh)', () => {
    const first = createAnswer(readSdpFixture('cisco-cube-offer.sdp'), initial);
    const same = answerReoffer(first, readSdpFixture('cisco-cube-offer.sdp'), again);
    assert.equal(same.changed, false);
    assert.equal(serializeSdp(same.answer), serializeSdp(first.answer));
  });

  it('answers an old-style c=0.0.0.0 hold recvonly', () => {
    const first = createAnswer(readSdpFixture('cisco-cube-offer.sdp'), initial);
    const held = answerReoffer(first, readSdpFixture('hold-zero-address-reoffer.sdp'), again);
    assert.deepEqual([held.media[0]!.direction, held.media[0]!.onHold], ['recvonly', true]);
    assert.equal(held.media[0]!.localRtpPort, first.media[0]!.localRtpPort);
  });

  it('keeps the codec in use when the re-offer still offers it in another order', () => {
    const first = createAnswer(readSdpFixture('asterisk-offer.sdp'), initial);
    assert.equal(first.media[0]!.codec.name, 'PCMA');
    const reordered = readSdpFixture('asterisk-offer.sdp').replace('RTP/AVP 8 0 101', 'RTP/AVP 0 8 101');
    assert.equal(answerReoffer(first, reordered, again).media[0]!.codec.name, 'PCMA');
  });

  it('gives ports to a stream added by the re-offer and refuses one that drops m-lines', () => {
    const first = createAnswer(readSdpFixture('sipp-uac-offer.sdp'), initial);
    const twoStreams = readSdpFixture('sipp-uac-offer.sdp') + 'm=audio 6002 RTP/AVP 8\r\n';
    const grown = answerReoffer(first, twoStreams, again);
    assert.equal(grown.media.length, 2);
    assert.equal(grown.media[0]!.localRtpPort, first.media[0]!.localRtpPort);
    assert.notEqual(grown.media[1]!.localRtpPort, first.media[0]!.localRtpPort);
    assert.throws(
      () => answerReoffer(grown, readSdpFixture('sipp-uac-offer.sdp'), again),
      (e: unknown) => e instanceof SdpNegotiationError && e.code === 'BAD_SDP',
    );
  });
});

describe('answerReoffer: decline, do not refuse (issue 10)', () => {
  it('declines m-lines a re-offer adds that we cannot use, keeping the call as it was', () => {
    const first = createAnswer(readSdpFixture('sipp-uac-offer.sdp'), initial);
    // The same session with a video m-line (malformed rtpmap, unknown codec) and BFCP added, and
    // without its t= line.
    const reoffer =
      readSdpFixture('sipp-uac-offer.sdp').replace(/^t=.*\r\n/m, '') +
      'm=video 6002 RTP/AVP 31 98\r\na=rtpmap:31 LPC\r\na=rtpmap:98 XVID/90000\r\nm=application 6004 UDP/BFCP *\r\n';
    const again2 = answerReoffer(first, reoffer, again);
    assert.equal(again2.changed, true);
    assert.deepEqual(
      again2.answer.media.map((m) => [m.media, m.port, m.formats.join(' ')]),
      [
        ['audio', first.media[0]!.localRtpPort, '0'],
        ['video', 0, '31 98'],
        ['application', 0, '*'],
      ],
    );
    assert.deepEqual(again2.answer.timings, [{ startTime: 0, stopTime: 0, repeats: [] }]);
    assert.deepEqual(
      again2.media.map((m) => [m.index, m.localRtpPort, m.codec.name]),
      [[0, first.media[0]!.localRtpPort, 'PCMU']],
    );
  });

  it('declines a stream that turns defective in a re-offer and answers the others', () => {
    const two = readSdpFixture('siprec-two-stream-offer.sdp');
    const first = createAnswer(two, { ...initial, mode: 'siprec' });
    const spoiled = two.replace('a=label:2\r\n', 'a=label:2\r\na=ptime:soon\r\n');
    const next = answerReoffer(first, spoiled, { ...again, mode: 'siprec' });
    assert.deepEqual(
      next.answer.media.map((m) => m.port),
      [first.media[0]!.localRtpPort, 0],
    );
    assert.deepEqual(
      next.media.map((m) => m.label),
      ['1'],
    );
  });
});

describe('createOffer and isHold', () => {
  it('writes a canonical offer for our own re-INVITE', () => {
    const offer = createOffer({
      address: '10.0.0.5',
      sessionId: 1000,
      sessionVersion: 1001,
      username: 'voxbridge',
      streams: [{ ports: { rtp: 40000, rtcp: 40001 }, direction: 'sendonly', label: '1' }],
    });
    const text = [
      'v=0',
      'o=voxbridge 1000 1001 IN IP4 10.0.0.5',
      's=-',
      'c=IN IP4 10.0.0.5',
      't=0 0',
      'm=audio 40000 RTP/AVP 0 8 101',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-15',
      'a=ptime:20',
      'a=label:1',
      'a=sendonly',
      '',
    ].join('\r\n');
    assert.equal(serializeSdp(offer), text);
    assert.deepEqual(parseSdp(text), offer);
    assert.equal(isHold(offer), true);
    assert.equal(nextSessionVersion(offer), '1002');
  });

  it('an offer we make can be answered by our own answerer', () => {
    const offer = createOffer({
      address: '10.0.0.5',
      sessionId: 1,
      sessionVersion: 1,
      codecs: ['PCMA'],
      telephoneEventPayloadType: 96,
      streams: [{ ports: { rtp: 4000, rtcp: 4001 } }],
    });
    const { media } = createAnswer(offer, { ...initial, codecs: ['PCMU', 'PCMA'] });
    assert.deepEqual([media[0]!.payloadType, media[0]!.telephoneEventPayloadType], [8, 96]);
  });

  it('tells hold from not hold on the fixtures', () => {
    const hold = (name: string): boolean => isHold(readSdpFixture(name));
    assert.equal(hold('hold-sendonly-reoffer.sdp'), true);
    assert.equal(hold('hold-zero-address-reoffer.sdp'), true);
    assert.equal(hold('asterisk-offer.sdp'), false);
    assert.equal(hold('siprec-two-stream-offer.sdp'), true);
    assert.equal(hold('video-audio-offer.sdp'), false);
  });

  it('leaves a defective audio m-line (declined) out of the hold decision', () => {
    // A held call whose re-offer also carries a sendrecv audio m-line we would decline.
    const held =
      readSdpFixture('hold-sendonly-reoffer.sdp') + 'm=audio 7000 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n';
    assert.equal(isHold(held), true);
    assert.equal(isHold(readSdpFixture('opensips-siprec-no-t-offer.sdp')), true);
  });
});
