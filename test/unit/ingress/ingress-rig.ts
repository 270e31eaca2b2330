// A SipIngress with everything around it faked that the network would otherwise provide: RTP
// endpoints without sockets, a fake scheduler and a manual media ticker on one fake clock. The
// SIP requests are real text parsed by the real parser.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScriptedStt } from '../../../src/engines/spi/testing/index.js';
import type { SipIngressOptions } from '../../../src/ingress/sip/index.js';
import { SipIngress } from '../../../src/ingress/sip/index.js';
import type { RtpPacket } from '../../../src/media/rtp/index.js';
import type { CallEvent } from '../../../src/session/index.js';
import { MediaTicker } from '../../../src/session/index.js';
import type { DialogInfo, IncomingCall, SessionAnswer } from '../../../src/sip/dialog/index.js';
import type { SipRequest } from '../../../src/sip/message/index.js';
import { parseMessage } from '../../../src/sip/message/index.js';
import { FakeScheduler } from '../../../src/sip/transaction/testing.js';

export class FakeEndpoint {
  readonly rtpPort: number;
  readonly rtcpPort: number;
  onPacket: ((packet: RtpPacket, arrivalMs: number) => void) | undefined;
  remote: { address: string; port: number; rtcpPort: number } | undefined;
  readonly sent: RtpPacket[] = [];
  closed = false;

  constructor(
    port: number,
    private readonly pool: FakePool,
  ) {
    this.rtpPort = port;
    this.rtcpPort = port + 1;
  }

  setRemote(remote: { address: string; port: number; rtcpPort: number } | undefined): void {
    this.remote = remote;
  }

  send(packet: RtpPacket): void {
    this.sent.push(packet);
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.pool.inUse--;
    }
    return Promise.resolve();
  }
}

export class FakePool {
  inUse = 0;
  /** Pairs ever bound. */
  opened = 0;
  readonly endpoints: FakeEndpoint[] = [];
  #next = 30000;

  open(count: number): Promise<FakeEndpoint[]> {
    const out: FakeEndpoint[] = [];
    for (let i = 0; i < count; i++) {
      const endpoint = new FakeEndpoint(this.#next, this);
      this.#next += 2;
      out.push(endpoint);
    }
    this.inUse += count;
    this.opened += count;
    this.endpoints.push(...out);
    return Promise.resolve(out);
  }
}

export function rtp(sequenceNumber: number, payloadType = 0): RtpPacket {
  return {
    marker: false,
    payloadType,
    sequenceNumber,
    timestamp: sequenceNumber * 160,
    ssrc: 0x1234,
    csrcs: [],
    extension: null,
    payload: new Uint8Array(160).fill(0xff),
    padding: null,
  };
}

export function sdp(streams: readonly string[][]): string {
  const lines = ['v=0', 'o=peer 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0'];
  streams.forEach((extra, i) => {
    lines.push(`m=audio ${40000 + 2 * i} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ...extra);
  });
  return `${lines.join('\r\n')}\r\n`;
}

let seq = 0;

export function request(options: {
  callId: string;
  body: string;
  contentType?: string;
  cseq?: number;
  toTag?: string;
  headers?: readonly string[];
}): SipRequest {
  const body = options.body;
  const lines = [
    `INVITE sip:bot@127.0.0.1:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-ing${++seq}`,
    'Max-Forwards: 70',
    'From: <sip:+15551230001@127.0.0.1>;tag=peer',
    `To: <sip:bot@127.0.0.1>${options.toTag === undefined ? '' : `;tag=${options.toTag}`}`,
    `Call-ID: ${options.callId}`,
    `CSeq: ${options.cseq ?? 1} INVITE`,
    'Contact: <sip:caller@127.0.0.1:5070>',
    ...(options.headers ?? []),
    `Content-Type: ${options.contentType ?? 'application/sdp'}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ];
  const message = parseMessage(new TextEncoder().encode(lines.join('\r\n')));
  if (message.kind !== 'request') throw new Error('not a request');
  return message;
}

/** Lets promise callbacks and microtasks (event delivery) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
}

export function rig(options: Partial<SipIngressOptions> = {}) {
  const scheduler = new FakeScheduler();
  const ticker = new MediaTicker({ clock: scheduler.clock, manual: true });
  const pool = new FakePool();
  const events: CallEvent[] = [];
  const hangups: string[] = [];
  const recordDir = mkdtempSync(join(tmpdir(), 'voxbridge-ingress-'));
  const stt = new ScriptedStt({ utterances: ['hello'] });
  // Every recognizer reads the engine's capabilities when it is built: count them.
  let recognizersBuilt = 0;
  const capabilities = stt.capabilities;
  Object.defineProperty(stt, 'capabilities', {
    get: () => {
      recognizersBuilt++;
      return capabilities;
    },
  });
  const ingress = new SipIngress({
    pool,
    mediaAddress: '127.0.0.1',
    scheduler,
    ticker,
    stt,
    recordDir,
    onEvent: (event) => events.push(event),
    hangup: (dialogId) => {
      hangups.push(dialogId);
      return Promise.resolve();
    },
    ...options,
  });
  const controllers = new Map<string, AbortController>();
  return {
    ingress,
    scheduler,
    ticker,
    pool,
    events,
    hangups,
    recordDir,
    recognizersBuilt: () => recognizersBuilt,
    invite(dialogId: string, req: SipRequest): Promise<SessionAnswer> {
      const controller = new AbortController();
      controllers.set(dialogId, controller);
      const incoming: IncomingCall = {
        dialogId,
        sipCallId: `${dialogId}@test`,
        request: req,
        source: { transport: 'udp', address: '127.0.0.1', port: 5070 },
        signal: controller.signal,
      };
      return ingress.onInvite(incoming);
    },
    info(dialogId: string): DialogInfo {
      return { dialogId, sipCallId: `${dialogId}@test` };
    },
    types(): string[] {
      return events.map((e) => e.type);
    },
  };
}
