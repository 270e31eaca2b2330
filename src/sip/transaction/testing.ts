import type { Clock } from '../../core/index.js';
import type { TimerHandle, TimerScheduler } from './timer-scheduler.js';

/** A Clock that moves only when told to. */
export class FakeClock implements Clock {
  private now: number;

  constructor(
    startMs = 0,
    private readonly wallOffsetMs = 1_700_000_000_000,
  ) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  wallMs(): number {
    return this.wallOffsetMs + this.now;
  }

  /** Moves time forward; the scheduler uses this to step to each due timer. */
  setNowMs(ms: number): void {
    if (ms < this.now) throw new RangeError('a FakeClock never goes backwards');
    this.now = ms;
  }
}

interface FakeTimer {
  readonly dueMs: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A TimerScheduler for tests. `advance(ms)` fires every timer that falls due in that span, in
 * due-time order (ties in the order they were set), with the clock set to each timer's due time
 * while it runs, so timers set from inside a callback fire in the same advance when they fall due.
 */
export class FakeScheduler implements TimerScheduler {
  readonly clock: FakeClock;
  private readonly timers = new Map<TimerHandle, FakeTimer>();
  private seq = 0;

  constructor(clock: FakeClock = new FakeClock()) {
    this.clock = clock;
  }

  set(delayMs: number, fn: () => void): TimerHandle {
    const handle = {};
    this.timers.set(handle, { dueMs: this.clock.nowMs() + Math.max(0, delayMs), seq: this.seq++, fn });
    return handle;
  }

  clear(handle: TimerHandle): void {
    this.timers.delete(handle);
  }

  /** Number of timers still pending. */
  get pending(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    const targetMs = this.clock.nowMs() + ms;
    for (;;) {
      let next: [TimerHandle, FakeTimer] | undefined;
      for (const entry of this.timers) {
        const t = entry[1];
        if (t.dueMs > targetMs) continue;
        if (
          next === undefined ||
          t.dueMs < next[1].dueMs ||
          (t.dueMs === next[1].dueMs && t.seq < next[1].seq)
        ) {
          next = entry;
        }
      }
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.clock.setNowMs(next[1].dueMs);
      next[1].fn();
    }
    this.clock.setNowMs(targetMs);
  }
}
