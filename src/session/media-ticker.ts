import type { Clock } from '../core/index.js';
import { InvalidArgumentError, systemClock } from '../core/index.js';

/** Something the ticker drives once per `ptimeMs` (a MediaLeg). */
export interface MediaTickable {
  /** Read on every period, so a codec change to another ptime takes effect at the next one. */
  readonly ptimeMs: number;
  /** One playout period that fell due at `dueMs` (monotonic clock). Should never throw. */
  onTick(dueMs: number): void;
}

export interface MediaTickerOptions {
  /** Monotonic time; must share its base with the clock that stamps RTP arrivals. */
  readonly clock?: Clock;
  /** Timer interval; default 20 ms. */
  readonly intervalMs?: number;
  /** No timer at all: the owner calls `tick()` (tests, with a fake clock). */
  readonly manual?: boolean;
  /**
   * Periods one leg may catch up in one tick after the event loop stalled; default 50 (1 s at
   * 20 ms). Beyond that the leg skips ahead (counted in `skippedPeriods`): replaying seconds of
   * stale audio in one burst would only starve everything else again.
   */
  readonly maxCatchUpPeriods?: number;
}

interface Slot {
  nextDueMs: number;
}

/**
 * One shared timer for every leg of the process (never a timer per leg: a thousand legs is the
 * target). On each tick, every leg is given as many periods as its ptime fits into the monotonic
 * time that passed, each with its exact due time (start + n·ptime), so timer lateness never
 * accumulates as drift. The timer is unref'd, starts with the first leg and stops with the last.
 */
export class MediaTicker {
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly manual: boolean;
  private readonly maxCatchUpPeriods: number;
  private readonly slots = new Map<MediaTickable, Slot>();
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Periods given up because a leg fell further behind than `maxCatchUpPeriods`. */
  skippedPeriods = 0;
  /** Exceptions thrown by a leg's onTick (caught so that one leg cannot stop the others). */
  tickErrors = 0;

  constructor(options: MediaTickerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.intervalMs ?? 20;
    this.manual = options.manual ?? false;
    this.maxCatchUpPeriods = options.maxCatchUpPeriods ?? 50;
    if (!(this.intervalMs > 0)) throw new InvalidArgumentError('MediaTicker interval must be positive');
    if (!Number.isInteger(this.maxCatchUpPeriods) || this.maxCatchUpPeriods < 1) {
      throw new InvalidArgumentError('maxCatchUpPeriods must be a positive integer');
    }
  }

  get legCount(): number {
    return this.slots.size;
  }

  /** True while the interval timer exists (never in manual mode). */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Starts driving `leg`; its first period falls due now. Adding twice is harmless. */
  add(leg: MediaTickable): void {
    if (this.slots.has(leg)) return;
    this.slots.set(leg, { nextDueMs: this.clock.nowMs() });
    if (!this.manual && this.timer === undefined) {
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref();
    }
  }

  remove(leg: MediaTickable): void {
    this.slots.delete(leg);
    if (this.slots.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Runs every period that is due by the clock's current time. */
  tick(): void {
    const nowMs = this.clock.nowMs();
    // Map iteration tolerates legs removed (even by their own onTick) during the loop.
    for (const [leg, slot] of this.slots) {
      let periods = 0;
      while (slot.nextDueMs <= nowMs) {
        if (periods === this.maxCatchUpPeriods) {
          const behind = Math.floor((nowMs - slot.nextDueMs) / leg.ptimeMs) + 1;
          this.skippedPeriods += behind;
          slot.nextDueMs += behind * leg.ptimeMs;
          break;
        }
        const dueMs = slot.nextDueMs;
        slot.nextDueMs = dueMs + leg.ptimeMs;
        periods++;
        try {
          leg.onTick(dueMs);
        } catch {
          this.tickErrors++;
        }
        if (!this.slots.has(leg)) break;
      }
    }
  }
}

let shared: MediaTicker | undefined;

/** The process-wide ticker Calls use unless given one. */
export function defaultMediaTicker(): MediaTicker {
  shared ??= new MediaTicker();
  return shared;
}
