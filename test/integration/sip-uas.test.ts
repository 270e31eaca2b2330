import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DialogEndReason, IncomingCall, SessionAnswer, UasHandler } from '../../src/sip/dialog/index.js';
import { SipUserAgent } from '../../src/sip/dialog/index.js';
import type { SipResponse } from '../../src/sip/message/index.js';
import { getCseq, getHeader, getTo, parseMessage } from '../../src/sip/message/index.js';
import { createTimerScheduler } from '../../src/sip/transaction/index.js';
import { SipTransport } from '../../src/sip/transport/index.js';

const ANSWER =
  'v=0\r\no=voxbridge 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';

/** Answers every call with a fixed SDP, or (when `hold` is set) never, so it can be cancelled. */
class FixedAnswerHandler implements UasHandler {
  readonly invites: IncomingCall[] = [];
  readonly ended: Array<{ sipCallId: string; reason: DialogEndReason }> = [];
  hold = false;

  onInvite(call: IncomingCall): Promise<SessionAnswer> {
    this.invites.push(call);
    if (!this.hold) return Promise.resolve({ body: ANSWER });
    return new Promise((_resolve, reject) => {
      call.signal.addEventListener('abort', () => reject(new Error('cancelled')));
    });
  }

  onReoffer(): Promise<SessionAnswer> {
    return Promise.resolve({ body: ANSWER });
  }

  onEnded(dialog: { sipCallId: string }, reason: DialogEndReason): void {
    this.ended.push({ sipCallId: dialog.sipCallId, reason });
  }
}

async function start(
  handler: UasHandler,
): Promise<{ transport: SipTransport; ua: SipUserAgent; port: number }> {
  const transport = new SipTransport({ host: '127.0.0.1', port: 0, tcp: false });
  await transport.listen();
  const port = transport.ports.udp!;
  const ua = new SipUserAgent({
    // A send that fails (peer gone) is a lost datagram, never an unhandled rejection.
    send: (m, d) => void transport.send(m, d).catch(() => undefined),
    scheduler: createTimerScheduler(),
    handler,
    maxCalls: 10,
    contact: { host: '127.0.0.1', port },
  });
  transport.on('message', ({ message, source, connectionId }) =>
    ua.receive(
      message,
      connectionId !== undefined
        ? { transport: 'tcp', connectionId }
        : { transport: 'udp', address: source.address, port: source.port },
    ),
  );
  return { transport, ua, port };
}

describe('SipUserAgent with SIPp as the UAC (sipp -sn uac)', () => {
  const handler = new FixedAnswerHandler();
  let transport: SipTransport;
  let ua: SipUserAgent;
  let port: number;
  let sipp: ChildProcess | undefined;
  let dir: string;

  before(async () => {
    ({ transport, ua, port } = await start(handler));
    dir = mkdtempSync(join(tmpdir(), 'vox-sipp-'));
  });

  after(async () => {
    if (sipp !== undefined && sipp.exitCode === null) sipp.kill('SIGKILL');
    await ua.shutdown();
    await transport.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('places 3 calls (INVITE/ACK/BYE); SIPp exits 0 and every call ends with remote-bye', async () => {
    const calls = 3;
    const child = spawn(
      'sipp',
      [
        '-sn',
        'uac',
        `127.0.0.1:${port}`,
        '-i',
        '127.0.0.1',
        '-m',
        String(calls),
        '-l',
        '1',
        '-d',
        '200',
        '-nostdin',
        '-timeout',
        '20s',
        '-timeout_error',
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    sipp = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', () => undefined);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 0, stderr);
    assert.equal(handler.invites.length, calls);
    const ids = handler.invites.map((c) => c.sipCallId);
    assert.equal(new Set(ids).size, calls);
    assert.deepEqual(
      handler.ended.map((e) => e.reason),
      Array<DialogEndReason>(calls).fill('remote-bye'),
    );
    assert.deepEqual(handler.ended.map((e) => e.sipCallId).sort(), [...ids].sort());
    assert.equal(ua.activeCalls, 0);
    assert.equal(ua.dialogCount, 0);
    assert.equal(ua.stats.answered, calls);
  });
});

/** A raw UDP peer on 127.0.0.1 that collects the responses it gets. */
class RawPeer {
  readonly socket = dgram.createSocket('udp4');
  readonly received: SipResponse[] = [];
  private waiters: Array<() => void> = [];

  async bind(): Promise<number> {
    this.socket.on('message', (bytes) => {
      try {
        const m = parseMessage(bytes);
        if (m.kind === 'response') this.received.push(m);
      } catch {
        return;
      }
      for (const w of this.waiters.splice(0)) w();
    });
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    return this.socket.address().port;
  }

  send(text: string, port: number): void {
    this.socket.send(Buffer.from(text), port, '127.0.0.1');
  }

  /** Waits until a response matching `pred` arrived (the test's own timeout bounds it). */
  async waitFor(pred: (r: SipResponse) => boolean): Promise<SipResponse> {
    for (;;) {
      const found = this.received.find(pred);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

function request(
  method: string,
  port: number,
  peerPort: number,
  opts: { branch: string; callId: string; toTag?: string; cseqMethod?: string },
): string {
  const lines = [
    `${method} sip:bot@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${peerPort};branch=${opts.branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:raw@127.0.0.1>;tag=raw1`,
    `To: <sip:bot@127.0.0.1>${opts.toTag === undefined ? '' : `;tag=${opts.toTag}`}`,
    `Call-ID: ${opts.callId}`,
    `CSeq: 1 ${opts.cseqMethod ?? method}`,
    `Contact: <sip:raw@127.0.0.1:${peerPort}>`,
    'Content-Length: 0',
    '',
    '',
  ];
  return lines.join('\r\n');
}

describe('SipUserAgent with a raw UDP client', () => {
  const handler = new FixedAnswerHandler();
  const peer = new RawPeer();
  let transport: SipTransport;
  let ua: SipUserAgent;
  let port: number;
  let peerPort: number;

  before(async () => {
    handler.hold = true;
    ({ transport, ua, port } = await start(handler));
    peerPort = await peer.bind();
  });

  after(async () => {
    await ua.shutdown();
    await transport.close();
    await peer.close();
  });

  it('CANCEL before the answer: 200 to CANCEL, 487 to INVITE, onEnded(cancelled)', async () => {
    const ids = { branch: 'z9hG4bK-raw-inv', callId: 'raw-cancel@127.0.0.1' };
    peer.send(request('INVITE', port, peerPort, ids), port);
    const ringing = await peer.waitFor((r) => r.status === 180);
    peer.send(request('CANCEL', port, peerPort, ids), port);
    const cancelOk = await peer.waitFor((r) => r.status === 200 && getCseq(r).method === 'CANCEL');
    const terminated = await peer.waitFor((r) => r.status === 487);
    assert.equal(getCseq(terminated).method, 'INVITE');
    assert.equal(getTo(terminated).tag, getTo(ringing).tag);
    assert.equal(getTo(cancelOk).tag, getTo(ringing).tag);
    peer.send(request('ACK', port, peerPort, { ...ids, toTag: getTo(terminated).tag! }), port);
    assert.deepEqual(handler.ended, [{ sipCallId: ids.callId, reason: 'cancelled' }]);
    assert.equal(ua.activeCalls, 0);
  });

  it('OPTIONS: 200 with Allow, Accept and Supported', async () => {
    peer.send(
      request('OPTIONS', port, peerPort, { branch: 'z9hG4bK-raw-opt', callId: 'raw-options@127.0.0.1' }),
      port,
    );
    const ok = await peer.waitFor((r) => getCseq(r).method === 'OPTIONS');
    assert.equal(ok.status, 200);
    assert.equal(getHeader(ok, 'Allow'), 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE');
    assert.equal(getHeader(ok, 'Supported'), 'timer');
    assert.match(getHeader(ok, 'Accept') ?? '', /^application\/sdp/);
  });
});
