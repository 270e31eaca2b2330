import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../../../../src/core/index.js';
import { parseSdp, sdpMediaView, serializeSdp } from '../../../../src/sip/sdp/index.js';
import { readSdpFixture, SDP_FIXTURES } from './sdp-fixture.js';

function parseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ParseError, `expected ParseError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a ParseError');
}

describe('parseSdp on fixtures', () => {
  for (const name of SDP_FIXTURES) {
    it(`round-trips ${name} byte for byte`, () => {
      const text = readSdpFixture(name);
      assert.equal(serializeSdp(parseSdp(text)), text);
      assert.equal(serializeSdp(parseSdp(new TextEncoder().encode(text))), text);
    });
  }

  it('reads every field of the Cisco CUBE offer', () => {
    const s = parseSdp(readSdpFixture('cisco-cube-offer.sdp'));
    assert.deepEqual(s.origin, {
      username: 'CiscoSystemsSIP-GW-UserAgent',
      sessionId: '4047',
      sessionVersion: '7637',
      netType: 'IN',
      addrType: 'IP4',
      address: '192.0.2.10',
    });
    assert.equal(s.sessionName, 'SIP Call');
    assert.deepEqual(s.connection, {
      netType: 'IN',
      addrType: 'IP4',
      address: '192.0.2.10',
      ttl: null,
      addressCount: null,
    });
    assert.deepEqual(s.timings, [{ startTime: 0, stopTime: 0, repeats: [] }]);
    assert.equal(s.media.length, 1);
    const m = s.media[0]!;
    assert.equal(m.media, 'audio');
    assert.equal(m.port, 16384);
    assert.equal(m.portCount, null);
    assert.equal(m.proto, 'RTP/AVP');
    assert.deepEqual(m.formats, ['0', '8', '18', '101', '19']);
    assert.equal(m.connection?.address, '192.0.2.10');
    assert.deepEqual(m.attributes, [
      { kind: 'rtpmap', payloadType: 0, encodingName: 'PCMU', clockRateHz: 8000, encodingParameters: null },
      { kind: 'rtpmap', payloadType: 8, encodingName: 'PCMA', clockRateHz: 8000, encodingParameters: null },
      { kind: 'rtpmap', payloadType: 18, encodingName: 'G729', clockRateHz: 8000, encodingParameters: null },
      { kind: 'fmtp', format: '18', parameters: 'annexb=no' },
      {
        kind: 'rtpmap',
        payloadType: 101,
        encodingName: 'telephone-event',
        clockRateHz: 8000,
        encodingParameters: null,
      },
      { kind: 'fmtp', format: '101', parameters: '0-16' },
      { kind: 'rtpmap', payloadType: 19, encodingName: 'CN', clockRateHz: 8000, encodingParameters: null },
      { kind: 'ptime', ptimeMs: 20 },
    ]);
  });

  it('reads rtcp, opus channels and direction from the FreeSWITCH offer', () => {
    const s = parseSdp(readSdpFixture('freeswitch-offer.sdp'));
    const v = sdpMediaView(s, 0);
    assert.equal(v.direction, 'sendrecv');
    assert.deepEqual(v.rtcp, {
      kind: 'rtcp',
      port: 24681,
      connection: { netType: 'IN', addrType: 'IP4', address: '203.0.113.30', ttl: null, addressCount: null },
    });
    assert.equal(v.rtpMaps.get(102)?.encodingParameters, '2');
    assert.equal(v.fmtps.get('102'), 'useinbandfec=1; maxplaybackrate=16000');
    assert.equal(v.ptimeMs, 20);
  });

  it('reads labels and directions of the SIPREC offer', () => {
    const s = parseSdp(readSdpFixture('siprec-two-stream-offer.sdp'));
    assert.deepEqual(
      s.media.map((_, i) => sdpMediaView(s, i)).map((v) => [v.label, v.direction, v.media.port]),
      [
        ['1', 'sendonly', 20000],
        ['2', 'sendonly', 20002],
      ],
    );
  });

  it('reads IPv6 connection addresses and a=mid', () => {
    const s = parseSdp(readSdpFixture('ipv6-offer.sdp'));
    assert.equal(s.origin.addrType, 'IP6');
    assert.deepEqual(s.connection, {
      netType: 'IN',
      addrType: 'IP6',
      address: '2001:db8::10',
      ttl: null,
      addressCount: null,
    });
    assert.equal(sdpMediaView(s, 0).mid, 'audio0');
  });

  it('keeps unknown attributes in order, with and without values', () => {
    const s = parseSdp(readSdpFixture('video-audio-offer.sdp'));
    assert.deepEqual(s.media[0]!.attributes[3], { kind: 'other', name: 'rtcp-fb', value: '* nack pli' });
    assert.deepEqual(s.bandwidths, [{ type: 'AS', value: 380 }]);
    const t = parseSdp(
      'v=0\no=- 1 1 IN IP4 h\ns=x\nt=0 0\na=x-unknown\na=tool:foo 1.0\nm=audio 1 RTP/AVP 0\nc=IN IP4 h\n',
    );
    assert.deepEqual(t.attributes, [
      { kind: 'other', name: 'x-unknown', value: null },
      { kind: 'other', name: 'tool', value: 'foo 1.0' },
    ]);
  });

  it('reads multicast suffixes, port counts, repeat times and the other session lines', () => {
    const text = [
      'v=0',
      'o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5',
      's= ',
      'i=A Seminar on the session description protocol',
      'u=http://www.example.com/seminars/sdp.pdf',
      'e=j.doe@example.com (Jane Doe)',
      'p=+1 617 555-6011',
      'c=IN IP4 224.2.17.12/127',
      't=2873397496 2873404696',
      'r=7d 1h 0 25h',
      'z=2882844526 -1h 2898848070 0',
      'k=prompt',
      'a=recvonly',
      'm=audio 49170/2 RTP/AVP 0',
      'i=voice',
      'b=CT:64',
      'k=clear:secret',
      'm=video 51372 RTP/AVP 99',
      'c=IN IP6 FF15::101/3',
      'a=rtpmap:99 h263-1998/90000',
      '',
    ].join('\r\n');
    const s = parseSdp(text);
    assert.equal(serializeSdp(s), text);
    assert.deepEqual(s.connection, {
      netType: 'IN',
      addrType: 'IP4',
      address: '224.2.17.12',
      ttl: 127,
      addressCount: null,
    });
    assert.deepEqual(s.media[1]!.connection, {
      netType: 'IN',
      addrType: 'IP6',
      address: 'FF15::101',
      ttl: null,
      addressCount: 3,
    });
    assert.equal(s.media[0]!.portCount, 2);
    assert.deepEqual(s.timings[0]!.repeats, ['7d 1h 0 25h']);
    assert.equal(sdpMediaView(s, 0).direction, 'recvonly');
    assert.equal(s.sessionName, '');
    assert.equal(s.media[0]!.key, 'clear:secret');
  });
});

describe('parseSdp tolerance', () => {
  it('accepts LF line ends and trailing whitespace and writes canonical CRLF', () => {
    const canonical = readSdpFixture('asterisk-offer.sdp');
    const sloppy = canonical.replace(/\r\n/g, ' \t\n');
    assert.equal(serializeSdp(parseSdp(sloppy)), canonical);
  });

  it('media direction overrides session direction', () => {
    const s = parseSdp(
      'v=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\na=sendonly\nm=audio 1 RTP/AVP 0\nm=audio 3 RTP/AVP 0\na=inactive\n',
    );
    assert.equal(sdpMediaView(s, 0).direction, 'sendonly');
    assert.equal(sdpMediaView(s, 1).direction, 'inactive');
  });
});

describe('parseSdp errors', () => {
  const base = 'v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n';
  const cases: [string, string, number][] = [
    ['empty input', '', 0],
    ['v= not first', 'o=- 1 1 IN IP4 h\r\nv=0\r\n', 0],
    ['v=1', 'v=1\r\n', 0],
    ['unknown type letter', base + 'x=1\r\n', base.length],
    ['not a type line', base + 'hello\r\n', base.length],
    ['t= inside media', base + 't=0 0\r\n', base.length],
    ['bad port', base.replace('audio 1 ', 'audio 70000 '), base.indexOf('audio 1 ') + 6],
    ['blank line inside', base.replace('s=-\r\n', 's=-\r\n\r\n'), base.indexOf('c=')],
    ['missing o=', 'v=0\r\ns=-\r\nt=0 0\r\n', 17],
    ['NUL byte', base.replace('s=-', 's=\0'), base.indexOf('s=-') + 2],
    ['r= without t=', 'v=0\r\no=- 1 1 IN IP4 h\r\nr=1\r\n', 23],
    // Still strict on what is not one m-line's own business (issue 10 keeps these refusals).
    ['a malformed session-level attribute', 'v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\na=rtpmap:0 PCMU\r\n', 37],
    ['an unknown type letter in a media description', base + 'y=1\r\n', base.length],
    ['an m= line without formats', base.replace('RTP/AVP 0', 'RTP/AVP'), base.indexOf('audio')],
    ['an m= line with a bad port', base.replace('audio 1 ', 'audio x '), base.indexOf('audio 1 ') + 6],
  ];
  for (const [what, text, offset] of cases) {
    it(`rejects ${what} at byte ${offset}`, () => {
      assert.equal(parseError(() => parseSdp(text)).offset, offset);
    });
  }

  it('names byte offsets, not character offsets, after non-ASCII text', () => {
    const text = 'v=0\r\no=- 1 1 IN IP4 h\r\ns=Café\r\nc=IN IP4 h\r\nt=0 0\r\nz\r\n';
    assert.equal(parseError(() => parseSdp(text)).offset, Buffer.byteLength(text) - 3);
  });

  it('keeps error messages short when the offending value is huge', () => {
    const text = 'v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\na=rtpmap:' + '1'.repeat(50000) + '\r\n';
    assert.ok(parseError(() => parseSdp(text)).message.length < 200);
  });

  it('refuses input over the size limit before reading it', () => {
    assert.equal(parseError(() => parseSdp('v=0\r\n'.repeat(10), { maxBytes: 16 })).offset, 16);
  });
});

describe('parseSdp leniency (issue 10)', () => {
  it('accepts the OpenSIPS siprec offer: no t= line, c= per m-line only', () => {
    const s = parseSdp(readSdpFixture('opensips-siprec-no-t-offer.sdp'));
    assert.deepEqual(s.timings, []);
    assert.equal(s.connection, null);
    assert.equal(s.origin.address, '192.0.2.60');
    assert.deepEqual(
      s.media.map((m) => [
        m.media,
        m.port,
        m.proto,
        m.formats.join(' '),
        m.connection?.address,
        'defect' in m,
      ]),
      [
        ['audio', 35000, 'RTP/AVP', '8 0 101', '192.0.2.60', false],
        ['audio', 35002, 'RTP/AVP', '8 0 101', '192.0.2.61', false],
      ],
    );
    assert.deepEqual(
      [0, 1].map((i) => [
        sdpMediaView(s, i).label,
        sdpMediaView(s, i).direction,
        sdpMediaView(s, i).rtcp?.port,
      ]),
      [
        ['1', 'sendonly', 35001],
        ['2', 'sendonly', 35003],
      ],
    );
  });

  const base = 'v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n';
  // Each of these was a ParseError for the whole description; now it spoils its m-line only.
  const faults: [string, string, string, number][] = [
    [
      'bad payload type',
      base.replace('RTP/AVP 0', 'RTP/AVP 200'),
      'm= format "200" is not an RTP payload type',
      65,
    ],
    [
      'malformed rtpmap',
      base + 'a=rtpmap:0 PCMU\r\n',
      'a=rtpmap value "0 PCMU" is malformed',
      base.length + 9,
    ],
    ['direction with a value', base + 'a=sendonly:yes\r\n', 'a=sendonly takes no value', base.length + 11],
    [
      'duplicate direction',
      base + 'a=sendonly\r\na=recvonly\r\n',
      'duplicate a=direction in a section',
      base.length + 12,
    ],
    [
      'duplicate rtpmap',
      base + 'a=rtpmap:0 PCMU/8000\r\na=rtpmap:0 PCMA/8000\r\n',
      'duplicate a=rtpmap 0 in a section',
      base.length + 22,
    ],
    [
      'malformed media c=',
      base + 'c=IN IP4\r\n',
      'c= line needs 3 fields (nettype addrtype address)',
      base.length + 2,
    ],
    [
      'two c= lines',
      base + 'c=IN IP4 h\r\nc=IN IP4 h\r\n',
      'more than one c= line in a section',
      base.length + 12,
    ],
    ['malformed b=', base + 'b=AS\r\n', 'b= value "AS" is not <bwtype>:<bandwidth>', base.length + 2],
    ['empty a=', base + 'a=\r\n', 'a= line has no value', base.length + 2],
    [
      'no c= at either level',
      'v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n',
      'no c= line at session level or in this media description',
      35,
    ],
  ];
  for (const [what, text, message, offset] of faults) {
    it(`marks the m-line defective for ${what} (byte ${offset}), keeping the description`, () => {
      const s = parseSdp(text);
      assert.equal(s.media.length, 1);
      assert.equal(s.media[0]!.defect, `${message} (at byte offset ${offset})`);
      // A second, sound m-line after the faulty one is not affected.
      const two = parseSdp(`${text}m=audio 3 RTP/AVP 0\r\nc=IN IP4 h2\r\n`);
      assert.equal(two.media[0]!.defect, `${message} (at byte offset ${offset})`);
      assert.equal('defect' in two.media[1]!, false);
    });
  }

  it('keeps the first fault of an m-line and the faulty attribute as written', () => {
    const s = parseSdp(readSdpFixture('lenient-rfc4475-video-lpc-offer.sdp'));
    assert.equal('defect' in s.media[0]!, false);
    const video = s.media[1]!;
    assert.match(video.defect ?? '', /^a=rtpmap value "31 LPC" is malformed \(at byte offset \d+\)$/);
    assert.deepEqual(video.attributes, [{ kind: 'other', name: 'rtpmap', value: '31 LPC' }]);
    const twice = parseSdp(`${base}a=rtpmap:0 PCMU\r\na=ptime:x\r\n`);
    assert.match(twice.media[0]!.defect ?? '', /^a=rtpmap value/);
  });

  it('does not call an m-line with port 0 and no c= defective (RFC 3264 §6 disabled streams)', () => {
    const s = parseSdp(
      'v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nm=video 0 RTP/AVP 31\r\nm=audio 5 RTP/AVP 0\r\nc=IN IP4 h\r\n',
    );
    assert.deepEqual(
      s.media.map((m) => 'defect' in m),
      [false, false],
    );
  });
});
