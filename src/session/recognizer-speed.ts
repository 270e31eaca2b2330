import { InvalidArgumentError } from '../core/index.js';

/**
 * Real-time factor (processing time / audio time, per stream) assumed until one is measured:
 * pocketsphinx's decoder-busy RTF over every clip of docs/benchmarks.md was 0.356 on one core.
 */
export const DEFAULT_RECOGNIZER_RTF = 0.35;

export interface RecognizerSpeedOptions {
  /** The real-time factor before any stream has reported; default DEFAULT_RECOGNIZER_RTF. */
  readonly initialRtf?: number;
  /**
   * Weight of the newest report in the running estimate, per minute of audio it covers (capped
   * at 1); default 0.5, so a one-minute stream moves the estimate halfway, a two-second one a little.
   */
  readonly weightPerMinute?: number;
}

/**
 * The engine's measured speed: a running real-time factor fed by the `usage` report at the end
 * of each recognition stream (Call's onRecognizerUsage). Shared by every call of a gateway, so
 * a new leg sizes its backlog from what the engine actually did on this machine.
 */
export class RecognizerSpeed {
  private estimate: number;
  private readonly weightPerMinute: number;
  private readonly listeners = new Set<(rtf: number) => void>();
  /** Streams that reported usage. */
  samples = 0;

  constructor(options: RecognizerSpeedOptions = {}) {
    const initial = options.initialRtf ?? DEFAULT_RECOGNIZER_RTF;
    if (!(initial > 0) || !Number.isFinite(initial)) {
      throw new InvalidArgumentError(`initialRtf must be a positive number, not ${initial}`);
    }
    this.estimate = initial;
    this.weightPerMinute = options.weightPerMinute ?? 0.5;
  }

  /** Processing time over audio time, per stream. */
  get rtf(): number {
    return this.estimate;
  }

  /** One stream's usage report. Streams that heard under a second of audio say too little. */
  observe(usage: { readonly audioMs: number; readonly processingMs: number }): void {
    if (!(usage.audioMs >= 1000) || !(usage.processingMs >= 0) || !Number.isFinite(usage.processingMs)) {
      return;
    }
    const rtf = usage.processingMs / usage.audioMs;
    const weight = Math.min(1, (this.weightPerMinute * usage.audioMs) / 60_000);
    // The first real measurement replaces the assumed value outright.
    this.estimate = this.samples === 0 ? rtf : this.estimate + weight * (rtf - this.estimate);
    this.samples++;
    for (const listener of this.listeners) listener(this.estimate);
  }

  /** Calls `listener` with the new estimate after every report. Returns the unsubscribe function. */
  onChange(listener: (rtf: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface RecognizerBacklogOptions {
  /** The engine's real-time factor (processing / audio per stream). */
  readonly rtf: number;
  /** How long working off a full backlog may take while live audio keeps coming; default 10 s. */
  readonly catchUpMs?: number;
  /** Floor and ceiling of the backlog; default 5 s and 30 s. */
  readonly minMs?: number;
  readonly maxMs?: number;
}

export const DEFAULT_BACKLOG_CATCH_UP_MS = 10_000;
export const DEFAULT_MIN_BACKLOG_MS = 5_000;
export const DEFAULT_MAX_BACKLOG_MS = 30_000;

/**
 * How much audio a leg may queue for its recognizer before the oldest is dropped, in ms.
 *
 * An engine with real-time factor r decodes 1/r seconds of audio per second, so while live audio
 * keeps arriving a backlog shrinks by (1/r − 1) seconds per second. The bound is the backlog that
 * is worked off within `catchUpMs`: catchUpMs × (1/r − 1), kept within [minMs, maxMs]. A fast
 * engine gets a long backlog (it catches up quickly); an engine at or beyond real time gets the
 * floor, because no backlog would ever be worked off (that is sustained overload, for admission
 * to refuse). Whatever r is, the result is finite: the queue stays bounded.
 */
export function recognizerBacklogMs(options: RecognizerBacklogOptions): number {
  const catchUpMs = options.catchUpMs ?? DEFAULT_BACKLOG_CATCH_UP_MS;
  const minMs = options.minMs ?? DEFAULT_MIN_BACKLOG_MS;
  const maxMs = Math.max(minMs, options.maxMs ?? DEFAULT_MAX_BACKLOG_MS);
  const rtf = options.rtf;
  if (!(rtf > 0) || !Number.isFinite(rtf) || rtf >= 1) return minMs;
  const ms = catchUpMs * (1 / rtf - 1);
  return Math.round(Math.min(maxMs, Math.max(minMs, ms)));
}
