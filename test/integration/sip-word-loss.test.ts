/**
 * No silent word loss (issue 9): four concurrent SIPp calls carry telephone speech (LibriSpeech,
 * G.711 µ-law RTP) into `voxbridge serve --stt pocketsphinx` on this machine's cores; the words
 * of each call must be the words the same engine and model produce on the same G.711 audio fed
 * directly. The comparison is engine against itself, so it holds with either acoustic model.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSipWordLoss } from '../support/sip-word-loss.js';

/** The acceptance bound: WER over SIP within one point of the engine fed directly. */
const MAX_WER_DIFF_POINTS = 1;

describe('words over SIP equal words fed directly', () => {
  it('4 concurrent SIPp calls lose no words and report no gap', { timeout: 300_000 }, async () => {
    const report = await runSipWordLoss({ calls: 4 });
    const lines = report.calls.map(
      (c) =>
        `${c.sipCallId}: sip ${c.sipEdits}/${c.referenceWords} direct ${c.directEdits}/${c.referenceWords} ` +
        `sip-vs-direct ${c.sipVsDirectEdits} sip=played ${c.sip === c.directOnPlayed} gaps ${c.gaps.length} RTP frames missing ${c.rtpFramesMissing} displaced ${c.rtpFramesDisplaced} ` +
        `end lag ${c.endLagMs} ms`,
    );
    const summary =
      `WER sip ${report.sipWerPct.toFixed(1)} % direct ${report.directWerPct.toFixed(1)} % ` +
      `(${report.referenceWords} words); gaps ${report.gaps} (${report.gapLostMs} ms lost)\n${lines.join('\n')}`;
    console.log(summary);
    for (const call of report.calls) {
      // Both heard speech: an empty transcript on either side would make equality meaningless.
      assert.ok(call.direct.split(' ').length >= call.referenceWords / 2, `direct: "${call.direct}"`);
      assert.ok(call.sip !== '', `no finals over SIP for ${call.sipCallId}`);
    }
    assert.equal(report.gaps, 0, `transcript.gap events:\n${summary}`);
    // The sharp check: the engine fed the audio exactly as the gateway played it (its recording)
    // says the same words as the call, to the word. A sender that pauses under load moves the
    // audio after the pause (the recording has it too), which may shift an utterance boundary
    // against the sent audio; that is what the WER bound below allows, and only that.
    for (const call of report.calls) {
      if (call.rtpFramesMissing !== 0) continue;
      assert.equal(call.sip, call.directOnPlayed, `${call.sipCallId}: words lost in the gateway\n${summary}`);
    }
    assert.ok(
      Math.abs(report.sipWerPct - report.directWerPct) <= MAX_WER_DIFF_POINTS,
      `WER over SIP ${report.sipWerPct.toFixed(2)} % vs direct ${report.directWerPct.toFixed(2)} %\n${summary}`,
    );
  });
});
