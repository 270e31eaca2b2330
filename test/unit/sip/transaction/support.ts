import type { SipMessage, SipRequest, SipResponse } from '../../../../src/sip/message/index.js';
import { parseMessage } from '../../../../src/sip/message/index.js';
import type { SipDestination, TransactionLayerOptions } from '../../../../src/sip/transaction/index.js';
import { TransactionLayer } from '../../../../src/sip/transaction/index.js';
import { FakeScheduler } from '../../../../src/sip/transaction/testing.js';

export const UDP_PEER: SipDestination = { transport: 'UDP', host: '192.0.2.10', port: 5060 };
export const TCP_PEER: SipDestination = { transport: 'TCP', host: '192.0.2.10', port: 5060 };

const enc = new TextEncoder();

export interface RequestSpec {
  readonly method?: string;
  readonly branch?: string;
  readonly transport?: string;
  readonly cseq?: number;
  readonly cseqMethod?: string;
  readonly toTag?: string;
  readonly uri?: string;
}

export function request(spec: RequestSpec = {}): SipRequest {
  const method = spec.method ?? 'INVITE';
  const to = `<sip:bob@voxbridge.example>${spec.toTag === undefined ? '' : `;tag=${spec.toTag}`}`;
  const text = [
    `${method} ${spec.uri ?? 'sip:bob@voxbridge.example'} SIP/2.0`,
    `Via: SIP/2.0/${spec.transport ?? 'UDP'} 192.0.2.10:5060;branch=${spec.branch ?? 'z9hG4bK-a1'}`,
    'Max-Forwards: 70',
    `To: ${to}`,
    'From: <sip:alice@pbx.example>;tag=from1',
    'Call-ID: call-1@pbx.example',
    `CSeq: ${spec.cseq ?? 1} ${spec.cseqMethod ?? method}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const msg = parseMessage(enc.encode(text));
  if (msg.kind !== 'request') throw new Error('expected a request');
  return msg;
}

export function response(req: SipRequest, status: number, toTag = 'uas1'): SipResponse {
  const headers = req.headers.map((h) =>
    h.name === 'To' && status !== 100 && !h.value.includes('tag=')
      ? { ...h, value: `${h.value};tag=${toTag}` }
      : h,
  );
  return { kind: 'response', version: 'SIP/2.0', status, reason: 'X', headers, body: new Uint8Array(0) };
}

export interface Sent {
  readonly atMs: number;
  readonly message: SipMessage;
  readonly destination: SipDestination;
}

export function describeSent(s: Sent): string {
  return s.message.kind === 'request' ? s.message.method : String(s.message.status);
}

export function harness(options: Partial<TransactionLayerOptions> = {}) {
  const scheduler = new FakeScheduler();
  const sent: Sent[] = [];
  const requests: { request: SipRequest; tx: Parameters<TransactionLayerOptions['onRequest']>[1] }[] = [];
  const acks: SipRequest[] = [];
  const timeouts: string[] = [];
  const layer = new TransactionLayer({
    scheduler,
    send: (message, destination) => sent.push({ atMs: scheduler.clock.nowMs(), message, destination }),
    onRequest: (req, tx) => requests.push({ request: req, tx }),
    onAck: (ack) => acks.push(ack),
    onServerTimeout: (_tx, error) => timeouts.push(error.code),
    ...options,
  });
  return { scheduler, sent, requests, acks, timeouts, layer };
}
