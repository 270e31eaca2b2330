import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '../../../src/observability/index.js';
import type { TranscriptGapEvent, TranscriptGapReason } from '../../../src/session/index.js';

const gap = (reason: TranscriptGapReason, lostMs: number): TranscriptGapEvent => ({
  type: 'transcript.gap',
  callId: 'c1',
  sipCallId: 'c1@pbx',
  legId: 'leg-1',
  role: 'caller',
  startMs: 1000,
  endMs: 1000 + lostMs,
  lostMs,
  reason,
  timestamp: '2025-03-01T10:00:05.000Z',
});

describe('transcript.gap metrics', () => {
  it('counts gap events and lost seconds by reason', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    try {
      metrics.onEvent(gap('backlog', 1500), 0);
      metrics.onEvent(gap('backlog', 250), 0);
      metrics.onEvent(gap('engine-failed', 4000), 0);
      const text = await metrics.render();
      assert.match(text, /^voxbridge_transcript_gaps_total\{reason="backlog"\} 2$/m);
      assert.match(text, /^voxbridge_transcript_gaps_total\{reason="engine-failed"\} 1$/m);
      assert.match(text, /^voxbridge_transcript_gap_seconds_total\{reason="backlog"\} 1\.75$/m);
      assert.match(text, /^voxbridge_transcript_gap_seconds_total\{reason="engine-failed"\} 4$/m);
      assert.match(text, /^voxbridge_events_total\{type="transcript.gap"\} 3$/m);
    } finally {
      metrics.close();
    }
  });
});
