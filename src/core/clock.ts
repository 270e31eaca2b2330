/**
 * Injectable time. Protocol timers and pacers read time only through a Clock so unit tests can
 * drive them with a fake clock and integration tests with the real one.
 */
export interface Clock {
  /** Monotonic milliseconds (fractional), unaffected by wall-clock changes. */
  nowMs(): number;
  /** Wall-clock milliseconds since the Unix epoch. */
  wallMs(): number;
}

export const systemClock: Clock = {
  nowMs: () => performance.now(),
  wallMs: () => Date.now(),
};
