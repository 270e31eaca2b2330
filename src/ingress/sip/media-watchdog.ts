import type { TimerHandle, TimerScheduler } from '../../core/index.js';

export interface MediaTimeouts {
  /** No RTP on any leg for this long ends the call; 0 turns the watchdog off. */
  readonly timeoutMs: number;
  /**
   * The same while every stream is one the peer is not expected to send on: held, inactive, or
   * a SIPREC stream the recording client paused. Usually much longer than `timeoutMs`.
   */
  readonly holdTimeoutMs: number;
}

export interface MediaWatchdogOptions extends MediaTimeouts {
  /** Must read the clock that stamps RTP arrivals (the endpoints' systemClock in production). */
  readonly scheduler: TimerScheduler;
  /** Called once, when the call has been silent for the timeout in force. */
  readonly onTimeout: () => void;
}

/**
 * Ends calls whose peer vanished without a BYE (a crashed SBC, a killed caller): no RTP on any leg
 * for the timeout ends the call. Packets only record their arrival time, so the hot path costs one
 * store; a single timer per call fires at the earliest moment the call could have timed out and,
 * if a packet came since, is set again for the rest. RFC 3550 §6.3.5 times out silent RTP
 * participants the same way; SIP itself has no such rule, so without it such a call never ends.
 */
export class MediaWatchdog {
  readonly #options: MediaWatchdogOptions;
  #lastActivityMs: number;
  #quiet = false;
  #timer: TimerHandle | undefined;
  #stopped = false;
  #fired = false;

  constructor(options: MediaWatchdogOptions) {
    this.#options = options;
    this.#lastActivityMs = options.scheduler.clock.nowMs();
  }

  /** True once the timeout fired. */
  get fired(): boolean {
    return this.#fired;
  }

  /** HOT PATH: an RTP packet arrived at `arrivalMs` (monotonic, the scheduler's clock). */
  heard(arrivalMs: number): void {
    if (arrivalMs > this.#lastActivityMs) this.#lastActivityMs = arrivalMs;
  }

  /**
   * Whether every stream is one the peer need not send on (hold, inactive). Changing it restarts
   * the count from now: a resume after a long hold gets the full ordinary timeout.
   */
  setQuiet(quiet: boolean): void {
    if (quiet === this.#quiet) return;
    this.#quiet = quiet;
    this.#lastActivityMs = Math.max(this.#lastActivityMs, this.#options.scheduler.clock.nowMs());
    if (this.#timer !== undefined) this.#arm();
  }

  /** Starts watching, counting from now (the call was just confirmed). */
  start(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#lastActivityMs = Math.max(this.#lastActivityMs, this.#options.scheduler.clock.nowMs());
    this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#options.scheduler.clear(this.#timer);
    this.#timer = undefined;
  }

  #timeoutMs(): number {
    return this.#quiet ? this.#options.holdTimeoutMs : this.#options.timeoutMs;
  }

  #arm(): void {
    if (this.#timer !== undefined) this.#options.scheduler.clear(this.#timer);
    this.#timer = undefined;
    const timeoutMs = this.#timeoutMs();
    if (this.#stopped || !(timeoutMs > 0)) return;
    const dueMs = this.#lastActivityMs + timeoutMs;
    const delayMs = Math.max(0, dueMs - this.#options.scheduler.clock.nowMs());
    this.#timer = this.#options.scheduler.set(delayMs, () => {
      this.#timer = undefined;
      if (this.#stopped) return;
      const silentMs = this.#options.scheduler.clock.nowMs() - this.#lastActivityMs;
      if (silentMs < this.#timeoutMs()) {
        this.#arm();
        return;
      }
      this.#fired = true;
      this.#stopped = true;
      this.#options.onTimeout();
    });
  }
}
