import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallEvent } from '../session/index.js';
import type { GatewayCounts } from './gateway-counters.js';
import { registerGatewayCounts } from './gateway-counters.js';

/** The cumulative per-leg RTP counts the metrics need; session's MediaLegStats satisfies it. */
export interface LegRtpStats {
  /** RTP packets received, of every payload type. */
  readonly packets: number;
  /** Sequence numbers never played (jitter buffer). */
  readonly lost: number;
  /** Packets that arrived after their playout time. */
  readonly late: number;
  readonly jitterMs: number;
}

/** Cumulative hit and miss counts since the cache was opened (CachedTts.stats()). */
export interface TtsCacheCounts {
  readonly hits: number;
  readonly misses: number;
}

/** What one recognition stream reported at its end (SttEvent `usage`). */
export interface RecognizerUsage {
  readonly audioMs: number;
  readonly processingMs: number;
}

export interface CreateMetricsOptions {
  /** prom-client's process and Node metrics (heap, GC, handles, nodejs_eventloop_lag_*); default true. */
  readonly defaultMetrics?: boolean;
  /** Read at every scrape, so a TTS cache needs no push; observeTtsCacheStats is the push form. */
  readonly ttsCacheStats?: () => TtsCacheCounts;
  /** The gateway's own counters (refusals, drops, timeouts), read at every scrape. */
  readonly gatewayCounts?: () => GatewayCounts;
  /** Sampling resolution of the event-loop delay monitor; default 10 ms. */
  readonly eventLoopResolutionMs?: number;
}

export interface VoxbridgeMetrics {
  readonly registry: Registry;
  /** The Content-Type of `render()`'s text (Prometheus exposition format 0.0.4). */
  readonly contentType: string;
  render(): Promise<string>;
  /**
   * Feeds one CallEvent: active calls and legs, events by type, and for a final the delay from
   * the end of the speech (call start + endMs) to `wallNowMs`, the wall-clock time the final
   * reaches subscribers. Never throws.
   */
  onEvent(event: CallEvent, wallNowMs: number): void;
  /**
   * One sample of a live leg's cumulative counts (between its leg.added and its call's
   * call.ended); the counters grow by the difference since the previous sample. Samples of
   * unknown or ended legs are ignored, so a late sample never counts packets twice. A leg is
   * named by its call and its id: leg ids are only unique within a call (each call's first leg
   * is `leg-1`).
   */
  observeLegStats(callId: string, legId: string, stats: LegRtpStats): void;
  /** Real-time factor of one recognition stream: processing time over audio time. */
  observeRecognizerUsage(usage: RecognizerUsage): void;
  /** Cumulative counts; the counters grow by the difference (a smaller count means a new cache). */
  observeTtsCacheStats(counts: TtsCacheCounts): void;
  /** Stops the event-loop monitor. */
  close(): void;
}

const LATENCY_BUCKETS_S = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10];
const JITTER_BUCKETS_MS = [1, 2, 5, 10, 20, 30, 50, 80, 120, 200, 400];
const RTF_BUCKETS = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 4];

interface LegState {
  packets: number;
  lost: number;
  late: number;
}

interface CallState {
  /** NaN when call.started was not seen (metrics created mid-call): no latency then. */
  readonly startWallMs: number;
  readonly legIds: Set<string>;
}

/** The key of a leg in the metrics' maps: leg ids repeat across calls, so the call id is part of it. */
function legKey(callId: string, legId: string): string {
  // JSON keeps the pair unambiguous whatever characters either id holds.
  return JSON.stringify([callId, legId]);
}

/** Growth of a cumulative count; a count that went down was reset, so all of it is new. */
function growth(previous: number, current: number): number {
  if (!Number.isFinite(current) || current < 0) return 0;
  return current >= previous ? current - previous : current;
}

/**
 * The gateway's Prometheus registry. Per-call state lives only between call.started and
 * call.ended, so memory follows live calls. Labels never carry call or leg ids: one series per
 * call would grow without bound in Prometheus.
 */
export function createMetrics(options: CreateMetricsOptions = {}): VoxbridgeMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const activeCalls = new Gauge({ name: 'voxbridge_active_calls', help: 'Calls in progress', registers });
  const activeLegs = new Gauge({
    name: 'voxbridge_active_legs',
    help: 'Media legs of calls in progress',
    registers,
  });
  const events = new Counter({
    name: 'voxbridge_events_total',
    help: 'Call events emitted, by type',
    labelNames: ['type'] as const,
    registers,
  });
  const received = new Counter({
    name: 'voxbridge_rtp_packets_received_total',
    help: 'RTP packets received on every leg',
    registers,
  });
  const lost = new Counter({
    name: 'voxbridge_rtp_packets_lost_total',
    help: 'RTP packets never received in time to play (jitter buffer)',
    registers,
  });
  const late = new Counter({
    name: 'voxbridge_rtp_packets_late_total',
    help: 'RTP packets that arrived after their playout time',
    registers,
  });
  const jitter = new Histogram({
    name: 'voxbridge_rtp_jitter_ms',
    help: 'RFC 3550 interarrival jitter of a leg, one observation per stats sample',
    buckets: JITTER_BUCKETS_MS,
    registers,
  });
  const finalLatency = new Histogram({
    name: 'voxbridge_final_latency_seconds',
    help: 'From the end of an utterance (call start + endMs) to its transcript.final reaching subscribers',
    buckets: LATENCY_BUCKETS_S,
    registers,
  });
  const rtf = new Histogram({
    name: 'voxbridge_recognizer_rtf',
    help: 'Recognizer real-time factor per stream: processing time / audio time',
    buckets: RTF_BUCKETS,
    registers,
  });

  // Audio the recognizers never heard (transcript.gap): how often and how much, by reason.
  const gaps = new Counter({
    name: 'voxbridge_transcript_gaps_total',
    help: 'Ranges of leg audio that were not recognized (transcript.gap events), by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  const gapSeconds = new Counter({
    name: 'voxbridge_transcript_gap_seconds_total',
    help: 'Seconds of leg audio that were not recognized (lostMs of transcript.gap), by reason',
    labelNames: ['reason'] as const,
    registers,
  });

  let tts: TtsCacheCounts = { hits: 0, misses: 0 };
  const observeTtsCacheStats = (counts: TtsCacheCounts): void => {
    ttsHits.inc(growth(tts.hits, counts.hits));
    ttsMisses.inc(growth(tts.misses, counts.misses));
    tts = { hits: counts.hits, misses: counts.misses };
  };
  const pullTts = (): void => {
    if (options.ttsCacheStats !== undefined) observeTtsCacheStats(options.ttsCacheStats());
  };
  // The hits counter is registered first, so its collect refreshes both before either is read.
  const ttsHits = new Counter({
    name: 'voxbridge_tts_cache_hits_total',
    help: 'TTS requests served from the cache',
    registers,
    collect: pullTts,
  });
  const ttsMisses = new Counter({
    name: 'voxbridge_tts_cache_misses_total',
    help: 'TTS requests synthesized because the cache had no entry',
    registers,
  });

  if (options.gatewayCounts !== undefined) registerGatewayCounts(registry, options.gatewayCounts);

  const loopDelay = monitorEventLoopDelay({ resolution: options.eventLoopResolutionMs ?? 10 });
  loopDelay.enable();
  // Percentiles are taken over the interval since the previous scrape, then the histogram starts
  // over, so the gauges show the recent past rather than the whole uptime.
  let loopSnapshot = { p99: 0, max: 0 };
  const takeLoopSnapshot = (): void => {
    loopSnapshot = { p99: loopDelay.percentile(99) / 1e9, max: loopDelay.max / 1e9 };
    loopDelay.reset();
  };
  new Gauge({
    name: 'voxbridge_event_loop_lag_p99_seconds',
    help: '99th percentile event-loop delay since the previous scrape (perf_hooks monitorEventLoopDelay)',
    registers,
    collect(this: Gauge) {
      takeLoopSnapshot();
      this.set(loopSnapshot.p99);
    },
  });
  new Gauge({
    name: 'voxbridge_event_loop_lag_max_seconds',
    help: 'Longest event-loop delay since the previous scrape',
    registers,
    collect(this: Gauge) {
      this.set(loopSnapshot.max);
    },
  });

  const calls = new Map<string, CallState>();
  const legs = new Map<string, LegState>();
  const updateGauges = (): void => {
    activeCalls.set(calls.size);
    activeLegs.set(legs.size);
  };
  const callOf = (callId: string): CallState => {
    let call = calls.get(callId);
    if (call === undefined) {
      call = { startWallMs: Number.NaN, legIds: new Set() };
      calls.set(callId, call);
    }
    return call;
  };

  const onEvent = (event: CallEvent, wallNowMs: number): void => {
    events.inc({ type: event.type });
    switch (event.type) {
      case 'call.started':
        calls.set(event.callId, { startWallMs: Date.parse(event.timestamp), legIds: new Set() });
        break;
      case 'leg.added': {
        callOf(event.callId).legIds.add(event.legId);
        const key = legKey(event.callId, event.legId);
        if (!legs.has(key)) legs.set(key, { packets: 0, lost: 0, late: 0 });
        break;
      }
      case 'transcript.final': {
        const startWallMs = calls.get(event.callId)?.startWallMs ?? Number.NaN;
        const delayMs = wallNowMs - (startWallMs + event.endMs);
        // A negative delay is wall-clock skew between the two timestamps; it is still "no delay".
        if (Number.isFinite(delayMs)) finalLatency.observe(Math.max(0, delayMs) / 1000);
        break;
      }
      case 'call.ended': {
        const call = calls.get(event.callId);
        for (const legId of call?.legIds ?? []) legs.delete(legKey(event.callId, legId));
        calls.delete(event.callId);
        break;
      }
      case 'transcript.gap':
        gaps.inc({ reason: event.reason });
        if (event.lostMs > 0) gapSeconds.inc({ reason: event.reason }, event.lostMs / 1000);
        break;
      case 'transcript.partial':
      case 'dtmf':
        break;
    }
    updateGauges();
  };

  const observeLegStats = (callId: string, legId: string, stats: LegRtpStats): void => {
    const leg = legs.get(legKey(callId, legId));
    if (leg === undefined) return;
    received.inc(growth(leg.packets, stats.packets));
    lost.inc(growth(leg.lost, stats.lost));
    late.inc(growth(leg.late, stats.late));
    leg.packets = stats.packets;
    leg.lost = stats.lost;
    leg.late = stats.late;
    if (Number.isFinite(stats.jitterMs) && stats.jitterMs >= 0) jitter.observe(stats.jitterMs);
  };

  const observeRecognizerUsage = (usage: RecognizerUsage): void => {
    // A stream that heard no audio has no real-time factor.
    if (!(usage.audioMs > 0) || !(usage.processingMs >= 0)) return;
    rtf.observe(usage.processingMs / usage.audioMs);
  };

  updateGauges();
  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    onEvent,
    observeLegStats,
    observeRecognizerUsage,
    observeTtsCacheStats,
    close: () => loopDelay.disable(),
  };
}
