import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '../../../src/observability/index.js';
import type { VoxbridgeMetrics } from '../../../src/observability/index.js';
import type { CallEvent, LegRole } from '../../../src/session/index.js';

/** `name{labels} value` lines of the exposition text, keyed by `name{labels}`. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    assert.ok(match !== null, `not an exposition line: ${line}`);
    samples.set(match[1] ?? '', Number(match[2]));
  }
  return samples;
}

async function scrape(metrics: VoxbridgeMetrics): Promise<Map<string, number>> {
  return parseExposition(await metrics.render());
}

function sample(samples: Map<string, number>, key: string): number {
  const value = samples.get(key);
  assert.ok(value !== undefined, `no sample ${key}`);
  return value;
}

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

const started = (callId: string): CallEvent => ({
  type: 'call.started',
  callId,
  sipCallId: `${callId}@pbx`,
  kind: 'siprec',
  timestamp: iso(T0),
});
const leg = (callId: string, legId: string, role: LegRole): CallEvent => ({
  type: 'leg.added',
  callId,
  sipCallId: `${callId}@pbx`,
  legId,
  role,
  codec: 'PCMU/8000',
});
const final = (callId: string, legId: string, endMs: number): CallEvent => ({
  type: 'transcript.final',
  callId,
  sipCallId: `${callId}@pbx`,
  legId,
  role: 'caller',
  text: 'hello',
  startMs: endMs - 800,
  endMs,
  timestamp: iso(T0 + endMs + 300),
  confidence: 0.8,
});
const ended = (callId: string): CallEvent => ({
  type: 'call.ended',
  callId,
  sipCallId: `${callId}@pbx`,
  reason: 'bye',
  durationMs: 10_000,
  timestamp: iso(T0 + 10_000),
});

describe('createMetrics', () => {
  it('counts active calls and legs from call events', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    try {
      assert.equal(sample(await scrape(metrics), 'voxbridge_active_calls'), 0);
      metrics.onEvent(started('a'), T0);
      metrics.onEvent(leg('a', 'a-1', 'caller'), T0);
      metrics.onEvent(leg('a', 'a-2', 'agent'), T0);
      metrics.onEvent(started('b'), T0);
      metrics.onEvent(leg('b', 'b-1', 'caller'), T0);
      let samples = await scrape(metrics);
      assert.equal(sample(samples, 'voxbridge_active_calls'), 2);
      assert.equal(sample(samples, 'voxbridge_active_legs'), 3);
      metrics.onEvent(ended('a'), T0 + 10_000);
      samples = await scrape(metrics);
      assert.equal(sample(samples, 'voxbridge_active_calls'), 1);
      assert.equal(sample(samples, 'voxbridge_active_legs'), 1);
      assert.equal(sample(samples, 'voxbridge_events_total{type="leg.added"}'), 3);
      assert.equal(sample(samples, 'voxbridge_events_total{type="call.ended"}'), 1);
      metrics.onEvent(ended('b'), T0 + 10_000);
      metrics.onEvent(ended('b'), T0 + 10_000); // a repeated end changes nothing
      samples = await scrape(metrics);
      assert.equal(sample(samples, 'voxbridge_active_calls'), 0);
      assert.equal(sample(samples, 'voxbridge_active_legs'), 0);
    } finally {
      metrics.close();
    }
  });

  it('keeps legs of two live calls apart although both are named leg-1', async () => {
    // Every call names its first leg `leg-1`: keyed by leg id alone, the second call's leg
    // replaced the first's and ending either call deleted the other's counters.
    const metrics = createMetrics({ defaultMetrics: false });
    try {
      metrics.onEvent(started('a'), T0);
      metrics.onEvent(leg('a', 'leg-1', 'caller'), T0);
      metrics.onEvent(started('b'), T0);
      metrics.onEvent(leg('b', 'leg-1', 'caller'), T0);
      let samples = await scrape(metrics);
      assert.equal(sample(samples, 'voxbridge_active_calls'), 2);
      assert.equal(sample(samples, 'voxbridge_active_legs'), 2);
      metrics.observeLegStats('a', 'leg-1', { packets: 100, lost: 1, late: 0, jitterMs: 3 });
      metrics.observeLegStats('b', 'leg-1', { packets: 40, lost: 0, late: 2, jitterMs: 3 });
      samples = await scrape(metrics);
      assert.equal(sample(samples, 'voxbridge_rtp_packets_received_total'), 140);
      assert.equal(sample(samples, 'voxbridge_rtp_packets_late_total'), 2);
      // Call a ends; b's leg stays live and keeps counting from its own previous sample.
      metrics.onEvent(ended('a'), T0 + 10_000);
      samples = await scrape(metrics);
      assert.equal(sample(samples, 'voxbridge_active_legs'), 1);
      metrics.observeLegStats('b', 'leg-1', { packets: 90, lost: 0, late: 2, jitterMs: 3 });
      metrics.observeLegStats('a', 'leg-1', { packets: 500, lost: 9, late: 9, jitterMs: 3 });
      samples = await scrape(metrics);
      assert.equal(sample(samples, 'voxbridge_rtp_packets_received_total'), 190);
      assert.equal(sample(samples, 'voxbridge_rtp_packets_lost_total'), 1);
      assert.equal(sample(samples, 'voxbridge_rtp_packets_late_total'), 2);
      metrics.onEvent(ended('b'), T0 + 10_000);
      assert.equal(sample(await scrape(metrics), 'voxbridge_active_legs'), 0);
    } finally {
      metrics.close();
    }
  });

  it('observes end-of-speech to final latency from the call start and endMs', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    try {
      metrics.onEvent(started('a'), T0);
      metrics.onEvent(leg('a', 'a-1', 'caller'), T0);
      // Utterance ends 2.0 s into the call; the final reaches subscribers at 2.35 s: 0.35 s.
      metrics.onEvent(final('a', 'a-1', 2000), T0 + 2350);
      // Ends at 5.0 s, delivered at 6.2 s: 1.2 s.
      metrics.onEvent(final('a', 'a-1', 5000), T0 + 6200);
      // A final of a call whose start was never seen has no latency.
      metrics.onEvent(final('zz', 'zz-1', 1000), T0 + 99_000);
      const samples = await scrape(metrics);
      assert.equal(sample(samples, 'voxbridge_final_latency_seconds_count'), 2);
      assert.ok(Math.abs(sample(samples, 'voxbridge_final_latency_seconds_sum') - 1.55) < 1e-9);
      assert.equal(sample(samples, 'voxbridge_final_latency_seconds_bucket{le="0.3"}'), 0);
      assert.equal(sample(samples, 'voxbridge_final_latency_seconds_bucket{le="0.5"}'), 1);
      assert.equal(sample(samples, 'voxbridge_final_latency_seconds_bucket{le="1"}'), 1);
      assert.equal(sample(samples, 'voxbridge_final_latency_seconds_bucket{le="1.5"}'), 2);
      assert.equal(sample(samples, 'voxbridge_final_latency_seconds_bucket{le="+Inf"}'), 2);
    } finally {
      metrics.close();
    }
  });

  it('turns cumulative leg stats into RTP counters and jitter observations', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    try {
      metrics.onEvent(started('a'), T0);
      metrics.onEvent(leg('a', 'a-1', 'caller'), T0);
      metrics.onEvent(leg('a', 'a-2', 'agent'), T0);
      metrics.observeLegStats('a', 'a-1', { packets: 100, lost: 2, late: 1, jitterMs: 4 });
      metrics.observeLegStats('a', 'a-2', { packets: 50, lost: 0, late: 0, jitterMs: 25 });
      metrics.observeLegStats('a', 'a-1', { packets: 250, lost: 3, late: 1, jitterMs: 6 });
      metrics.observeLegStats('a', 'nope', { packets: 1000, lost: 1000, late: 1000, jitterMs: 1 });
      let samples = await scrape(metrics);
      assert.equal(sample(samples, 'voxbridge_rtp_packets_received_total'), 300);
      assert.equal(sample(samples, 'voxbridge_rtp_packets_lost_total'), 3);
      assert.equal(sample(samples, 'voxbridge_rtp_packets_late_total'), 1);
      assert.equal(sample(samples, 'voxbridge_rtp_jitter_ms_count'), 3);
      assert.equal(sample(samples, 'voxbridge_rtp_jitter_ms_sum'), 35);
      assert.equal(sample(samples, 'voxbridge_rtp_jitter_ms_bucket{le="5"}'), 1);
      assert.equal(sample(samples, 'voxbridge_rtp_jitter_ms_bucket{le="10"}'), 2);
      assert.equal(sample(samples, 'voxbridge_rtp_jitter_ms_bucket{le="30"}'), 3);
      // After the call ended, a late sample of its leg must not count the packets again.
      metrics.onEvent(ended('a'), T0 + 10_000);
      metrics.observeLegStats('a', 'a-1', { packets: 260, lost: 3, late: 1, jitterMs: 6 });
      samples = await scrape(metrics);
      assert.equal(sample(samples, 'voxbridge_rtp_packets_received_total'), 300);
      assert.equal(sample(samples, 'voxbridge_rtp_jitter_ms_count'), 3);
    } finally {
      metrics.close();
    }
  });

  it('observes the recognizer real-time factor', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    try {
      metrics.observeRecognizerUsage({ audioMs: 10_000, processingMs: 1_500 });
      metrics.observeRecognizerUsage({ audioMs: 4_000, processingMs: 4_000 });
      metrics.observeRecognizerUsage({ audioMs: 0, processingMs: 12 });
      const samples = await scrape(metrics);
      assert.equal(sample(samples, 'voxbridge_recognizer_rtf_count'), 2);
      assert.ok(Math.abs(sample(samples, 'voxbridge_recognizer_rtf_sum') - 1.15) < 1e-9);
      assert.equal(sample(samples, 'voxbridge_recognizer_rtf_bucket{le="0.1"}'), 0);
      assert.equal(sample(samples, 'voxbridge_recognizer_rtf_bucket{le="0.2"}'), 1);
      assert.equal(sample(samples, 'voxbridge_recognizer_rtf_bucket{le="1"}'), 2);
    } finally {
      metrics.close();
    }
  });

  it('counts TTS cache hits and misses pushed or pulled at scrape time', async () => {
    const pushed = createMetrics({ defaultMetrics: false });
    let counts = { hits: 3, misses: 1 };
    const pulled = createMetrics({ defaultMetrics: false, ttsCacheStats: () => counts });
    try {
      pushed.observeTtsCacheStats({ hits: 5, misses: 2 });
      pushed.observeTtsCacheStats({ hits: 8, misses: 2 });
      // A smaller count means the cache was reopened: everything in it is new.
      pushed.observeTtsCacheStats({ hits: 1, misses: 1 });
      let samples = await scrape(pushed);
      assert.equal(sample(samples, 'voxbridge_tts_cache_hits_total'), 9);
      assert.equal(sample(samples, 'voxbridge_tts_cache_misses_total'), 3);

      samples = await scrape(pulled);
      assert.equal(sample(samples, 'voxbridge_tts_cache_hits_total'), 3);
      assert.equal(sample(samples, 'voxbridge_tts_cache_misses_total'), 1);
      counts = { hits: 10, misses: 4 };
      samples = await scrape(pulled);
      assert.equal(sample(samples, 'voxbridge_tts_cache_hits_total'), 10);
      assert.equal(sample(samples, 'voxbridge_tts_cache_misses_total'), 4);
    } finally {
      pushed.close();
      pulled.close();
    }
  });

  it('exposes event-loop lag, its own and the Node default metrics, with the right content type', async () => {
    const metrics = createMetrics();
    try {
      // The monitor measures how late its own timer fires: let it fire, block the loop for 30 ms
      // of busy work, then let it fire again, so at least one sample includes the block.
      const timer = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
      await timer(25);
      const until = performance.now() + 30;
      while (performance.now() < until);
      await timer(25);
      const samples = await scrape(metrics);
      const max = sample(samples, 'voxbridge_event_loop_lag_max_seconds');
      const p99 = sample(samples, 'voxbridge_event_loop_lag_p99_seconds');
      // The block outlasts the 10 ms resolution by 20 ms, so some timer fired at least that late.
      assert.ok(max >= 0.015, `max ${max}`);
      assert.ok(p99 > 0, `p99 ${p99}`);
      assert.ok(samples.has('nodejs_eventloop_lag_p99_seconds'));
      assert.ok(samples.has('process_resident_memory_bytes'));
      assert.match(metrics.contentType, /^text\/plain; version=0\.0\.4/);
      const text = await metrics.render();
      assert.match(text, /# TYPE voxbridge_final_latency_seconds histogram/);
      assert.match(text, /# TYPE voxbridge_rtp_packets_received_total counter/);
      assert.match(text, /# TYPE voxbridge_active_calls gauge/);
    } finally {
      metrics.close();
    }
  });
});
