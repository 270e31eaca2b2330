/**
 * Hostile peers against the gateway (issue 9, Deliver 7), bounded and on loopback only: an
 * RTP/DTMF sprayer on another loopback address aimed at a real call's ports, INVITEs with many
 * m-lines, mutated SIP over TCP, and slow-loris TCP connections. Oracle throughout: no crash, no
 * internal error, a legitimate SIPp call served during the attack, memory flat.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Gateway } from '../../src/app/index.js';
import { startGateway } from '../../src/app/index.js';
import { g711Decode } from '../../src/media/codecs/index.js';
import { serializeRtp } from '../../src/media/rtp/index.js';
import { parseWav } from '../../src/media/wav/index.js';
import type { CallEvent } from '../../src/session/index.js';
import type { SipResponse } from '../../src/sip/message/index.js';
import { getHeader, parseMessage } from '../../src/sip/message/index.js';
import { optionsStatus, retainedBytes, sippCalls, staysOnLoopback, until } from './hostile-support.js';
import { createRng, loadSipCorpus, mutateMessage } from './sip-mutator.js';

const HOST = '127.0.0.1';
const SPRAYER = '127.0.0.2';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function udp(host: string): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  return socket;
}

/** A tiny UAC on loopback: INVITE with one PCMU + telephone-event m-line, ACK, BYE. */
class MiniUac {
  readonly callId = `hostile-${Date.now()}-${Math.random().toString(36).slice(2)}@127.0.0.1`;
  readonly responses: SipResponse[] = [];
  #toTag = '';

  private constructor(
    readonly sip: dgram.Socket,
    readonly media: dgram.Socket,
    readonly target: number,
  ) {
    sip.on('message', (bytes) => {
      const message = parseMessage(bytes);
      if (message.kind === 'response') this.responses.push(message);
    });
  }

  static async open(target: number): Promise<MiniUac> {
    return new MiniUac(await udp(HOST), await udp(HOST), target);
  }

  #request(method: string, cseq: number, extra: string[], body = ''): string {
    const port = this.sip.address().port;
    return [
      `${method} sip:bot@${HOST}:${this.target} SIP/2.0`,
      `Via: SIP/2.0/UDP ${HOST}:${port};rport;branch=z9hG4bK-${method}-${Math.random().toString(36).slice(2)}`,
      'Max-Forwards: 70',
      `From: <sip:caller@${HOST}>;tag=uac1`,
      `To: <sip:bot@${HOST}>${this.#toTag ? `;tag=${this.#toTag}` : ''}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:caller@${HOST}:${port}>`,
      ...extra,
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  }

  /** Sends the INVITE and resolves with the final response and the answered RTP port. */
  async invite(mLines = 1): Promise<{ status: number; rtpPort: number }> {
    const mediaPort = this.media.address().port;
    const sdp = [
      'v=0',
      `o=uac 1 1 IN IP4 ${HOST}`,
      's=-',
      `c=IN IP4 ${HOST}`,
      't=0 0',
      ...Array.from({ length: mLines }, (_, i) => [
        `m=audio ${mediaPort + 2 * i} RTP/AVP 0 101`,
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-15',
        'a=sendrecv',
      ]).flat(),
      '',
    ].join('\r\n');
    this.sip.send(this.#request('INVITE', 1, ['Content-Type: application/sdp'], sdp), this.target, HOST);
    await until(() => this.responses.some((r) => r.status >= 200), 'the final response to the INVITE');
    const final = this.responses.find((r) => r.status >= 200)!;
    this.#toTag = /tag=([^;>\s]+)/.exec(getHeader(final, 'To') ?? '')?.[1] ?? '';
    const port = /m=audio (\d+)/.exec(Buffer.from(final.body).toString('latin1'))?.[1];
    return { status: final.status, rtpPort: port === undefined ? 0 : Number(port) };
  }

  ack(): void {
    this.sip.send(this.#request('ACK', 1, []), this.target, HOST);
  }

  async bye(): Promise<void> {
    this.sip.send(this.#request('BYE', 2, []), this.target, HOST);
    await until(
      () => this.responses.some((r) => getHeader(r, 'CSeq')?.includes('BYE') === true),
      'the BYE answer',
    );
  }

  close(): void {
    this.sip.close();
    this.media.close();
  }
}

function rtpPacket(
  seq: number,
  ssrc: number,
  payloadType: number,
  payload: Uint8Array,
  marker = false,
): Uint8Array {
  return serializeRtp({
    marker,
    payloadType,
    sequenceNumber: seq & 0xffff,
    timestamp: (seq * 160) >>> 0,
    ssrc,
    csrcs: [],
    extension: null,
    padding: null,
    payload,
  });
}

/** RFC 4733 §2.3: event `digit`, end bit set, volume 10, duration 800. */
function dtmfPayload(digit: number): Uint8Array {
  return new Uint8Array([digit, 0x8a, 0x03, 0x20]);
}

describe('hostile peers', () => {
  let gateway: Gateway;
  let work: string;
  const events: CallEvent[] = [];
  const errors: unknown[] = [];
  let heapAtStart = 0;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'voxbridge-hostile-'));
    const base = 33000 + (process.pid % 40) * 50;
    gateway = await startGateway({
      sipHost: HOST,
      sipPort: 0,
      rtpPorts: { min: base, max: base + 49 },
      stt: 'none',
      recordDir: work,
      sipMessageTimeoutMs: 1500,
      sipMaxConnectionsPerSource: 8,
      onEvent: (event) => events.push(event),
      onError: (error) => errors.push(error),
    });
    heapAtStart = retainedBytes();
  });

  after(async () => {
    await gateway?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(
    'an RTP/DTMF sprayer on 127.0.0.2 injects no digit and no audio into a real call',
    { timeout: 30_000 },
    async () => {
      const uac = await MiniUac.open(gateway.sipPorts.udp!);
      const sprayer = await udp(SPRAYER);
      try {
        const { status, rtpPort } = await uac.invite();
        assert.equal(status, 200);
        assert.ok(rtpPort > 0);
        uac.ack();
        // The call and its legs are made when the ACK arrives, which is a datagram away.
        let answered = events.find((e) => e.type === 'leg.added' && e.sipCallId === uac.callId);
        for (let i = 0; i < 100 && answered === undefined; i++) {
          await sleep(20);
          answered = events.find((e) => e.type === 'leg.added' && e.sipCallId === uac.callId);
        }
        assert.ok(answered?.type === 'leg.added', 'the call has a leg');
        const callId = answered.callId;
        const rejectedBefore = gateway.pool.rejectedPackets;
        // The sprayer goes first: the old endpoint latched the first source it heard.
        const loud = new Uint8Array(160).fill(0x00); // µ-law full scale
        let sprayed = 0;
        const spray = async (count: number, baseSeq: number): Promise<void> => {
          for (let i = 0; i < count; i++) {
            for (const port of [rtpPort, rtpPort + 1]) {
              sprayer.send(rtpPacket(baseSeq + i, 0x5b5b5b5b, 0, loud), port, HOST);
              sprayer.send(rtpPacket(baseSeq + i, 0x5b5b5b5b, 101, dtmfPayload(5), true), port, HOST);
              sprayed += 2;
            }
            await sleep(5);
          }
        };
        await spray(25, 1000);
        // The real caller streams 2 s of µ-law silence while the sprayer keeps going.
        const silence = new Uint8Array(160).fill(0xff);
        const legit = (async () => {
          for (let seq = 0; seq < 100; seq++) {
            uac.media.send(rtpPacket(seq, 0x11112222, 0, silence), rtpPort, HOST);
            await sleep(20);
          }
        })();
        await spray(50, 2000);
        await legit;
        await until(
          () => gateway.pool.rejectedPackets - rejectedBefore === sprayed,
          'every sprayed datagram rejected',
        );
        const leg = gateway.ingress.calls.find((c) => c.id === callId)?.legs[0];
        assert.equal(leg?.stats.packets, 100, 'the leg took exactly the caller’s packets');
        assert.equal(leg?.stats.dtmfPackets, 0);
        await uac.bye();
        await until(() => events.some((e) => e.type === 'call.ended' && e.callId === callId), 'call.ended');
        assert.deepEqual(
          events.filter((e) => e.type === 'dtmf' && e.callId === callId),
          [],
          'no injected digit',
        );
        // What the call recorded is the caller's silence, not the sprayer's full-scale noise.
        const wav = parseWav(readFileSync(join(work, `${callId}-${answered.legId}.wav`)));
        const pcm = g711Decode('mulaw', wav.samples as Uint8Array);
        assert.ok(pcm.length >= 8000, `recorded ${pcm.length} samples`);
        const peak = pcm.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
        assert.ok(peak < 100, `the recording peaks at ${peak}: injected audio`);
      } finally {
        uac.close();
        sprayer.close();
      }
    },
  );

  it('answers an INVITE with 64 audio m-lines with 488 and lends no port', { timeout: 20_000 }, async () => {
    const uac = await MiniUac.open(gateway.sipPorts.udp!);
    try {
      const inUse = gateway.pool.inUse;
      const { status } = await uac.invite(64);
      assert.equal(status, 488);
      assert.equal(gateway.pool.inUse, inUse);
    } finally {
      uac.ack();
      uac.close();
    }
  });

  it(
    'mutated SIP over TCP and slow-loris connections: bounded, timed out, calls still served',
    { timeout: 60_000 },
    async () => {
      const tcp = gateway.sipPorts.tcp!;
      const calls = sippCalls(gateway.sipPorts.udp!, 4, 2000, 44000 + (process.pid % 1000) * 4);
      const before = gateway.sipStats;
      // Slow loris: 20 connections from one address, each trickling a request a byte at a time.
      const loris: net.Socket[] = [];
      let lorisClosed = 0;
      for (let i = 0; i < 20; i++) {
        const socket = net.connect({ port: tcp, host: HOST, localAddress: SPRAYER });
        socket.on('error', () => undefined);
        socket.on('close', () => lorisClosed++);
        loris.push(socket);
      }
      const request = Buffer.from(
        `OPTIONS sip:bot@${HOST} SIP/2.0\r\nVia: SIP/2.0/TCP ${SPRAYER}:5060;branch=z9hG4bK-loris\r\n`,
      );
      const trickle = (async () => {
        for (let i = 0; i < request.length && lorisClosed < loris.length; i++) {
          for (const s of loris) if (!s.destroyed) s.write(request.subarray(i, i + 1));
          await sleep(40);
        }
      })();
      // Mutated SIP over TCP from 127.0.0.1: one connection at a time, reopened after a framing error.
      const rng = createRng(20261207);
      const corpus = loadSipCorpus();
      let streamed = 0;
      for (let c = 0; c < 200; c++) {
        const socket = net.connect({ port: tcp, host: HOST });
        socket.on('error', () => undefined);
        const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
        await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
        for (let m = 0; m < 20; m++) {
          const bytes = mutateMessage(corpus, rng);
          if (!staysOnLoopback(bytes)) continue;
          socket.write(bytes);
          streamed++;
        }
        socket.end();
        await Promise.race([closed, sleep(200)]);
        socket.destroy();
      }
      await trickle;
      await until(() => lorisClosed === loris.length, 'every slow-loris connection closed', 10_000);
      const result = await calls;
      assert.equal(result.code, 0, `SIPp calls failed during the attack:\n${result.out}`);
      assert.equal(await optionsStatus(gateway.sipPorts.udp!), 200);
      const stats = gateway.sipStats;
      console.log(
        `TCP: ${streamed} mutated messages streamed, ${stats.received - before.received} framed, ` +
          `${stats.framingErrors - before.framingErrors} framing errors, ` +
          `${stats.refusedConnections - before.refusedConnections} connections refused (cap 8 per source), ` +
          `${stats.timedOutConnections - before.timedOutConnections} slow-loris connections timed out`,
      );
      assert.equal(
        stats.refusedConnections - before.refusedConnections,
        12,
        '20 slow connections, 8 allowed',
      );
      assert.equal(stats.timedOutConnections - before.timedOutConnections, 8);
      assert.ok(stats.received - before.received > 100, 'mutated TCP messages were framed and parsed');
      assert.equal(stats.internalErrors, 0);
    },
  );

  it('leaves no port lent, raised no internal error, and held memory flat', async () => {
    // A mutated INVITE over TCP may be answered 2xx on a connection that then closes; its ports
    // stay lent until no ACK has come for 64*T1 = 32 s and the dialog ends (RFC 3261 §13.3.1.4),
    // counted from that INVITE near the start of the TCP test. Ten seconds sufficed only while
    // that test itself took over 20 s (Node 20); on Node 24 it takes 10 s, so wait out the timer.
    await until(() => gateway.pool.inUse === 0, 'every port back', 45_000);
    assert.equal(gateway.sipStats.internalErrors, 0);
    const growthMb = (retainedBytes() - heapAtStart) / 2 ** 20;
    console.log(`retained memory grew ${growthMb.toFixed(1)} MB over the hostile suite`);
    assert.ok(growthMb < 30, `retained memory grew ${growthMb.toFixed(1)} MB`);
  });
});
