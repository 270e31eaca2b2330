import type { Clock } from './clock.js';
import { systemClock } from './clock.js';

/** Opaque handle returned by `TimerScheduler.set`. */
export type TimerHandle = object;

/**
 * One-shot timers on top of an injectable Clock. SIP transactions, dialogs, the RTCP report timer
 * and the outbound pacer only ever talk to this, so unit tests drive every one of them with a fake
 * scheduler (sip/transaction/testing.ts) and no real time passes.
 */
export interface TimerScheduler {
  readonly clock: Clock;
  set(delayMs: number, fn: () => void): TimerHandle;
  clear(handle: TimerHandle): void;
}

/** The real scheduler: setTimeout, unref'd so pending timers never keep the process alive. */
export function createTimerScheduler(clock: Clock = systemClock): TimerScheduler {
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
