// The gateway's refusal, drop and timeout counts reach /metrics as counters that grow by what
// happened between scrapes, and the recognizer gauges show the admission's state.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createMetrics } from '../../../src/observability/index.js';
import type { GatewayCounts } from '../../../src/observability/index.js';

function value(text: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  assert.ok(match, `${name} is exposed`);
  return Number(match[1]);
}

it('gateway counts are exposed, grow by their difference and follow a reset', async () => {
  let counts: GatewayCounts = {
    mediaTimeouts: 2,
    tooManyStreams: 3,
    unackedRefused: 4,
    admissionRefused: 5,
    sipRefused: 6,
    sipInternalErrors: 0,
    rtpRejected: 150,
    siprecMetadataWarnings: 2,
    offerlessInvites: 8,
    badAnswers: 1,
    recognizerStreams: 3,
    recognizerLimit: 4,
    engineProcessCrashes: { pocketsphinx: 1 },
  };
  const metrics = createMetrics({ defaultMetrics: false, gatewayCounts: () => counts });
  try {
    let text = await metrics.render();
    assert.equal(value(text, 'voxbridge_media_timeouts_total'), 2);
    assert.equal(value(text, 'voxbridge_sip_too_many_streams_total'), 3);
    assert.equal(value(text, 'voxbridge_sip_unacked_refused_total'), 4);
    assert.equal(value(text, 'voxbridge_recognizer_admission_refused_total'), 5);
    assert.equal(value(text, 'voxbridge_sip_refused_total'), 6);
    assert.equal(value(text, 'voxbridge_sip_internal_errors_total'), 0);
    assert.equal(value(text, 'voxbridge_rtp_packets_rejected_total'), 150);
    assert.equal(value(text, 'voxbridge_siprec_metadata_warnings_total'), 2);
    assert.equal(value(text, 'voxbridge_sip_offerless_invites_total'), 8);
    assert.equal(value(text, 'voxbridge_sip_bad_answers_total'), 1);
    assert.equal(value(text, 'voxbridge_recognizer_streams'), 3);
    assert.equal(value(text, 'voxbridge_recognizer_streams_limit'), 4);
    assert.equal(value(text, 'voxbridge_engine_process_crashes_total\\{engine="pocketsphinx"\\}'), 1);

    counts = {
      ...counts,
      mediaTimeouts: 7,
      rtpRejected: 10,
      recognizerStreams: 1,
      engineProcessCrashes: { pocketsphinx: 3, sherpa: 1 },
    };
    text = await metrics.render();
    assert.equal(value(text, 'voxbridge_media_timeouts_total'), 7, 'grew by 5');
    // A smaller count means the source started over (a new gateway): all of it is new.
    assert.equal(value(text, 'voxbridge_rtp_packets_rejected_total'), 160);
    assert.equal(value(text, 'voxbridge_sip_refused_total'), 6, 'unchanged counts do not grow');
    assert.equal(value(text, 'voxbridge_recognizer_streams'), 1);
    assert.equal(value(text, 'voxbridge_engine_process_crashes_total\\{engine="pocketsphinx"\\}'), 3);
    assert.equal(value(text, 'voxbridge_engine_process_crashes_total\\{engine="sherpa"\\}'), 1);
  } finally {
    metrics.close();
  }
});
