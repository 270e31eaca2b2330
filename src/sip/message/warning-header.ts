import type { SipHeader } from './sip-message.js';

/** Longest warn-text we send: enough to name a header or an m-line and why. */
const MAX_WARNING_CHARS = 200;

/**
 * Text made safe for a quoted-string (RFC 3261 §25.1): quotes and backslashes become `'`, runs of
 * control characters one space, and the length is bounded, because the text may echo parts of
 * what the peer sent.
 */
export function quotedText(text: string, maxChars = MAX_WARNING_CHARS): string {
  let out = '';
  let space = false;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f) {
      if (!space) out += ' ';
      space = true;
      continue;
    }
    space = false;
    out += ch === '"' || ch === '\\' ? "'" : ch;
    if (out.length >= maxChars) break;
  }
  return out.trim().slice(0, maxChars);
}

/**
 * RFC 3261 §20.43: `Warning: 399 agent "text"`. Code 399 is the "miscellaneous warning", the one
 * for free text; the agent is our host[:port] (or a pseudonym).
 */
export function warningHeader(agent: string, text: string): SipHeader {
  return { name: 'Warning', value: `399 ${agent} "${quotedText(text)}"` };
}
