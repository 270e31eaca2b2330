import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from '../core/index.js';
import type { RecognizerSpeed } from './recognizer-speed.js';
import { DEFAULT_RECOGNIZER_RTF } from './recognizer-speed.js';

/** Recognition streams held by one admitted call; `release` gives them back once (idempotent). */
export interface AdmissionLease {
  readonly streams: number;
  readonly released: boolean;
  release(): void;
}

export interface RecognizerAdmissionOptions {
  /** Recognition streams that may run at once (a whole number >= 0; 0 admits none). */
  readonly limit: number;
}

/**
 * Admission control for live recognition. Transient overload is absorbed by each leg's backlog
 * (see recognizerBacklogMs); sustained overload (more streams than the cores can decode in real
 * time) would grow every backlog until audio is dropped, so it is refused before the call is
 * answered. A call asks for as many streams as it has legs to recognize: all or nothing.
 *
 * The ingress decides what a refusal means: a plain call is answered 503 with Retry-After
 * (RFC 3261 §21.5.4), a SIPREC session is still recorded with `transcription: 'refused'` on its
 * call.started (Call option `transcription`).
 */
export class RecognizerAdmission {
  private limitValue: number;
  private used = 0;
  /** Requests refused since start, for metrics. */
  refused = 0;

  constructor(options: RecognizerAdmissionOptions) {
    this.limitValue = checkLimit(options.limit);
  }

  get limit(): number {
    return this.limitValue;
  }

  /** Streams held by live leases. */
  get inUse(): number {
    return this.used;
  }

  /**
   * Changes the limit (e.g. after measuring the engine). Leases already granted stay valid even
   * if they now exceed it; new requests wait until enough are released.
   */
  setLimit(limit: number): void {
    this.limitValue = checkLimit(limit);
  }

  /** A lease on `streams` recognition streams, or undefined if they do not all fit. */
  tryAcquire(streams: number): AdmissionLease | undefined {
    if (!Number.isInteger(streams) || streams < 0) {
      throw new InvalidArgumentError(`streams must be a whole number, not ${streams}`);
    }
    if (this.used + streams > this.limitValue) {
      this.refused++;
      return undefined;
    }
    this.used += streams;
    let released = false;
    return {
      streams,
      get released() {
        return released;
      },
      release: () => {
        if (released) return;
        released = true;
        this.used -= streams;
      },
    };
  }
}

export interface RecognizerLimitOptions {
  /** A configured limit wins over the derived one. */
  readonly configured?: number;
  /** Cores the engine may use; default `os.availableParallelism()`. */
  readonly cores?: number;
  /** The engine's measured real-time factor per stream; default DEFAULT_RECOGNIZER_RTF. */
  readonly rtf?: number;
  /**
   * Share of the cores recognition may take; default 0.8, the rest is the main thread's (RTP,
   * SIP, API) and headroom for the speed to vary.
   */
  readonly utilization?: number;
}

/**
 * The default admission limit: streams whose summed cost fits the cores, floor(cores × utilization
 * / rtf), at least 1. With pocketsphinx (rtf ≈ 0.35) on 2 cores that is 4 streams.
 */
export function recognizerLimit(options: RecognizerLimitOptions = {}): number {
  if (options.configured !== undefined) return checkLimit(options.configured);
  const cores = options.cores ?? availableParallelism();
  const rtf = options.rtf ?? DEFAULT_RECOGNIZER_RTF;
  const utilization = options.utilization ?? 0.8;
  if (!(cores > 0) || !(rtf > 0) || !(utilization > 0)) {
    throw new InvalidArgumentError('cores, rtf and utilization must be positive');
  }
  return Math.max(1, Math.floor((cores * utilization) / rtf + 1e-9));
}

/**
 * An admission whose limit follows the engine's measured speed (recognizerLimit over `speed.rtf`,
 * re-derived after every usage report), or stays at `options.configured` when one is set. Pass
 * the engine's shared speed, `recognizerSpeedOf(stt)`, so the calls' own reports drive it.
 */
export function recognizerAdmissionFor(
  speed: RecognizerSpeed,
  options: Omit<RecognizerLimitOptions, 'rtf'> = {},
): RecognizerAdmission {
  const derive = (): number => recognizerLimit({ ...options, rtf: speed.rtf });
  const admission = new RecognizerAdmission({ limit: derive() });
  if (options.configured === undefined) speed.onChange(() => admission.setLimit(derive()));
  return admission;
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) {
    throw new InvalidArgumentError(`the recognizer limit must be a whole number, not ${limit}`);
  }
  return limit;
}
