/*
 * Via, RFC 3261 §20.42 and §25.1 (rport: RFC 3581):
 *
 *   Via           = ( "Via" / "v" ) HCOLON via-parm *(COMMA via-parm)
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport
 *   sent-by       = host [ COLON port ]
 *   via-params    = via-ttl / via-maddr / via-received / via-branch / via-extension
 *   response-port = "rport" [EQUAL 1*DIGIT]
 */
import type { Cursor, SipParam } from './sip-syntax.js';
import { isWsp, paramValue } from './sip-syntax.js';

export interface SipVia {
  /** `SIP/2.0`, whitespace removed. */
  readonly protocol: string;
  /** Transport as written, upper-cased: UDP, TCP, TLS, SCTP, WS, or an extension. */
  readonly transport: string;
  readonly host: string;
  readonly port?: number;
  readonly params: readonly SipParam[];
  readonly branch?: string;
  readonly received?: string;
  /** RFC 3581: a number when filled in, null when requested (`;rport` without a value). */
  readonly rport?: number | null;
}

function readVia(cur: Cursor): SipVia {
  cur.skipWs();
  const name = cur.token('a protocol name');
  cur.expect('/', '"/" in the sent-protocol');
  cur.skipWs();
  const version = cur.token('a protocol version');
  cur.expect('/', '"/" in the sent-protocol');
  cur.skipWs();
  const transport = cur.token('a transport').toUpperCase();
  if (!isWsp(cur.peek())) cur.fail('expected whitespace before sent-by');
  cur.skipWs();
  let host: string;
  const start = cur.pos;
  if (cur.peek() === '[') {
    const close = cur.text.indexOf(']', start);
    if (close < 0) cur.fail('unterminated IPv6 reference');
    cur.pos = close + 1;
  } else {
    while (!cur.done && /[A-Za-z0-9.-]/.test(cur.peek()!)) cur.pos++;
  }
  host = cur.text.slice(start, cur.pos);
  if (host.length === 0 || (host.startsWith('[') && !/^\[[0-9A-Fa-f:.]+\]$/.test(host))) {
    cur.fail('bad sent-by host', start);
  }
  host = host.toLowerCase();
  let port: number | undefined;
  const save = cur.pos;
  cur.skipWs();
  if (cur.peek() === ':') {
    cur.pos++;
    cur.skipWs();
    const at = cur.pos;
    while (!cur.done && /\d/.test(cur.peek()!)) cur.pos++;
    const digits = cur.text.slice(at, cur.pos);
    if (digits.length === 0 || digits.length > 5 || Number(digits) > 65535) cur.fail('bad sent-by port', at);
    port = Number(digits);
  } else {
    cur.pos = save;
  }
  const params = cur.params();
  const branch = paramValue(params, 'branch');
  const received = paramValue(params, 'received');
  const rportRaw = paramValue(params, 'rport');
  let rport: number | null | undefined;
  if (rportRaw === null) rport = null;
  else if (rportRaw !== undefined) {
    if (!/^\d{1,5}$/.test(rportRaw) || Number(rportRaw) > 65535) cur.fail('bad rport value');
    rport = Number(rportRaw);
  }
  return {
    protocol: `${name}/${version}`.toUpperCase(),
    transport,
    host,
    params,
    ...(port !== undefined && { port }),
    ...(typeof branch === 'string' && { branch }),
    ...(typeof received === 'string' && { received }),
    ...(rport !== undefined && { rport }),
  };
}

/** Reads the comma-separated via-parm list of one Via header value. */
export function readViaList(cur: Cursor): SipVia[] {
  const list: SipVia[] = [];
  for (;;) {
    list.push(readVia(cur));
    cur.skipWs();
    if (cur.done) return list;
    if (cur.peek() !== ',') cur.fail('expected "," or end of Via value');
    cur.pos++;
  }
}
