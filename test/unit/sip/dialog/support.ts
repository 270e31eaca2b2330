import type { SipHeader, SipMessage, SipRequest, SipResponse } from '../../../../src/sip/message/index.js';
import { getCseq, getHeader, getTo, parseMessage } from '../../../../src/sip/message/index.js';
import type { SipDestination } from '../../../../src/sip/transport/index.js';
import { FakeScheduler } from '../../../../src/sip/transaction/testing.js';
import type {
  DialogEndReason,
  DialogInfo,
  IncomingCall,
  SessionAnswer,
  SipUserAgentOptions,
  UasHandler,
} from '../../../../src/sip/dialog/index.js';
import { SipUserAgent } from '../../../../src/sip/dialog/index.js';

export const PEER: SipDestination = { transport: 'udp', address: '127.0.0.1', port: 5070 };
export const SDP_OFFER =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n';
export const SDP_ANSWER =
  'v=0\r\no=vb 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0\r\n';

export interface Sent {
  readonly message: SipMessage;
  readonly destination: SipDestination;
}

/** A handler whose answers the test controls: each onInvite waits for resolve/reject by the test. */
export class RecordingHandler implements UasHandler {
  readonly calls: IncomingCall[] = [];
  readonly ended: Array<{ dialogId: string; reason: DialogEndReason }> = [];
  readonly confirmed: string[] = [];
  readonly dtmf: Array<{ digit: string; durationMs: number }> = [];
  readonly reoffers: SipRequest[] = [];
  private readonly settle = new Map<
    string,
    { resolve: (a: SessionAnswer) => void; reject: (e: unknown) => void }
  >();
  /** When set, onInvite answers at once with this. */
  autoAnswer: SessionAnswer | undefined;
  reofferAnswer: (request: SipRequest) => Promise<SessionAnswer> = () =>
    Promise.resolve({ body: SDP_ANSWER });

  onInvite(call: IncomingCall): Promise<SessionAnswer> {
    this.calls.push(call);
    if (this.autoAnswer !== undefined) return Promise.resolve(this.autoAnswer);
    return new Promise((resolve, reject) => this.settle.set(call.dialogId, { resolve, reject }));
  }

  answer(dialogId: string, answer: SessionAnswer = { body: SDP_ANSWER }): void {
    this.settle.get(dialogId)!.resolve(answer);
  }

  reject(dialogId: string, error: unknown): void {
    this.settle.get(dialogId)!.reject(error);
  }

  onReoffer(_dialog: DialogInfo, request: SipRequest): Promise<SessionAnswer> {
    this.reoffers.push(request);
    return this.reofferAnswer(request);
  }

  /** The ACKs onConfirmed saw (they carry the answer when our 2xx held the offer). */
  readonly acks: SipRequest[] = [];
  /** When set, onConfirmed calls it after recording (it may throw SipRejection). */
  onConfirmedHook: ((ack: SipRequest) => void) | undefined;

  onConfirmed(dialog: DialogInfo, ack: SipRequest): void {
    this.confirmed.push(dialog.dialogId);
    this.acks.push(ack);
    this.onConfirmedHook?.(ack);
  }

  onDtmf(_dialog: DialogInfo, dtmf: { digit: string; durationMs: number }): void {
    this.dtmf.push({ ...dtmf });
  }

  onEnded(dialog: DialogInfo, reason: DialogEndReason): void {
    this.ended.push({ dialogId: dialog.dialogId, reason });
  }
}

export function harness(options: Partial<SipUserAgentOptions> = {}) {
  const scheduler = new FakeScheduler();
  const handler = new RecordingHandler();
  const sent: Sent[] = [];
  const ua = new SipUserAgent({
    send: (message, destination) => sent.push({ message, destination }),
    scheduler,
    handler,
    maxCalls: 10,
    contact: { host: '127.0.0.1', port: 5060 },
    ...options,
  });
  return {
    ua,
    scheduler,
    handler,
    sent,
    responses: (): SipResponse[] => sent.flatMap((s) => (s.message.kind === 'response' ? [s.message] : [])),
    requests: (): SipRequest[] => sent.flatMap((s) => (s.message.kind === 'request' ? [s.message] : [])),
    statuses: (): string[] =>
      sent.map((s) =>
        s.message.kind === 'response' ? `${s.message.status} ${getCseq(s.message).method}` : s.message.method,
      ),
    clear: (): void => {
      sent.length = 0;
    },
  };
}

/** Lets promise callbacks (handler answers) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

export interface RequestSpec {
  readonly method?: string;
  readonly callId?: string;
  readonly fromTag?: string;
  readonly toTag?: string;
  readonly cseq?: number;
  readonly cseqMethod?: string;
  readonly branch?: string;
  readonly headers?: readonly SipHeader[];
  readonly body?: string;
  readonly contentType?: string;
  readonly contact?: string | null;
}

let branchSeq = 0;

/** Builds a request from text, so the parser sees what a peer would send. */
export function req(spec: RequestSpec = {}): SipRequest {
  const method = spec.method ?? 'INVITE';
  const body = spec.body ?? (method === 'INVITE' ? SDP_OFFER : '');
  const lines = [
    `${method} sip:bot@127.0.0.1:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=${spec.branch ?? `z9hG4bK-t${++branchSeq}`}`,
    'Max-Forwards: 70',
    `From: <sip:caller@127.0.0.1>;tag=${spec.fromTag ?? 'peer1'}`,
    `To: <sip:bot@127.0.0.1>${spec.toTag === undefined ? '' : `;tag=${spec.toTag}`}`,
    `Call-ID: ${spec.callId ?? 'call-1@test'}`,
    `CSeq: ${spec.cseq ?? 1} ${spec.cseqMethod ?? method}`,
  ];
  if (spec.contact !== null) lines.push(`Contact: ${spec.contact ?? '<sip:caller@127.0.0.1:5070>'}`);
  for (const h of spec.headers ?? []) lines.push(`${h.name}: ${h.value}`);
  if (body.length > 0) lines.push(`Content-Type: ${spec.contentType ?? 'application/sdp'}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`, '', body);
  const message = parseMessage(new TextEncoder().encode(lines.join('\r\n')));
  if (message.kind !== 'request') throw new Error('not a request');
  return message;
}

/** The ACK for a 2xx: same Call-ID/tags, CSeq number of the INVITE, new branch (RFC 3261 §13.2.2.4). */
export function ackFor(response: SipResponse, spec: RequestSpec = {}): SipRequest {
  return req({
    method: 'ACK',
    toTag: getTo(response).tag!,
    cseq: getCseq(response).seq,
    body: '',
    ...spec,
  });
}

export function header(message: SipMessage, name: string): string | undefined {
  return getHeader(message, name);
}

export function lastResponse(sent: readonly Sent[], status?: number): SipResponse {
  for (let i = sent.length - 1; i >= 0; i--) {
    const m = sent[i]!.message;
    if (m.kind === 'response' && (status === undefined || m.status === status)) return m;
  }
  throw new Error(`no ${status ?? ''} response sent`);
}
