import { headerKey } from './header-names.js';
import type { SipMessage } from './sip-message.js';

const encoder = new TextEncoder();

/**
 * Writes a message as wire bytes (RFC 3261 §7): start line, one `Name: value` line per header in
 * order, CRLF, body. Content-Length is set to the body's length, in place when the message has
 * one (its name spelling kept) and appended otherwise. A message parsed from canonical bytes
 * (single SP after the colon, no folding) serializes back to exactly those bytes.
 */
export function serializeMessage(msg: SipMessage): Uint8Array {
  const start =
    msg.kind === 'request'
      ? `${msg.method} ${msg.uri} ${msg.version}`
      : `${msg.version} ${msg.status} ${msg.reason}`;
  let text = `${start}\r\n`;
  let hasLength = false;
  for (const h of msg.headers) {
    let value = h.value;
    if (headerKey(h.name) === 'content-length') {
      // RFC 3261 §20.14: the value is the body size in octets; only the first one is kept.
      if (hasLength) continue;
      hasLength = true;
      value = String(msg.body.length);
    }
    text += `${h.name}: ${value}\r\n`;
  }
  if (!hasLength) text += `Content-Length: ${msg.body.length}\r\n`;
  text += '\r\n';
  const head = encoder.encode(text);
  const out = new Uint8Array(head.length + msg.body.length);
  out.set(head);
  out.set(msg.body, head.length);
  return out;
}
