/**
 * Header-name knowledge: compact forms (RFC 3261 §7.3.3 and the IANA registry), which headers are
 * comma-separated lists (RFC 3261 §7.3.1), and which may appear only once.
 */

// RFC 3261 §7.3.3 and §20; RFC 3265 (o, u), RFC 3515 (r), RFC 3892 (b), RFC 4028 (x),
// RFC 3841 (a, j, d), RFC 4474 (y, n).
const COMPACT: Readonly<Record<string, string>> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  u: 'allow-events',
  r: 'refer-to',
  b: 'referred-by',
  x: 'session-expires',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
  y: 'identity',
  n: 'identity-info',
};

/** Lower-case long form of a header name, compact forms expanded: `v` → `via`, `CSeq` → `cseq`. */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT[lower] ?? lower;
}

// RFC 3261 §7.3.1: headers whose grammar is a comma-separated list, so that several lines may be
// combined into one and one line may hold several values.
const LIST_HEADERS = new Set([
  'accept',
  'accept-contact',
  'accept-encoding',
  'accept-language',
  'alert-info',
  'allow',
  'allow-events',
  'call-info',
  'contact',
  'content-encoding',
  'content-language',
  'error-info',
  'in-reply-to',
  'path',
  'proxy-require',
  'reason',
  'record-route',
  'reject-contact',
  'request-disposition',
  'require',
  'route',
  'security-client',
  'security-server',
  'security-verify',
  'service-route',
  'supported',
  'unsupported',
  'via',
  'warning',
]);

export function isListHeader(key: string): boolean {
  return LIST_HEADERS.has(key);
}

// RFC 3261 §20: these carry exactly one value; a second occurrence makes the message malformed
// (RFC 4475 §3.3.8, §3.3.9).
export const SINGLE_HEADERS: readonly string[] = [
  'call-id',
  'cseq',
  'from',
  'to',
  'max-forwards',
  'content-length',
  'content-type',
  'expires',
];
