/**
 * Signed distance from `b` to `a` on the 16-bit RTP sequence circle, in -32768..32767. RTP
 * sequence numbers wrap (RFC 3550 §5.1), so ordering must always go through this difference.
 */
export function seqDelta(a: number, b: number): number {
  return (((a - b) << 16) >> 16) | 0;
}

/** `seq + n` on the 16-bit circle. */
export function seqAdd(seq: number, n: number): number {
  return (seq + n) & 0xffff;
}

/** Signed distance from `b` to `a` for 32-bit RTP timestamps, which wrap as well. */
export function timestampDelta(a: number, b: number): number {
  return (a - b) | 0;
}
