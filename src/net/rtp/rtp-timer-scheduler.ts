import type { Clock } from '../../core/index.js';
import { systemClock } from '../../core/index.js';

/** Opaque handle returned by `RtpTimerScheduler.set`. */
export type RtpTimerHandle = object;

/**
 * One-shot timers on an injectable Clock, for the RTCP report timer and the outbound pacer. It has
 * the same shape as sip/transaction's TimerScheduler (net/ may not import sip/), so that
 * scheduler's FakeScheduler drives these timers in tests too.
 */
export interface RtpTimerScheduler {
  readonly clock: Clock;
  set(delayMs: number, fn: () => void): RtpTimerHandle;
  clear(handle: RtpTimerHandle): void;
}

/** The real scheduler: setTimeout, unref'd so media timers never keep the process alive. */
export function createRtpTimerScheduler(clock: Clock = systemClock): RtpTimerScheduler {
  return {
    clock,
    set(delayMs, fn) {
      const timer = setTimeout(fn, Math.max(0, delayMs));
      timer.unref();
      return timer;
    },
    clear(handle) {
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    },
  };
}
