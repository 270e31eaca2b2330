/**
 * Issue 10, point 3, over real UDP on loopback against the gateway in-process: SIPREC INVITEs whose
 * multipart body ends without its close delimiter (Cisco, SEMS, Ribbon shapes), an OpenSIPS-style
 * SDP without t=, and offers with m-lines we cannot use are answered 200 with those m-lines
 * declined (port 0), where voxbridge used to answer 488. Every documentation address in the
 * fixtures is rewritten to 127.0.0.1 so that nothing is ever sent off the loopback.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Gateway } from '../../src/app/index.js';
import { startGateway } from '../../src/app/index.js';
import { parseSdp } from '../../src/sip/sdp/index.js';
import { fixture } from '../support/paths.js';
import { sendSipDatagrams } from '../support/sipp/index.js';

const DOCUMENTATION_ADDRESS = /\b(?:192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}\b/g;

/** A fixture INVITE sent to `target`: loopback addresses, a Via with rport, a fresh Call-ID. */
function loopbackInvite(message: string, target: string, callId: string): string {
  const split = message.indexOf('\r\n\r\n');
  const body = message.slice(split + 4).replace(DOCUMENTATION_ADDRESS, '127.0.0.1');
  const headers = message
    .slice(0, split)
    .split('\r\n')
    .map((line, i) => {
      if (i === 0) return `INVITE sip:srs@${target} SIP/2.0`;
      if (/^Via:/i.test(line)) return `Via: SIP/2.0/UDP 127.0.0.1:5999;rport;branch=z9hG4bK-${callId}`;
      if (/^Call-ID:/i.test(line)) return `Call-ID: ${callId}`;
      if (/^Content-Length:/i.test(line)) return `Content-Length: ${Buffer.byteLength(body, 'latin1')}`;
      return line.replace(DOCUMENTATION_ADDRESS, '127.0.0.1');
    });
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}

function sdpInvite(sdpFile: string, target: string, callId: string): string {
  const sdp = readFileSync(fixture(`sip/sdp/${sdpFile}`), 'latin1').replace(/\r?\n/g, '\r\n');
  return loopbackInvite(
    [
      `INVITE sip:bot@${target} SIP/2.0`,
      'Via: x',
      'Max-Forwards: 70',
      `From: <sip:caller@127.0.0.1>;tag=${callId}`,
      `To: <sip:bot@${target}>`,
      'Call-ID: x',
      'CSeq: 1 INVITE',
      'Contact: <sip:caller@127.0.0.1:5999>',
      'Content-Type: application/sdp',
      'Content-Length: 0',
      '',
      sdp,
    ].join('\r\n'),
    target,
    callId,
  );
}

/** The final response and, for a 2xx, its SDP's m-lines as [media, port>0, direction]. */
function finalAnswer(responses: readonly string[]): { status: number; mLines: [string, boolean, string][] } {
  const final = responses.find((r) => Number(/^SIP\/2\.0 (\d{3})/.exec(r)?.[1] ?? 0) >= 200);
  assert.ok(final !== undefined, `no final response: ${responses.join('\n---\n').slice(0, 1500)}`);
  const status = Number(/^SIP\/2\.0 (\d{3})/.exec(final)![1]);
  if (status >= 300) return { status, mLines: [] };
  const sdp = parseSdp(final.slice(final.indexOf('\r\n\r\n') + 4));
  return {
    status,
    mLines: sdp.media.map((m) => [
      m.media,
      m.port !== 0,
      m.attributes.find((a) => a.kind === 'direction')?.direction ?? '-',
    ]),
  };
}

describe('lenient offers over real SIP (issue 10)', () => {
  let gateway: Gateway;
  let target: string;

  before(async () => {
    gateway = await startGateway({
      sipHost: '127.0.0.1',
      sipPort: 0,
      rtpPorts: { min: 28800, max: 28899 },
      stt: 'none',
      onEvent: () => undefined,
    });
    target = `127.0.0.1:${gateway.sipPorts.udp}`;
  });

  after(async () => {
    await gateway?.close();
  });

  for (const name of [
    'cisco-no-close-delimiter.sip',
    'sems-no-close-delimiter.sip',
    'ribbon-no-close-delimiter.sip',
  ]) {
    it(`answers the SIPREC INVITE ${name} 200 with both streams recvonly`, async () => {
      const message = readFileSync(fixture(`sip/siprec/${name}`), 'latin1');
      const [sent] = await sendSipDatagrams(target, [loopbackInvite(message, target, `lenient-${name}`)], {
        waitMs: 1000,
      });
      assert.deepEqual(finalAnswer(sent!.responses), {
        status: 200,
        mLines: [
          ['audio', true, 'recvonly'],
          ['audio', true, 'recvonly'],
        ],
      });
    });
  }

  it('answers an OpenSIPS-style SDP without t= and with c= per m-line', async () => {
    const [sent] = await sendSipDatagrams(
      target,
      [sdpInvite('opensips-siprec-no-t-offer.sdp', target, 'opensips')],
      {
        waitMs: 1000,
      },
    );
    const answer = finalAnswer(sent!.responses);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.mLines, [
      ['audio', true, 'recvonly'],
      ['audio', true, 'recvonly'],
    ]);
  });

  it('answers audio and declines video, BFCP, text and DTLS audio with port 0', async () => {
    const [sent] = await sendSipDatagrams(
      target,
      [sdpInvite('lenient-audio-video-application-offer.sdp', target, 'mixed')],
      { waitMs: 1000 },
    );
    assert.deepEqual(finalAnswer(sent!.responses), {
      status: 200,
      mLines: [
        ['audio', true, 'sendrecv'],
        ['video', false, '-'],
        ['application', false, '-'],
        ['text', false, '-'],
        ['audio', false, '-'],
      ],
    });
  });

  it('answers the RFC 4475 SDP (video m-line with a=rtpmap:31 LPC) instead of 488', async () => {
    const [sent] = await sendSipDatagrams(
      target,
      [sdpInvite('lenient-rfc4475-video-lpc-offer.sdp', target, 'lpc')],
      {
        waitMs: 1000,
      },
    );
    assert.deepEqual(finalAnswer(sent!.responses), {
      status: 200,
      mLines: [
        ['audio', true, 'sendrecv'],
        ['video', false, '-'],
      ],
    });
  });
});
