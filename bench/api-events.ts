/**
 * Shared by the processes of `npm run bench -- api`: the synthetic transcript load (the same
 * schedule for voxbridge and for the bare `ws` peer) and the event-loop/CPU probe.
 *
 * Fifty real pocketsphinx calls do not fit on two cores (bench/sip measured 2–4), so the finals
 * and partials are injected: per leg, a partial every 250 ms and a final every 2 s, the legs'
 * phases spread evenly over the 2 s so the load is smooth, as fifty independent callers are.
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { CallEvent, LegRole } from '../src/session/index.js';

/** monitorEventLoopDelay samples this often; its histogram holds interval + lag, so this is subtracted. */
export const ELD_RESOLUTION_MS = 10;
export const PARTIAL_EVERY_MS = 250;
export const FINAL_EVERY_MS = 2000;
/** The injector's timer; events are stamped when published, so its lateness is not in the delay. */
const WAKE_MS = 5;

export interface TranscriptTarget {
  readonly callId: string;
  readonly sipCallId: string;
  readonly legId: string;
  readonly role: LegRole;
}

/**
 * `count` synthetic one-leg calls, announced through `publish` (call.started, leg.added); the
 * returned `end()` publishes their call.ended.
 */
export function syntheticCalls(
  count: number,
  publish: (event: CallEvent) => void,
): { readonly targets: TranscriptTarget[]; end(): void } {
  const targets = Array.from({ length: count }, (_, i) => ({
    callId: randomUUID(),
    sipCallId: `bench-api-${i}@127.0.0.1`,
    legId: randomUUID(),
    role: 'caller' as const,
  }));
  for (const t of targets) {
    const timestamp = new Date().toISOString();
    publish({ type: 'call.started', callId: t.callId, sipCallId: t.sipCallId, kind: 'sip', timestamp });
    publish({ ...t, type: 'leg.added', codec: 'PCMU/8000' });
  }
  return {
    targets,
    end() {
      for (const t of targets) {
        const timestamp = new Date().toISOString();
        publish({
          type: 'call.ended',
          callId: t.callId,
          sipCallId: t.sipCallId,
          reason: 'bench',
          durationMs: 0,
          timestamp,
        });
      }
    },
  };
}

export interface InjectedCounts {
  partials: number;
  finals: number;
}

/** Contact-centre sized utterances: a final is 12 words (≈ 70 characters of text). */
const WORDS = (
  'i would like to check the status of my order from last week because the tracking ' +
  'number you sent me does not seem to work on the website and nobody answered my email'
).split(' ');
const WORDS_PER_FINAL = 12;

interface Schedule {
  readonly target: TranscriptTarget;
  /** performance.now() of the next event, and which event of the utterance it is. */
  dueMs: number;
  step: number;
  utterance: number;
}

/**
 * Publishes `transcript.partial` and `transcript.final` events for each target on a monotonic
 * schedule. `timestamp` is the wall time at publication, as the session stamps its own events.
 */
export class TranscriptInjector {
  readonly counts: InjectedCounts = { partials: 0, finals: 0 };
  private schedules: Schedule[] = [];
  private timer: NodeJS.Timeout | undefined;
  private startedMs = 0;

  constructor(private readonly publish: (event: CallEvent) => void) {}

  start(targets: readonly TranscriptTarget[]): void {
    this.stop();
    this.startedMs = performance.now();
    this.schedules = targets.map((target, i) => ({
      target,
      dueMs: this.startedMs + PARTIAL_EVERY_MS + (i * FINAL_EVERY_MS) / targets.length,
      step: 1,
      utterance: 0,
    }));
    this.timer = setInterval(() => this.wake(), WAKE_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.schedules = [];
  }

  private wake(): void {
    const now = performance.now();
    const steps = FINAL_EVERY_MS / PARTIAL_EVERY_MS;
    for (const s of this.schedules) {
      while (s.dueMs <= now) {
        const final = s.step === steps;
        this.publish(this.event(s, final, now));
        if (final) {
          this.counts.finals++;
          s.step = 1;
          s.utterance++;
        } else {
          this.counts.partials++;
          s.step++;
        }
        s.dueMs += PARTIAL_EVERY_MS;
      }
    }
  }

  private event(s: Schedule, final: boolean, now: number): CallEvent {
    const steps = FINAL_EVERY_MS / PARTIAL_EVERY_MS;
    const words = final ? WORDS_PER_FINAL : Math.ceil((s.step * WORDS_PER_FINAL) / steps);
    const first = (s.utterance * WORDS_PER_FINAL) % WORDS.length;
    const text = Array.from({ length: words }, (_, k) => WORDS[(first + k) % WORDS.length]).join(' ');
    const endMs = Math.round(now - this.startedMs);
    return {
      type: final ? 'transcript.final' : 'transcript.partial',
      callId: s.target.callId,
      sipCallId: s.target.sipCallId,
      legId: s.target.legId,
      role: s.target.role,
      text,
      startMs: Math.max(0, endMs - s.step * PARTIAL_EVERY_MS),
      endMs,
      timestamp: new Date().toISOString(),
      ...(final ? { confidence: 0.87 } : {}),
    };
  }
}

export interface ProbeSample {
  /** Event-loop lag in the window (histogram value minus the sampling interval). */
  readonly lagP50Ms: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  /** Process CPU time (all threads) / window wall time. */
  readonly cpuCores: number;
  readonly windowMs: number;
  readonly rssBytes: number;
}

/** Event-loop lag and CPU of this process since the last `mark()`. */
export class LoopProbe {
  private readonly eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  private start = { wallMs: Date.now(), cpu: process.cpuUsage() };

  constructor() {
    this.eld.enable();
  }

  mark(): void {
    this.eld.reset();
    this.start = { wallMs: Date.now(), cpu: process.cpuUsage() };
  }

  sample(): ProbeSample {
    const cpu = process.cpuUsage(this.start.cpu);
    const windowMs = Date.now() - this.start.wallMs;
    const lag = (ns: number): number => Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS);
    return {
      lagP50Ms: lag(this.eld.percentile(50)),
      lagP99Ms: lag(this.eld.percentile(99)),
      lagMaxMs: lag(this.eld.max),
      cpuCores: windowMs > 0 ? (cpu.user + cpu.system) / 1000 / windowMs : 0,
      windowMs,
      rssBytes: process.memoryUsage().rss,
    };
  }

  disable(): void {
    this.eld.disable();
  }
}

export interface DelayStats {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function delayStats(values: readonly number[]): DelayStats {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length > 0 ? (sorted[sorted.length - 1] ?? NaN) : NaN,
  };
}

export interface PublishCost {
  /** How long the synchronous publish call took (store, numbering, serialising, fan-out). */
  readonly final: DelayStats;
  readonly partial: DelayStats;
}

/** Times each publish call of the transcript events since the last `mark()`. */
export class PublishTimer {
  private finals: number[] = [];
  private partials: number[] = [];

  wrap(publish: (event: CallEvent) => void): (event: CallEvent) => void {
    return (event) => {
      const t0 = performance.now();
      publish(event);
      const ms = performance.now() - t0;
      if (event.type === 'transcript.final') this.finals.push(ms);
      else if (event.type === 'transcript.partial') this.partials.push(ms);
    };
  }

  mark(): void {
    this.finals = [];
    this.partials = [];
  }

  cost(): PublishCost {
    return { final: delayStats(this.finals), partial: delayStats(this.partials) };
  }
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? NaN;
}
