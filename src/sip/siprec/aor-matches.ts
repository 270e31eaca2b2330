/**
 * Address-of-record comparison for role decisions. Recorded calls reach the SRC through SBCs and
 * trunks, so the same party shows up as `sip:5139316000@att.int` in metadata and as
 * `"Bob" <sip:5139316000@10.0.0.1:5060>;tag=x` in a From header: we compare `user@host` without
 * scheme, port, parameters or display name, case-insensitively, and fall back to the user part
 * alone when either side has no host or both users are telephone numbers. Telephone numbers also
 * match in national and international form (BroadWorks names a UK caller `sip:02077705371` in a
 * participant and `sip:+442077705371@...` in its call type): without trunk-prefix zeros, one must
 * end with the other and the shorter keep at least MIN_NATIONAL_DIGITS digits.
 */
export interface AgentMatcher {
  /** AoR starts with this (scheme optional on either side), e.g. `sip:agent-` or `4`. */
  readonly aorPrefix?: string;
  /** AoR host is this domain or one of its subdomains, e.g. `agents.example.com`. */
  readonly domain?: string;
  /** Tested against the AoR as sent. */
  readonly pattern?: RegExp;
}

interface NormalizedAor {
  readonly user: string;
  readonly host: string;
}

/** `user@host` of an AoR, URI or name-addr, lower case; host without port. */
export function normalizeAor(value: string): NormalizedAor {
  let uri = value.trim();
  const open = uri.indexOf('<');
  const close = uri.indexOf('>', open + 1);
  if (open >= 0 && close > open) uri = uri.slice(open + 1, close);
  uri = uri.replace(/^(sips?|tel):/i, '');
  const at = uri.lastIndexOf('@');
  const user = (at >= 0 ? uri.slice(0, at) : uri).split(';')[0] ?? '';
  const hostPart = at >= 0 ? uri.slice(at + 1) : '';
  const host = (hostPart.split(/[;?]/)[0] ?? '').replace(/:\d+$/, '');
  return { user: user.toLowerCase(), host: host.toLowerCase() };
}

function phoneDigits(user: string): string | null {
  const digits = user.replace(/[-.() ]/g, '').replace(/^\+/, '');
  return /^\d{3,}$/.test(digits) ? digits : null;
}

/** Shortest national number we compare by suffix; shorter ones are extensions and must be equal. */
const MIN_NATIONAL_DIGITS = 8;

/** True when both name the same party by the rule above. */
export function aorMatches(a: string, b: string): boolean {
  const x = normalizeAor(a);
  const y = normalizeAor(b);
  if (x.user === '' || y.user === '') return false;
  if (x.host !== '' && y.host !== '' && x.user === y.user && x.host === y.host) return true;
  if ((x.host === '' || y.host === '') && x.user === y.user) return true;
  const dx = phoneDigits(x.user);
  const dy = phoneDigits(y.user);
  if (dx === null || dy === null) return false;
  if (dx === dy) return true;
  const nx = dx.replace(/^0+/, '');
  const ny = dy.replace(/^0+/, '');
  const [shorter, longer] = nx.length <= ny.length ? [nx, ny] : [ny, nx];
  return shorter.length >= MIN_NATIONAL_DIGITS && longer.endsWith(shorter);
}

/** True when any criterion the matcher sets matches the AoR. */
export function matchesAgent(matcher: AgentMatcher, aor: string): boolean {
  const { user, host } = normalizeAor(aor);
  const bare = host === '' ? user : `${user}@${host}`;
  if (matcher.aorPrefix !== undefined && matcher.aorPrefix !== '') {
    const prefix = matcher.aorPrefix
      .trim()
      .toLowerCase()
      .replace(/^(sips?|tel):/, '');
    if (bare.startsWith(prefix)) return true;
  }
  if (matcher.domain !== undefined && matcher.domain !== '') {
    const domain = matcher.domain.toLowerCase();
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  if (matcher.pattern !== undefined) {
    // A /g or /y pattern keeps state between test() calls; start from the beginning each time.
    matcher.pattern.lastIndex = 0;
    if (matcher.pattern.test(aor)) return true;
  }
  return false;
}
