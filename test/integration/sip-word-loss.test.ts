/**
 * No silent word loss (issue 9): four concurrent SIPp calls carry telephone speech (LibriSpeech,
 * G.711 µ-law RTP) into `voxbridge serve --stt pocketsphinx` on this machine's cores; the words
 * of each call must be the words the same engine and model produce on the same G.711 audio fed
 * directly. The comparison is engine against itself, so it holds with either acoustic model.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WordLossOptions } from '../support/sip-word-loss.js';
import { runSipWordLoss } from '../support/sip-word-loss.js';

/** The acceptance bound: WER over SIP within one point of the engine fed directly. */
const MAX_WER_DIFF_POINTS = 1;

/** Runs the calls and asserts: no gap, the words of the played audio, WER within the bound. */
async function checkNoWordLoss(options: WordLossOptions, werBound: boolean): Promise<void> {
  const report = await runSipWordLoss(options);
  const lines = report.calls.map(
    (c) =>
      `${c.sipCallId}: sip ${c.sipEdits}/${c.referenceWords} direct ${c.directEdits}/${c.referenceWords} ` +
      `sip-vs-direct ${c.sipVsDirectEdits} sip=played ${c.sip === c.directOnPlayed} gaps ${JSON.stringify(c.gaps.map((g) => [g['reason'], g.startMs, g.endMs]))} ` +
      `RTP frames missing ${c.rtpFramesMissing} displaced ${c.rtpFramesDisplaced} end lag ${c.endLagMs} ms`,
  );
  const summary =
    `WER sip ${report.sipWerPct.toFixed(1)} % direct ${report.directWerPct.toFixed(1)} % ` +
    `(${report.referenceWords} words); gaps ${report.gaps} (${report.gapLostMs} ms lost)\n${lines.join('\n')}\n` +
    `gateway stderr (end):\n${report.gatewayStderr.slice(-1500)}`;
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
  // against the sent audio; that is what the WER bound allows, and only that. A call with
  // frames missing (lost or late RTP) is skipped: there the recognizer heard concealment the
  // recording does not have.
  const compared = report.calls.filter((c) => c.rtpFramesMissing === 0);
  for (const call of compared) {
    assert.equal(call.sip, call.directOnPlayed, `${call.sipCallId}: words lost in the gateway\n${summary}`);
  }
  assert.ok(compared.length >= report.calls.length / 2, `too few calls without RTP loss\n${summary}`);
  if (werBound) {
    assert.ok(
      Math.abs(report.sipWerPct - report.directWerPct) <= MAX_WER_DIFF_POINTS,
      `WER over SIP ${report.sipWerPct.toFixed(2)} % vs direct ${report.directWerPct.toFixed(2)} %\n${summary}`,
    );
  }
}

describe('words over SIP equal words fed directly', () => {
  it('4 concurrent SIPp calls lose no words and report no gap', { timeout: 300_000 }, async () => {
    // Four 8 kHz pocketsphinx streams (whole-utterance finals) need about 1.9 cores: on two the
    // recognizers fall about 15 s behind by the end of the calls ("end lag" in the log), far
    // beyond the old 1 s queue, which dropped words here. Sustained overload (the same calls on
    // one core) is refused by admission and measured in bench/sip-accuracy, not here.
    await checkNoWordLoss({ calls: 4 }, true);
  });
});
