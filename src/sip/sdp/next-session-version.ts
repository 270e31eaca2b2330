import { InvalidArgumentError } from '../../core/index.js';
import type { SdpSession } from './sdp-session.js';

/**
 * The o= version for the next description of the same session: RFC 3264 §8 asks for the
 * previous version + 1 whenever the description changes. Computed with BigInt because versions
 * are often NTP timestamps beyond 2^53.
 */
export function nextSessionVersion(previous: SdpSession): string {
  const version = previous.origin.sessionVersion;
  if (!/^\d{1,20}$/.test(version)) {
    throw new InvalidArgumentError(`o= version "${version}" is not a decimal number`);
  }
  return (BigInt(version) + 1n).toString();
}
