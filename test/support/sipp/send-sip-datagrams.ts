import { createSocket } from 'node:dgram';

export interface SentDatagram {
  /** What was sent, as given. */
  request: string | Uint8Array;
  /** Every datagram that came back before the next one was sent (or the final wait ended). */
  responses: string[];
}

/**
 * Sends SIP datagrams (malformed on purpose, usually) one at a time from 127.0.0.1 to `target`,
 * waiting `waitMs` after each, and records what came back for each. A server that must answer some
 * of them with 400 and silently drop the rest is checked this way without SIPp, which refuses to
 * send a message it cannot itself parse. Never throws for the server's behaviour.
 */
export async function sendSipDatagrams(
  target: string,
  datagrams: (string | Uint8Array)[],
  options: { waitMs?: number } = {},
): Promise<SentDatagram[]> {
  const m = /^127\.0\.0\.1:(\d+)$/.exec(target);
  if (m === null) throw new Error(`the rig only sends to 127.0.0.1:PORT, not ${target}`);
  const port = Number(m[1]);
  const waitMs = options.waitMs ?? 300;
  const socket = createSocket('udp4');
  const results: SentDatagram[] = [];
  let current: SentDatagram | undefined;
  socket.on('message', (msg) => current?.responses.push(msg.toString('latin1')));
  // An ICMP port unreachable surfaces as a socket error; it means "no answer", not a failure here.
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  try {
    for (const request of datagrams) {
      current = { request, responses: [] };
      results.push(current);
      const bytes = typeof request === 'string' ? Buffer.from(request, 'latin1') : request;
      await new Promise<void>((resolve) => socket.send(bytes, port, '127.0.0.1', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
  return results;
}

/** A valid OPTIONS with one header replaced or removed, for building malformed requests. */
export function sipOptionsRequest(target: string, replace: Record<string, string | undefined> = {}): string {
  const headers: Record<string, string> = {
    Via: `SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-rig-${Math.random().toString(36).slice(2)}`,
    From: '<sip:rig@127.0.0.1>;tag=rig1',
    To: `<sip:voxbridge@${target}>`,
    'Call-ID': `rig-${Math.random().toString(36).slice(2)}@127.0.0.1`,
    CSeq: '1 OPTIONS',
    'Max-Forwards': '70',
    'Content-Length': '0',
  };
  for (const [name, value] of Object.entries(replace)) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return [`OPTIONS sip:voxbridge@${target} SIP/2.0`, ...lines, '', ''].join('\r\n');
}
