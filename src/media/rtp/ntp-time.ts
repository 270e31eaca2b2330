/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01), RFC 5905 §6. */
const NTP_UNIX_OFFSET_S = 2208988800;

/** A 64-bit NTP timestamp as carried in an RTCP SR (RFC 3550 §4). */
export interface NtpTimestamp {
  readonly seconds: number;
  /** Fraction of a second over 2^32. */
  readonly fraction: number;
}

/** Converts wall-clock milliseconds since the Unix epoch to an NTP timestamp. */
export function ntpTimestamp(unixMs: number): NtpTimestamp {
  const totalS = unixMs / 1000 + NTP_UNIX_OFFSET_S;
  const seconds = Math.floor(totalS);
  const fraction = Math.min(0xffffffff, Math.round((totalS - seconds) * 2 ** 32));
  // Seconds wrap in 2036 (NTP era 1); RFC 5905 §6 keeps only the low 32 bits on the wire.
  return { seconds: seconds >>> 0, fraction };
}

/** RFC 3550 §6.4.1: LSR is the middle 32 bits of the NTP timestamp of the last SR. */
export function ntpMiddle32(ntp: NtpTimestamp): number {
  return (((ntp.seconds & 0xffff) << 16) | (ntp.fraction >>> 16)) >>> 0;
}
