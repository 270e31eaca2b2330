import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks a presented API key against the configured ones in constant time: both sides are hashed
 * to equal-length digests (so the key length does not leak) and every configured key is compared
 * without an early exit (so which key matched does not leak either).
 */
export class ApiKeyCheck {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.filter((key) => key.length > 0).map(digest);
  }

  /** True when no keys are configured: every request is allowed. */
  get open(): boolean {
    return this.digests.length === 0;
  }

  verify(presented: string | undefined): boolean {
    if (this.open) return true;
    if (presented === undefined || presented.length === 0) return false;
    const candidate = digest(presented);
    let match = false;
    for (const known of this.digests) match = timingSafeEqual(candidate, known) || match;
    return match;
  }
}

/** The credentials of `Authorization: Bearer <token>` (RFC 6750 §2.1), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  // Lenient about the token alphabet (RFC 6750 token68) so a configured key with other characters still works.
  const match = /^Bearer +(\S+)\s*$/i.exec(header);
  return match?.[1];
}
