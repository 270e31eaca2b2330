import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CodecInfo } from '../../../../src/media/codecs/index.js';
import type { AnswerOptions, NegotiatedMedia } from '../../../../src/sip/sdp/index.js';
import { createAnswer, parseSdp, SdpNegotiationError, serializeSdp } from '../../../../src/sip/sdp/index.js';
import { readSdpFixture } from './sdp-fixture.js';

const PCMU: CodecInfo = { name: 'PCMU', payloadType: 0, encoding: 'mulaw', clockRateHz: 8000, channels: 1 };
const PCMA: CodecInfo = { name: 'PCMA', payloadType: 8, encoding: 'alaw', clockRateHz: 8000, channels: 1 };

function local(overrides: Partial<AnswerOptions> = {}): AnswerOptions {
  return {
    address: '10.0.0.5',
    ports: (i) => ({ rtp: 40000 + 2 * i, rtcp: 40001 + 2 * i }),
    codecs: ['PCMU', 'PCMA'],
    telephoneEvent: true,
    sessionId: 1000,
    sessionVersion: 1000,
    mode: 'uas',
    ...overrides,
  };
}

function negotiationError(fn: () => unknown): SdpNegotiationError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SdpNegotiationError, `expected SdpNegotiationError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an SdpNegotiationError');
}

const crlf = (lines: string[]): string => lines.join('\r\n') + '\r\n';

const ANSWER_HEAD = ['v=0', 'o=- 1000 1000 IN IP4 10.0.0.5', 's=-', 'c=IN IP4 10.0.0.5', 't=0 0'];

function expectedMedia(overrides: Partial<NegotiatedMedia>): NegotiatedMedia {
  return {
    index: 0,
    label: null,
    mid: null,
    remoteAddress: '',
    remoteRtpPort: 0,
    remoteRtcpAddress: '',
    remoteRtcpPort: 0,
    localRtpPort: 40000,
    localRtcpPort: 40001,
    payloadType: 0,
    codec: PCMU,
    telephoneEventPayloadType: null,
    ptimeMs: 20,
    remotePtimeMs: null,
    remoteMaxptimeMs: null,
    direction: 'sendrecv',
    onHold: false,
    ...overrides,
  };
}

describe('createAnswer: exact answers', () => {
  it('answers the SIPp default offer with PCMU only', () => {
    const { answer, media } = createAnswer(readSdpFixture('sipp-uac-offer.sdp'), local());
    assert.equal(
      serializeSdp(answer),
      crlf([...ANSWER_HEAD, 'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=ptime:20', 'a=sendrecv']),
    );
    assert.deepEqual(media, [
      expectedMedia({
        remoteAddress: '127.0.0.1',
        remoteRtpPort: 6000,
        remoteRtcpAddress: '127.0.0.1',
        remoteRtcpPort: 6001,
      }),
    ]);
  });

  it('answers Cisco CUBE with PCMU and its telephone-event PT, events limited to 0-15', () => {
    const { answer, media } = createAnswer(readSdpFixture('cisco-cube-offer.sdp'), local());
    assert.equal(
      serializeSdp(answer),
      crlf([
        ...ANSWER_HEAD,
        'm=audio 40000 RTP/AVP 0 101',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-15',
        'a=ptime:20',
        'a=sendrecv',
      ]),
    );
    assert.deepEqual(media, [
      expectedMedia({
        remoteAddress: '192.0.2.10',
        remoteRtpPort: 16384,
        remoteRtcpAddress: '192.0.2.10',
        remoteRtcpPort: 16385,
        telephoneEventPayloadType: 101,
        remotePtimeMs: 20,
      }),
    ]);
  });

  it('answers a SIPREC two-stream offer recvonly in order, keeping the labels', () => {
    const { answer, media } = createAnswer(
      readSdpFixture('siprec-two-stream-offer.sdp'),
      local({ mode: 'siprec' }),
    );
    const stream = (port: number, label: string): string[] => [
      `m=audio ${port} RTP/AVP 0 101`,
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-15',
      'a=ptime:20',
      `a=label:${label}`,
      'a=recvonly',
    ];
    assert.equal(serializeSdp(answer), crlf([...ANSWER_HEAD, ...stream(40000, '1'), ...stream(40002, '2')]));
    assert.deepEqual(
      media.map((m) => [
        m.index,
        m.label,
        m.remoteRtpPort,
        m.remoteRtcpPort,
        m.localRtpPort,
        m.direction,
        m.onHold,
      ]),
      [
        [0, '1', 20000, 20001, 40000, 'recvonly', false],
        [1, '2', 20002, 20003, 40002, 'recvonly', false],
      ],
    );
  });

  it('rejects the video stream with port 0 and its offered formats, accepting the audio', () => {
    const { answer, media } = createAnswer(readSdpFixture('video-audio-offer.sdp'), local());
    assert.equal(
      serializeSdp(answer),
      crlf([
        ...ANSWER_HEAD,
        'm=video 0 RTP/AVP 96 97',
        'm=audio 40002 RTP/AVP 0 101',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-15',
        'a=ptime:20',
        'a=sendrecv',
      ]),
    );
    assert.deepEqual(media, [
      expectedMedia({
        index: 1,
        remoteAddress: '203.0.113.77',
        remoteRtpPort: 7078,
        remoteRtcpAddress: '203.0.113.77',
        remoteRtcpPort: 7079,
        localRtpPort: 40002,
        localRtcpPort: 40003,
        telephoneEventPayloadType: 101,
      }),
    ]);
  });

  it('writes IP6, a=rtcp when not port + 1, the mid and a dynamic telephone-event PT 96', () => {
    const { answer, media } = createAnswer(
      readSdpFixture('ipv6-offer.sdp'),
      local({ address: '2001:db8::5', ports: () => ({ rtp: 30000, rtcp: 30011 }), sessionVersion: '7' }),
    );
    assert.equal(
      serializeSdp(answer),
      crlf([
        'v=0',
        'o=- 1000 7 IN IP6 2001:db8::5',
        's=-',
        'c=IN IP6 2001:db8::5',
        't=0 0',
        'm=audio 30000 RTP/AVP 0 96',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:96 telephone-event/8000',
        'a=fmtp:96 0-15',
        'a=ptime:20',
        'a=rtcp:30011',
        'a=mid:audio0',
        'a=sendrecv',
      ]),
    );
    assert.equal(media[0]!.remoteAddress, '2001:db8::10');
    assert.equal(media[0]!.telephoneEventPayloadType, 96);
  });
});

describe('createAnswer: negotiated values', () => {
  it('takes the offerer preference among our codecs (Asterisk offers PCMA first)', () => {
    const { media } = createAnswer(readSdpFixture('asterisk-offer.sdp'), local());
    assert.deepEqual(media, [
      expectedMedia({
        remoteAddress: '198.51.100.20',
        remoteRtpPort: 10000,
        remoteRtcpAddress: '198.51.100.20',
        remoteRtcpPort: 10001,
        payloadType: 8,
        codec: PCMA,
        telephoneEventPayloadType: 101,
        remotePtimeMs: 20,
        remoteMaxptimeMs: 150,
      }),
    ]);
  });

  it('skips opus and G.722 and uses a=rtcp with its address (FreeSWITCH)', () => {
    const { media } = createAnswer(
      readSdpFixture('freeswitch-offer.sdp'),
      local({ codecs: ['PCMA', 'PCMU'] }),
    );
    assert.equal(media[0]!.payloadType, 0);
    assert.deepEqual(media[0]!.codec, PCMU);
    assert.equal(media[0]!.remoteRtcpPort, 24681);
    assert.equal(media[0]!.remoteRtcpAddress, '203.0.113.30');
  });

  it('resolves static payload types without rtpmap and PT 96 telephone-event (Metaswitch)', () => {
    const { media } = createAnswer(readSdpFixture('metaswitch-offer.sdp'), local({ codecs: ['PCMA'] }));
    assert.equal(media[0]!.payloadType, 8);
    assert.equal(media[0]!.codec.encoding, 'alaw');
    assert.equal(media[0]!.telephoneEventPayloadType, 96);
  });

  it('sends the offerer ptime within its maxptime and answers ours (PCMA only, ptime 30)', () => {
    const { answer, media } = createAnswer(readSdpFixture('pcma-only-offer.sdp'), local());
    assert.equal(media[0]!.codec.name, 'PCMA');
    assert.equal(media[0]!.ptimeMs, 30);
    assert.equal(media[0]!.remotePtimeMs, 30);
    assert.equal(media[0]!.remoteMaxptimeMs, 40);
    assert.match(serializeSdp(answer), /\r\na=ptime:20\r\n/);
    const capped = createAnswer(
      readSdpFixture('pcma-only-offer.sdp').replace('a=maxptime:40', 'a=maxptime:10'),
      local(),
    );
    assert.equal(capped.media[0]!.ptimeMs, 10);
    assert.match(serializeSdp(capped.answer), /\r\na=ptime:10\r\n/);
  });

  it('leaves telephone-event out when disabled or when no offered event is supported', () => {
    assert.equal(
      createAnswer(readSdpFixture('cisco-cube-offer.sdp'), local({ telephoneEvent: false })).media[0]!
        .telephoneEventPayloadType,
      null,
    );
    const flashOnly = readSdpFixture('cisco-cube-offer.sdp').replace('a=fmtp:101 0-16', 'a=fmtp:101 16');
    assert.equal(createAnswer(flashOnly, local()).media[0]!.telephoneEventPayloadType, null);
    const partial = readSdpFixture('cisco-cube-offer.sdp').replace(
      'a=fmtp:101 0-16',
      'a=fmtp:101 0-9,11,12-13',
    );
    assert.match(serializeSdp(createAnswer(partial, local()).answer), /a=fmtp:101 0-9,11-13\r\n/);
  });

  it('maps directions (RFC 3264 §6.1) and recognizes both hold styles', () => {
    const asterisk = readSdpFixture('asterisk-offer.sdp');
    const cases: [string, string, boolean][] = [
      ['sendrecv', 'sendrecv', false],
      ['sendonly', 'recvonly', true],
      ['recvonly', 'sendonly', false],
      ['inactive', 'inactive', true],
    ];
    for (const [offered, answered, onHold] of cases) {
      const { media } = createAnswer(asterisk.replace('a=sendrecv', `a=${offered}`), local());
      assert.deepEqual([media[0]!.direction, media[0]!.onHold], [answered, onHold], offered);
    }
    const held = createAnswer(readSdpFixture('hold-sendonly-reoffer.sdp'), local()).media[0]!;
    assert.deepEqual([held.direction, held.onHold], ['recvonly', true]);
    const old = createAnswer(readSdpFixture('hold-zero-address-reoffer.sdp'), local()).media[0]!;
    assert.deepEqual([old.direction, old.onHold, old.remoteAddress], ['recvonly', true, '0.0.0.0']);
  });

  it('answers a paused SIPREC stream (a=inactive) inactive and never sends in SIPREC mode', () => {
    const offer = readSdpFixture('siprec-two-stream-offer.sdp').replace(
      'a=label:2\r\na=sendonly',
      'a=label:2\r\na=inactive',
    );
    const { media } = createAnswer(offer, local({ mode: 'siprec' }));
    assert.deepEqual(
      media.map((m) => [m.direction, m.onHold]),
      [
        ['recvonly', false],
        ['inactive', true],
      ],
    );
    const sendrecv = createAnswer(readSdpFixture('sipp-uac-offer.sdp'), local({ mode: 'siprec' }));
    assert.equal(sendrecv.media[0]!.direction, 'recvonly');
  });

  it('rejects one audio stream without a common codec when another one works', () => {
    const offer = readSdpFixture('siprec-two-stream-offer.sdp').replace(
      'm=audio 20002 RTP/AVP 0 8 101',
      'm=audio 20002 RTP/AVP 18 101',
    );
    const { answer, media } = createAnswer(offer, local({ mode: 'siprec' }));
    assert.deepEqual(
      media.map((m) => m.index),
      [0],
    );
    assert.equal(answer.media[1]!.port, 0);
    assert.deepEqual(answer.media[1]!.formats, ['18', '101']);
  });

  it('asks for ports only for accepted streams', () => {
    const asked: number[] = [];
    createAnswer(
      readSdpFixture('video-audio-offer.sdp'),
      local({ ports: { allocate: (i) => (asked.push(i), { rtp: 5000, rtcp: 5001 }) } }),
    );
    assert.deepEqual(asked, [1]);
  });
});

describe('createAnswer: decline, do not refuse (issue 10, RFC 3264 §6)', () => {
  /** Parses our answer again and lists each m-line as the offerer will read it. */
  function mLines(answerText: string) {
    return parseSdp(answerText).media.map((m) => ({
      media: m.media,
      port: m.port,
      proto: m.proto,
      formats: m.formats.join(' '),
      connection: m.connection,
      direction: m.attributes.find((a) => a.kind === 'direction')?.direction ?? null,
      attributes: m.attributes.length,
    }));
  }

  it('answers audio and declines video (unknown codec), BFCP, text and DTLS-SRTP audio with port 0', () => {
    const offer = readSdpFixture('lenient-audio-video-application-offer.sdp');
    const { answer, media } = createAnswer(offer, local());
    const text = serializeSdp(answer);
    assert.equal(
      text,
      crlf([
        ...ANSWER_HEAD,
        'm=audio 40000 RTP/AVP 0 101',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-15',
        'a=ptime:20',
        'a=sendrecv',
        'm=video 0 RTP/AVP 31 98',
        'm=application 0 UDP/BFCP *',
        'm=text 0 RTP/AVP 100',
        'm=audio 0 UDP/TLS/RTP/SAVPF 0',
      ]),
    );
    // Field by field, as the offerer reads it: same count and order, port 0 and the offered
    // formats for the declined ones, no c= or attributes of theirs echoed.
    assert.deepEqual(mLines(text), [
      {
        media: 'audio',
        port: 40000,
        proto: 'RTP/AVP',
        formats: '0 101',
        connection: null,
        direction: 'sendrecv',
        attributes: 5,
      },
      {
        media: 'video',
        port: 0,
        proto: 'RTP/AVP',
        formats: '31 98',
        connection: null,
        direction: null,
        attributes: 0,
      },
      {
        media: 'application',
        port: 0,
        proto: 'UDP/BFCP',
        formats: '*',
        connection: null,
        direction: null,
        attributes: 0,
      },
      {
        media: 'text',
        port: 0,
        proto: 'RTP/AVP',
        formats: '100',
        connection: null,
        direction: null,
        attributes: 0,
      },
      {
        media: 'audio',
        port: 0,
        proto: 'UDP/TLS/RTP/SAVPF',
        formats: '0',
        connection: null,
        direction: null,
        attributes: 0,
      },
    ]);
    assert.equal(parseSdp(text).connection?.address, '10.0.0.5');
    assert.deepEqual(media, [
      expectedMedia({
        remoteAddress: '198.51.100.20',
        remoteRtpPort: 49170,
        remoteRtcpAddress: '198.51.100.20',
        remoteRtcpPort: 49171,
        telephoneEventPayloadType: 101,
      }),
    ]);
  });

  it('answers the RFC 4475 SDP (second m-line video with a=rtpmap:31 LPC) instead of refusing it', () => {
    const { answer, media } = createAnswer(readSdpFixture('lenient-rfc4475-video-lpc-offer.sdp'), local());
    assert.equal(
      serializeSdp(answer),
      crlf([
        ...ANSWER_HEAD,
        'm=audio 40000 RTP/AVP 0',
        'a=rtpmap:0 PCMU/8000',
        'a=ptime:20',
        'a=sendrecv',
        'm=video 0 RTP/AVP 31',
      ]),
    );
    assert.deepEqual(
      media.map((m) => [m.index, m.remoteAddress, m.remoteRtpPort, m.codec.name]),
      [[0, '192.0.2.4', 49217, 'PCMU']],
    );
  });

  it('answers the OpenSIPS siprec offer (no t=, c= per m-line) with t=0 0 and both streams recvonly', () => {
    const { answer, media } = createAnswer(
      readSdpFixture('opensips-siprec-no-t-offer.sdp'),
      local({ mode: 'siprec' }),
    );
    const stream = (port: number, label: string): string[] => [
      `m=audio ${port} RTP/AVP 8 101`,
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-15',
      'a=ptime:20',
      `a=label:${label}`,
      'a=recvonly',
    ];
    assert.equal(serializeSdp(answer), crlf([...ANSWER_HEAD, ...stream(40000, '1'), ...stream(40002, '2')]));
    assert.deepEqual(answer.timings, [{ startTime: 0, stopTime: 0, repeats: [] }]);
    assert.deepEqual(
      media.map((m) => [
        m.label,
        m.remoteAddress,
        m.remoteRtpPort,
        m.remoteRtcpPort,
        m.codec.name,
        m.direction,
      ]),
      [
        ['1', '192.0.2.60', 35000, 35001, 'PCMA', 'recvonly'],
        ['2', '192.0.2.61', 35002, 35003, 'PCMA', 'recvonly'],
      ],
    );
  });

  it('declines an m-line without any c= and one with a fault of its own, answering the sound one', () => {
    const offer = crlf([
      'v=0',
      'o=- 1 1 IN IP4 192.0.2.1',
      's=-',
      'm=audio 5000 RTP/AVP 0',
      'm=audio 5002 RTP/AVP 0',
      'c=IN IP4 192.0.2.2',
      'a=ptime:fast',
      'm=audio 5004 RTP/AVP 8 0',
      'c=IN IP4 192.0.2.3',
    ]);
    const asked: number[] = [];
    const { answer, media } = createAnswer(
      offer,
      local({ ports: (i) => (asked.push(i), { rtp: 40000 + 2 * i, rtcp: 40001 + 2 * i }) }),
    );
    assert.deepEqual(
      answer.media.map((m) => [m.port, m.formats.join(' ')]),
      [
        [0, '0'],
        [0, '0'],
        [40004, '8'],
      ],
    );
    assert.deepEqual(asked, [2], 'ports only for the answered m-line');
    assert.deepEqual(
      media.map((m) => [m.index, m.remoteAddress, m.codec.name]),
      [[2, '192.0.2.3', 'PCMA']],
    );
  });

  it('still refuses (488 NO_COMMON_CODEC) when no m-line is usable, naming a bounded list of reasons', () => {
    const offer = crlf([
      'v=0',
      'o=- 1 1 IN IP4 192.0.2.1',
      's=-',
      'c=IN IP4 192.0.2.1',
      't=0 0',
      'm=video 5000 RTP/AVP 31',
      'a=rtpmap:31 LPC',
      'm=audio 5002 RTP/AVP 0',
      'a=rtpmap:0 PCMU',
      ...Array.from({ length: 6 }, (_, i) => `m=application ${5004 + 2 * i} UDP/BFCP *`),
    ]);
    let asked = 0;
    const e = negotiationError(() =>
      createAnswer(offer, local({ ports: () => (asked++, { rtp: 1, rtcp: 2 }) })),
    );
    assert.equal(e.code, 'NO_COMMON_CODEC');
    assert.equal(e.sipStatusCode, 488);
    assert.equal(asked, 0);
    assert.match(e.message, /m-line 0: media type video; m-line 1: a=rtpmap value "0 PCMU" is malformed/);
    assert.match(e.message, /m-line 3: media type application; 4 more\)$/);
  });
});

describe('createAnswer: errors', () => {
  it('throws NO_COMMON_CODEC (488) for a G.729/G.722-only offer and allocates no port', () => {
    let asked = 0;
    const e = negotiationError(() =>
      createAnswer(
        readSdpFixture('g729-g722-only-offer.sdp'),
        local({ ports: () => (asked++, { rtp: 1, rtcp: 2 }) }),
      ),
    );
    assert.equal(e.code, 'NO_COMMON_CODEC');
    assert.equal(e.sipStatusCode, 488);
    assert.equal(asked, 0);
  });

  it('throws NO_COMMON_CODEC for SRTP-only and for our codec list not matching', () => {
    assert.equal(
      negotiationError(() => createAnswer(readSdpFixture('srtp-only-offer.sdp'), local())).code,
      'NO_COMMON_CODEC',
    );
    assert.equal(
      negotiationError(() => createAnswer(readSdpFixture('pcma-only-offer.sdp'), local({ codecs: ['PCMU'] })))
        .code,
      'NO_COMMON_CODEC',
    );
  });

  it('throws BAD_SDP (400) for a body that is not SDP, with the ParseError as cause', () => {
    const e = negotiationError(() => createAnswer('INVITE sip:x SIP/2.0\r\n', local()));
    assert.equal(e.code, 'BAD_SDP');
    assert.equal(e.sipStatusCode, 400);
    assert.equal((e.cause as { name: string }).name, 'ParseError');
  });
});

describe('createAnswer: not yet supported', () => {
  it('negotiates SDES-SRTP (RTP/SAVP with a=crypto) instead of rejecting the stream', { todo: 'known gap' });
  it('answers RTP/AVPF offers (feedback profile) instead of rejecting the stream', { todo: 'known gap' });
  it('chooses a local address of the offer address family when we have both IPv4 and IPv6', {
    todo: 'known gap',
  });
  it('answers ICE (a=candidate, a=ice-ufrag) offers', { todo: 'known gap' });
});
