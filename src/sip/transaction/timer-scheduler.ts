import type { Clock } from '../../core/index.js';
import { systemClock } from '../../core/index.js';

/** Opaque handle returned by `TimerScheduler.set`. */
export type TimerHandle = object;

/**
 * One-shot timers on top of an injectable Clock. Transactions only ever talk to this, so unit
 * tests drive every RFC 3261 timer with `FakeScheduler` and no real time passes.
 */
export interface TimerScheduler {
  readonly clock: Clock;
  set(delayMs: number, fn: () => void): TimerHandle;
  clear(handle: TimerHandle): void;
}

/** The real scheduler: setTimeout, unref'd so pending SIP timers never keep the process alive. */
export function createTimerScheduler(clock: Clock = systemClock): TimerScheduler {
  return {
    clock,
    set(delayMs, fn) {
      const timer = setTimeout(fn, delayMs);
      timer.unref();
      return timer;
    },
    clear(handle) {
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    },
  };
}
