// Offers as deployed peers send them, through SipIngress (issue 10, point 3): m-lines we cannot use
// are declined with port 0 while the audio is answered, SDP without t= or with c= per m-line only
// is answered, and SIPREC bodies whose last part has no close delimiter are recorded. Real request
// text through the real parsers; RTP endpoints and clock are faked (ingress-rig).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { LegAddedEvent } from '../../../src/session/index.js';
import { parseSdp } from '../../../src/sip/sdp/index.js';
import { buildMultipart } from '../../../src/sip/siprec/index.js';
import { fixture } from '../../support/paths.js';
import { readInviteFixture } from '../sip/siprec/invite-fixture.js';
import { rig, request, settle } from './ingress-rig.js';

/** An SDP fixture in the CRLF it travels in. */
const sdpFixture = (name: string): string =>
  readFileSync(fixture(`sip/sdp/${name}`), 'utf8').replace(/\r?\n/g, '\r\n');

const legsAdded = (events: readonly { type: string }[]): LegAddedEvent[] =>
  events.filter((e): e is LegAddedEvent => e.type === 'leg.added');

/** The m-lines of our answer as the offerer reads them. */
function answered(body: string) {
  const sdp = parseSdp(body);
  return {
    connection: sdp.connection?.address,
    timings: sdp.timings.map((t) => `${t.startTime} ${t.stopTime}`),
    media: sdp.media.map((m) => ({
      media: m.media,
      port: m.port,
      formats: m.formats.join(' '),
      direction: m.attributes.find((a) => a.kind === 'direction')?.direction ?? null,
      label: m.attributes.find((a) => a.kind === 'label')?.label ?? null,
    })),
  };
}

describe('SipIngress: decline, do not refuse', () => {
  it('answers a call offering audio, video, BFCP, text and DTLS audio: one stream, four port-0 m-lines', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    const offer = sdpFixture('lenient-audio-video-application-offer.sdp');
    const answer = await r.invite('d1', request({ callId: 'c1', body: offer }));
    assert.deepEqual(answered(answer.body), {
      connection: '127.0.0.1',
      timings: ['0 0'],
      media: [
        { media: 'audio', port: 30000, formats: '0 101', direction: 'sendrecv', label: null },
        { media: 'video', port: 0, formats: '31 98', direction: null, label: null },
        { media: 'application', port: 0, formats: '*', direction: null, label: null },
        { media: 'text', port: 0, formats: '100', direction: null, label: null },
        { media: 'audio', port: 0, formats: '0', direction: null, label: null },
      ],
    });
    assert.equal(r.pool.opened, 1, 'a pair for the answered m-line only');
    r.ingress.onConfirmed(r.info('d1'));
    await settle();
    assert.equal(r.ingress.calls[0]?.legs.length, 1);
  });

  it('answers the RFC 4475 INVITE SDP (video with a=rtpmap:31 LPC) with the audio and video port 0', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    const answer = await r.invite(
      'd1',
      request({ callId: 'c1', body: sdpFixture('lenient-rfc4475-video-lpc-offer.sdp') }),
    );
    assert.deepEqual(answered(answer.body).media, [
      { media: 'audio', port: 30000, formats: '0', direction: 'sendrecv', label: null },
      { media: 'video', port: 0, formats: '31', direction: null, label: null },
    ]);
    assert.equal(r.pool.opened, 1);
  });

  it('counts a defective audio m-line among the other m-lines, not the audio streams it caps', async () => {
    const r = rig({ maxAudioStreams: 2, stt: undefined, recordDir: undefined });
    // Two sound audio m-lines and one whose rtpmap is malformed: within a cap of 2 audio streams.
    const body =
      'v=0\r\no=p 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n' +
      'm=audio 40000 RTP/AVP 0\r\nm=audio 40002 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\nm=audio 40004 RTP/AVP 8\r\n';
    const answer = await r.invite('d1', request({ callId: 'c1', body }));
    assert.deepEqual(
      answered(answer.body).media.map((m) => [m.port, m.formats]),
      [
        [30000, '0'],
        [0, '0'],
        [30002, '8'],
      ],
    );
    assert.equal(r.pool.opened, 2);
  });

  it('declines a video m-line a re-INVITE adds with a malformed rtpmap, keeping the call', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    const first =
      'v=0\r\no=p 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';
    await r.invite('d1', request({ callId: 'c1', body: first }));
    r.ingress.onConfirmed(r.info('d1'));
    const reoffer = request({
      callId: 'c1',
      cseq: 2,
      toTag: 'ours',
      body: first.replace('o=p 1 1', 'o=p 1 2') + 'm=video 40002 RTP/AVP 31\r\na=rtpmap:31 LPC\r\n',
    });
    const answer = await r.ingress.onReoffer(r.info('d1'), reoffer);
    assert.deepEqual(
      answered(answer.body).media.map((m) => [m.media, m.port]),
      [
        ['audio', 30000],
        ['video', 0],
      ],
    );
    assert.equal(r.pool.opened, 1);
    assert.equal(r.ingress.calls[0]?.legs.length, 1);
  });

  it('keeps the m-line cap: 4 audio and 9 declinable m-lines is still a 488 binding nothing', async () => {
    const r = rig({ maxAudioStreams: 4, stt: undefined, recordDir: undefined });
    const audio = Array.from({ length: 4 }, (_, i) => `m=audio ${40000 + 2 * i} RTP/AVP 0\r\n`).join('');
    const video = Array.from(
      { length: 9 },
      (_, i) => `m=video ${50000 + 2 * i} RTP/AVP 31\r\na=rtpmap:31 LPC\r\n`,
    ).join('');
    const body = `v=0\r\no=p 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n${audio}${video}`;
    await assert.rejects(r.invite('d1', request({ callId: 'c1', body })), (error: unknown) => {
      assert.equal((error as { status?: number }).status, 488);
      return true;
    });
    assert.equal(r.pool.opened, 0);
  });
});

describe('SipIngress: SIPREC offers as deployed recording clients send them', () => {
  for (const name of [
    'cisco-no-close-delimiter.sip',
    'sems-no-close-delimiter.sip',
    'ribbon-no-close-delimiter.sip',
  ]) {
    it(`records ${name} (last multipart part without its close delimiter)`, async () => {
      const r = rig({ stt: undefined, recordDir: undefined });
      const invite = readInviteFixture(name);
      const answer = await r.invite(
        'd1',
        request({
          callId: 'c1',
          body: Buffer.from(invite.body).toString('latin1'),
          contentType: invite.contentType,
          headers: ['Require: siprec'],
        }),
      );
      assert.deepEqual(
        answered(answer.body).media.map((m) => [m.media, m.port, m.direction, m.label]),
        [
          ['audio', 30000, 'recvonly', '1'],
          ['audio', 30002, 'recvonly', '2'],
        ],
      );
      r.ingress.onConfirmed(r.info('d1'));
      await settle();
      assert.deepEqual(
        legsAdded(r.events).map((l) => l.label),
        ['1', '2'],
      );
    });
  }

  it('gives no leg to a SIPREC m-line it declines, and answers the OpenSIPS SDP (no t=, c= per m-line)', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    // OpenSIPS' two labelled streams, plus a video stream (unknown codec, malformed rtpmap) the
    // recording client also offers; metadata names all three.
    const sdp = `${sdpFixture('opensips-siprec-no-t-offer.sdp')}m=video 35004 RTP/AVP 31\r\nc=IN IP4 192.0.2.60\r\na=rtpmap:31 LPC\r\na=label:3\r\na=sendonly\r\n`;
    const xml = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<recording xmlns="urn:ietf:params:xml:ns:recording:1">',
      '<datamode>complete</datamode>',
      '<session session_id="s"></session>',
      '<participant participant_id="p1"><nameID aor="sip:a@example.com"/></participant>',
      '<participant participant_id="p2"><nameID aor="sip:b@example.com"/></participant>',
      ...['1', '2', '3'].map((l) => `<stream stream_id="st${l}" session_id="s"><label>${l}</label></stream>`),
      '<participantstreamassoc participant_id="p1"><send>st1</send><send>st3</send></participantstreamassoc>',
      '<participantstreamassoc participant_id="p2"><send>st2</send></participantstreamassoc>',
      '</recording>',
    ].join('\r\n');
    const encoder = new TextEncoder();
    const built = buildMultipart([
      { contentType: 'application/sdp', body: encoder.encode(sdp) },
      {
        contentType: 'application/rs-metadata+xml',
        headers: [{ name: 'Content-Disposition', value: 'recording-session' }],
        body: encoder.encode(xml),
      },
    ]);
    const answer = await r.invite(
      'd1',
      request({
        callId: 'c1',
        body: Buffer.from(built.body).toString('latin1'),
        contentType: built.contentType,
        headers: ['Require: siprec'],
      }),
    );
    assert.deepEqual(answered(answer.body), {
      connection: '127.0.0.1',
      timings: ['0 0'],
      media: [
        { media: 'audio', port: 30000, formats: '8 101', direction: 'recvonly', label: '1' },
        { media: 'audio', port: 30002, formats: '8 101', direction: 'recvonly', label: '2' },
        { media: 'video', port: 0, formats: '31', direction: null, label: null },
      ],
    });
    assert.equal(r.pool.opened, 2);
    r.ingress.onConfirmed(r.info('d1'));
    await settle();
    assert.deepEqual(
      legsAdded(r.events).map((l) => l.label),
      ['1', '2'],
    );
  });
});
