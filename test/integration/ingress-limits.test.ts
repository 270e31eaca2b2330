/**
 * Issue 9, "one INVITE can take any number of RTP ports": hostile INVITEs over real UDP on
 * loopback against the gateway in-process, where the test can see the port pool. An INVITE with
 * many audio m-lines gets a short 488 and binds nothing; a source that never ACKs can hold at most
 * `maxUnackedPerSource` answered dialogs (and their ports), the rest get 503.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Gateway } from '../../src/app/index.js';
import { startGateway } from '../../src/app/index.js';
import { ScriptedStt } from '../../src/engines/spi/testing/index.js';
import type { CallEvent } from '../../src/session/index.js';
import { sendSipDatagrams } from '../support/sipp/index.js';

function invite(target: string, callId: string, audioStreams: number): string {
  const sdp = [
    'v=0',
    'o=hostile 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    ...Array.from({ length: audioStreams }, (_, i) => [
      `m=audio ${40000 + 2 * i} RTP/AVP 0`,
      'a=rtpmap:0 PCMU/8000',
    ]).flat(),
    '',
  ].join('\r\n');
  return [
    `INVITE sip:bot@${target} SIP/2.0`,
    // rport (RFC 3581): answers come back to the sending socket.
    `Via: SIP/2.0/UDP 127.0.0.1:5999;rport;branch=z9hG4bK-${callId}`,
    'Max-Forwards: 70',
    `From: <sip:hostile@127.0.0.1>;tag=${callId}`,
    `To: <sip:bot@${target}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    'Contact: <sip:hostile@127.0.0.1:5999>',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    sdp,
  ].join('\r\n');
}

function finalStatus(responses: readonly string[]): number {
  const statuses = responses.map((r) => Number(/^SIP\/2\.0 (\d{3})/.exec(r)?.[1] ?? 0));
  return statuses.find((s) => s >= 200) ?? 0;
}

describe('SIP ingress limits against hostile INVITEs', () => {
  let gateway: Gateway;
  let target: string;

  before(async () => {
    gateway = await startGateway({
      sipHost: '127.0.0.1',
      sipPort: 0,
      rtpPorts: { min: 29600, max: 29999 },
      stt: 'none',
      onEvent: () => undefined,
    });
    target = `127.0.0.1:${gateway.sipPorts.udp}`;
  });

  after(async () => {
    await gateway?.close();
  });

  it('answers an INVITE with 150 audio m-lines with a short 488 naming the limit, binding no port', async () => {
    const request = invite(target, 'many-mlines', 150);
    assert.ok(request.length > 3500, `the INVITE is ${request.length} bytes`);
    const [sent] = await sendSipDatagrams(target, [request], { waitMs: 1000 });
    const responses = sent!.responses;
    assert.equal(finalStatus(responses), 488, responses.join('\n---\n').slice(0, 2000));
    const final = responses.find((r) => r.startsWith('SIP/2.0 488'))!;
    assert.match(final, /\r\nWarning: 399 [^ ]+ "150 audio streams offered; at most 4 per call"/);
    assert.ok(final.length < 1000, `the 488 is ${final.length} bytes`);
    assert.equal(gateway.pool.inUse, 0);
    assert.equal(gateway.ingress.tooManyStreams, 1);
    assert.equal(gateway.ingress.activeCalls, 0);
  });

  it('lets one source that never ACKs hold at most 32 answered dialogs; the rest get 503', async () => {
    const datagrams = Array.from({ length: 40 }, (_, i) => invite(target, `unacked-${i}`, 1));
    const sent = await sendSipDatagrams(target, datagrams, { waitMs: 40 });
    // Late answers land in the window of a later datagram: match them by Call-ID.
    const all = sent.flatMap((s) => s.responses);
    const statusOf = (callId: string): number =>
      finalStatus(all.filter((r) => r.includes(`\r\nCall-ID: ${callId}\r\n`)));
    const statuses = datagrams.map((_, i) => statusOf(`unacked-${i}`));
    assert.deepEqual(statuses.slice(0, 32), Array<number>(32).fill(200));
    assert.deepEqual(statuses.slice(32), Array<number>(8).fill(503));
    assert.ok(all.some((r) => r.startsWith('SIP/2.0 503') && /\r\nRetry-After: \d+\r\n/.test(r)));
    assert.equal(gateway.userAgent.stats.unackedRefused, 8);
    assert.equal(gateway.userAgent.unackedDialogs, 32);
    assert.equal(gateway.pool.inUse, 32, 'one port pair per answered dialog, none for the refused');
    assert.equal(gateway.ingress.calls.length, 0, 'no call (no recognizer, no recording) before an ACK');
  });
});

describe('recognizer admission over real SIP', () => {
  let gateway: Gateway;
  let target: string;
  const events: CallEvent[] = [];

  before(async () => {
    gateway = await startGateway({
      sipHost: '127.0.0.1',
      sipPort: 0,
      rtpPorts: { min: 29500, max: 29599 },
      stt: 'pocketsphinx',
      sttEngine: new ScriptedStt({ utterances: ['hello'] }),
      maxRecognizerStreams: 1,
      onEvent: (event) => events.push(event),
    });
    target = `127.0.0.1:${gateway.sipPorts.udp}`;
  });

  after(async () => {
    await gateway?.close();
  });

  it('answers calls while a recognizer is free, then 503 + Retry-After, binding nothing', async () => {
    const [first] = await sendSipDatagrams(target, [invite(target, 'admitted', 1)], { waitMs: 500 });
    assert.equal(finalStatus(first!.responses), 200);
    assert.equal(gateway.admission?.inUse, 1);
    const portsInUse = gateway.pool.inUse;
    const [second] = await sendSipDatagrams(target, [invite(target, 'over-limit', 1)], { waitMs: 500 });
    assert.equal(finalStatus(second!.responses), 503);
    const refusal = second!.responses.find((r) => r.startsWith('SIP/2.0 503'))!;
    assert.match(refusal, /\r\nRetry-After: \d+\r\n/);
    assert.match(refusal, /\r\nWarning: 399 voxbridge "all recognizers are busy"/);
    assert.equal(gateway.pool.inUse, portsInUse, 'the refused call bound no port');
    assert.equal(gateway.counts.admissionRefused, 1);
    assert.equal(gateway.counts.recognizerLimit, 1);
    assert.equal(events.length, 0, 'no call exists before an ACK');
  });
});
