import type { Clock } from '../../core/index.js';
import { InvalidArgumentError } from '../../core/index.js';
import type { RtpPacket } from '../../media/rtp/index.js';
import { RtpPacketizer } from '../../media/rtp/index.js';
import { RtpPacerBusyError } from './rtp-net-errors.js';
import type { TimerHandle, TimerScheduler } from '../../core/index.js';
import { createTimerScheduler } from '../../core/index.js';

export interface RtpPacerOptions {
  /** Where packets go, typically `endpoint.send.bind(endpoint)`. */
  readonly send: (packet: RtpPacket) => void;
  readonly payloadType: number;
  /** Default 8000. */
  readonly clockRateHz?: number;
  /** Audio per payload and time between packets; default 20. */
  readonly ptimeMs?: number;
  /** Default random (RFC 3550 §8.1). */
  readonly ssrc?: number;
  /** Default random (RFC 3550 §5.1); tests fix them. */
  readonly initialSequenceNumber?: number;
  readonly initialTimestamp?: number;
  /** Monotonic time; default the scheduler's clock. */
  readonly clock?: Clock;
  /** Default real unref'd timers (on `clock` when given). */
  readonly scheduler?: TimerScheduler;
}

export interface RtpPacerPlayOptions {
  /** Aborting stops the play and rejects it with the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface RtpPacerStats {
  readonly packetsSent: number;
  /** Ticks that ran a whole ptime or more behind schedule and so sent a catch-up packet. */
  readonly lateTicks: number;
  /** Largest delay between a packet's due time and its actual send. */
  readonly maxLatenessMs: number;
  /** Talkspurts cut short because the producer had no payload ready when one was due. */
  readonly underruns: number;
}

/** Payloads pulled ahead of their slot: enough for one catch-up, bounded so a fast producer waits. */
const MAX_QUEUED = 2;
/** One due packet plus at most one catch-up packet per tick. */
const MAX_PER_TICK = 2;

interface Play {
  readonly iterator: AsyncIterator<Uint8Array>;
  readonly queue: Uint8Array[];
  pulling: boolean;
  done: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * The one outbound pacer of a call leg. Payloads go out one per ptime on a monotonic clock: packet
 * n of a talkspurt is due at start + n × ptime, so timer lateness never accumulates, and the
 * producer is pulled at most two payloads ahead, so a fast producer never bursts.
 *
 * Two kinds of stall are told apart. When our own timer runs late by a whole ptime (event loop
 * blocked) the payloads were ready, so the owed packets go out with their scheduled timestamps,
 * at most one extra per tick until the schedule is met again. When the producer has no payload
 * at a due time the talkspurt ends there; the next payload starts a new one at once (never sooner
 * than one ptime after the last packet) with the marker bit set and the RTP timestamp advanced by
 * the real elapsed time (RFC 3550 §5.1, RFC 3551 §4.1), so a producer that stalls and then
 * floods still yields one packet per ptime. Sequence numbers run on across talkspurts and plays.
 *
 * One play at a time: `play` while playing rejects with RtpPacerBusyError (code
 * 'RTP_PACER_BUSY'), because silently queueing a prompt behind another hides turn-taking bugs.
 */
export class RtpPacer {
  readonly #send: (packet: RtpPacket) => void;
  readonly #packetizer: RtpPacketizer;
  readonly #clock: Clock;
  readonly #scheduler: TimerScheduler;
  readonly #ptimeMs: number;
  readonly #clockRateHz: number;
  #play: Play | undefined = undefined;
  #timer: TimerHandle | undefined = undefined;
  #inSpurt = false;
  #spurtStartMs = 0;
  #slot = 0;
  #hasSent = false;
  #lastDueMs = 0;
  #packetsSent = 0;
  #lateTicks = 0;
  #maxLatenessMs = 0;
  #underruns = 0;

  constructor(options: RtpPacerOptions) {
    this.#ptimeMs = options.ptimeMs ?? 20;
    this.#clockRateHz = options.clockRateHz ?? 8000;
    if (!(this.#ptimeMs > 0)) throw new InvalidArgumentError(`ptime ${this.#ptimeMs} ms is not positive`);
    this.#packetizer = new RtpPacketizer({
      payloadType: options.payloadType,
      clockRateHz: this.#clockRateHz,
      ptimeMs: this.#ptimeMs,
      ...(options.ssrc === undefined ? {} : { ssrc: options.ssrc }),
      ...(options.initialSequenceNumber === undefined
        ? {}
        : { initialSequenceNumber: options.initialSequenceNumber }),
      ...(options.initialTimestamp === undefined ? {} : { initialTimestamp: options.initialTimestamp }),
    });
    this.#send = options.send;
    this.#scheduler = options.scheduler ?? createTimerScheduler(options.clock);
    this.#clock = options.clock ?? this.#scheduler.clock;
  }

  get ssrc(): number {
    return this.#packetizer.ssrc;
  }

  get playing(): boolean {
    return this.#play !== undefined;
  }

  get stats(): RtpPacerStats {
    return {
      packetsSent: this.#packetsSent,
      lateTicks: this.#lateTicks,
      maxLatenessMs: this.#maxLatenessMs,
      underruns: this.#underruns,
    };
  }

  /**
   * Sends `payloads` (each exactly one ptime of encoded audio) one per ptime. Resolves when all are
   * sent or `stop()` is called; rejects with the signal's reason on abort, with the producer's
   * error if it throws, and with RtpPacerBusyError if a play is already running. Stopping or
   * aborting calls the iterator's `return()` so the producer can release its resources.
   */
  play(payloads: AsyncIterable<Uint8Array>, options: RtpPacerPlayOptions = {}): Promise<void> {
    if (this.#play !== undefined) return Promise.reject(new RtpPacerBusyError());
    const signal = options.signal;
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    return new Promise<void>((resolve, reject) => {
      const play: Play = {
        iterator: payloads[Symbol.asyncIterator](),
        queue: [],
        pulling: false,
        done: false,
        resolve,
        reject,
        signal,
        onAbort: undefined,
      };
      this.#play = play;
      if (signal !== undefined) {
        play.onAbort = () => this.#finish(play, true, signal.reason);
        signal.addEventListener('abort', play.onAbort, { once: true });
      }
      this.#pull(play);
    });
  }

  /** Ends the current play after the packet already sent; its promise resolves. */
  stop(): void {
    if (this.#play !== undefined) this.#finish(this.#play, false, undefined);
  }

  #pull(play: Play): void {
    if (play.pulling || play.done || play.queue.length >= MAX_QUEUED || this.#play !== play) return;
    play.pulling = true;
    let next: Promise<IteratorResult<Uint8Array>>;
    try {
      next = play.iterator.next();
    } catch (error) {
      play.done = true;
      this.#finish(play, true, error);
      return;
    }
    next.then(
      (result) => this.#onPulled(play, result),
      (error: unknown) => {
        play.done = true;
        this.#finish(play, true, error);
      },
    );
  }

  #onPulled(play: Play, result: IteratorResult<Uint8Array>): void {
    play.pulling = false;
    if (this.#play !== play) return;
    if (result.done === true) play.done = true;
    else play.queue.push(result.value);
    if (play.queue.length === 0) {
      // Done with nothing left: every packet has gone out (or there were none).
      if (play.done) this.#finish(play, false, undefined);
      return;
    }
    this.#pull(play);
    if (!this.#inSpurt && this.#timer === undefined) this.#startSpurt();
  }

  /** A new talkspurt, never sooner than one ptime after the previous packet's due time. */
  #startSpurt(): void {
    const nowMs = this.#clock.nowMs();
    const earliestMs = this.#hasSent ? this.#lastDueMs + this.#ptimeMs : nowMs;
    if (earliestMs > nowMs) {
      this.#timer = this.#scheduler.set(earliestMs - nowMs, this.#onStartTimer);
      return;
    }
    this.#beginSpurt(nowMs);
  }

  #onStartTimer = (): void => {
    this.#timer = undefined;
    this.#beginSpurt(this.#clock.nowMs());
  };

  #beginSpurt(nowMs: number): void {
    const startMs = this.#hasSent ? Math.max(nowMs, this.#lastDueMs + this.#ptimeMs) : nowMs;
    if (this.#hasSent) {
      // RFC 3550 §5.1: the timestamp follows the sampling clock through the gap; skip() also
      // marks the next packet as the start of a talkspurt (RFC 3551 §4.1).
      const elapsedSamples = Math.round(((startMs - this.#lastDueMs) * this.#clockRateHz) / 1000);
      this.#packetizer.skip(Math.max(0, elapsedSamples - this.#packetizer.samplesPerFrame));
    }
    this.#spurtStartMs = startMs;
    this.#slot = 0;
    this.#inSpurt = true;
    this.#tick();
  }

  #onTickTimer = (): void => {
    this.#timer = undefined;
    this.#tick();
  };

  #tick(): void {
    const play = this.#play;
    if (play === undefined) return;
    const ptimeMs = this.#ptimeMs;
    const startMs = this.#spurtStartMs;
    let dueMs = startMs + this.#slot * ptimeMs;
    // Timers may fire a fraction of a millisecond early by the monotonic clock; a tick is never
    // earlier than the slot it was set for.
    const nowMs = Math.max(this.#clock.nowMs(), dueMs);
    if (play.queue.length === 0) {
      // The producer had nothing for this slot: the talkspurt ends, the next payload opens another.
      this.#inSpurt = false;
      this.#underruns++;
      return;
    }
    const latenessMs = nowMs - dueMs;
    if (latenessMs > this.#maxLatenessMs) this.#maxLatenessMs = latenessMs;
    if (latenessMs >= ptimeMs) this.#lateTicks++;
    let sent = 0;
    while (sent < MAX_PER_TICK && dueMs <= nowMs && play.queue.length > 0) {
      const payload = play.queue.shift()!;
      try {
        this.#send(this.#packetizer.packetize(payload));
      } catch (error) {
        this.#finish(play, true, error);
        return;
      }
      this.#hasSent = true;
      this.#lastDueMs = dueMs;
      this.#packetsSent++;
      this.#slot++;
      sent++;
      dueMs = startMs + this.#slot * ptimeMs;
    }
    if (play.done && play.queue.length === 0) {
      this.#finish(play, false, undefined);
      return;
    }
    this.#pull(play);
    // The next grid point after now: owed packets wait for it, so a tick never sends more than two.
    const nextMs = startMs + (Math.floor((nowMs - startMs) / ptimeMs) + 1) * ptimeMs;
    this.#timer = this.#scheduler.set(nextMs - this.#clock.nowMs(), this.#onTickTimer);
  }

  #finish(play: Play, failed: boolean, error: unknown): void {
    if (this.#play !== play) return;
    this.#play = undefined;
    if (this.#timer !== undefined) this.#scheduler.clear(this.#timer);
    this.#timer = undefined;
    this.#inSpurt = false;
    if (play.onAbort !== undefined) play.signal?.removeEventListener('abort', play.onAbort);
    if (!play.done) {
      play.done = true;
      // Let the producer clean up (kill a synthesizer, close a file); its errors are not ours.
      try {
        const returned = play.iterator.return?.();
        if (returned !== undefined) returned.then(undefined, () => undefined);
      } catch {
        // A producer whose return() throws has nothing left for us to release.
      }
    }
    if (failed) play.reject(error);
    else play.resolve();
  }
}
