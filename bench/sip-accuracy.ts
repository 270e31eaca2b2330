/**
 * `npm run bench -- sip-accuracy` (issue 9, no silent word loss): N concurrent SIPp calls carry
 * LibriSpeech speech as G.711 into `voxbridge serve --stt pocketsphinx`; the same engine and model
 * then hear the same G.711 audio fed directly. Printed side by side: WER over SIP and direct,
 * the words where the two differ, and the transcript.gap events the gateway reported.
 * Target: WER over SIP within 1 point of direct, with no gap, at 4 concurrent calls on 2 cores.
 *
 *   npm run build && npm run bench -- sip-accuracy             # 1, 4, 8 and 12 calls, about 5 minutes
 *   npm run build && npm run bench -- sip-accuracy --calls=4   # one step
 *
 * 8 calls (≈ 2.8 cores of pocketsphinx on 2) fall behind, and the backlog absorbs it for calls
 * this long; 12 is sustained overload that admission would refuse: there the point is that
 * every lost second shows as a transcript.gap, never as silence.
 */
import { availableParallelism, loadavg } from 'node:os';
import type { WordLossReport } from '../test/support/sip-word-loss.js';
import { runSipWordLoss } from '../test/support/sip-word-loss.js';
import { fmt, printTable } from './lib.js';

function steps(): number[] {
  const arg = process.argv.find((a) => a.startsWith('--calls='));
  if (arg === undefined) return [1, 4, 8, 12];
  return arg
    .slice('--calls='.length)
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** Gap events by reason, e.g. `backlog 3, flush-timeout 1`. */
function reasons(report: WordLossReport): string {
  const counts = new Map<string, number>();
  for (const call of report.calls) {
    for (const gap of call.gaps)
      counts.set(String(gap['reason']), (counts.get(String(gap['reason'])) ?? 0) + 1);
  }
  return counts.size === 0 ? '-' : [...counts].map(([r, n]) => `${r} ${n}`).join(', ');
}

export async function runSipAccuracyBench(): Promise<void> {
  const reports: { calls: number; report: WordLossReport }[] = [];
  for (const calls of steps()) {
    const report = await runSipWordLoss({ calls });
    reports.push({ calls, report });
  }
  printTable(
    `Words over SIP against the same engine fed the same G.711 directly (pocketsphinx, ${availableParallelism()} cores, load ${fmt(loadavg()[0] ?? 0, 1)})`,
    [
      'calls',
      'ref words',
      'WER over SIP %',
      'WER direct %',
      'diff (pts)',
      'word edits SIP vs direct',
      'transcript.gap events',
      'gap reasons',
      'audio reported lost s',
      'max end lag ms',
      'wall s',
    ],
    reports.map(({ calls, report }) => [
      calls,
      report.referenceWords,
      fmt(report.sipWerPct, 1),
      fmt(report.directWerPct, 1),
      fmt(report.sipWerPct - report.directWerPct, 1),
      report.calls.reduce((n, c) => n + c.sipVsDirectEdits, 0),
      report.gaps,
      reasons(report),
      fmt(report.gapLostMs / 1000, 1),
      Math.max(...report.calls.map((c) => c.endLagMs)),
      fmt(report.wallMs / 1000, 1),
    ]),
  );
  for (const { calls, report } of reports) {
    if (calls === 1) continue;
    printTable(
      `Per call, ${calls} concurrent`,
      [
        'call',
        'audio s',
        'ref words',
        'SIP edits',
        'direct edits',
        'SIP vs direct edits',
        'gaps',
        'RTP frames missing',
        'RTP frames displaced',
        'end lag ms',
      ],
      report.calls.map((c, i) => [
        i + 1,
        fmt(c.audioMs / 1000, 1),
        c.referenceWords,
        c.sipEdits,
        c.directEdits,
        c.sipVsDirectEdits,
        c.gaps.length,
        c.rtpFramesMissing,
        c.rtpFramesDisplaced,
        c.endLagMs,
      ]),
    );
  }
  console.log(
    '\nEach call plays the three shared LibriSpeech utterances (rotated per call, 1 s apart, 8 kHz µ-law), ' +
      'one SIPp process per call, all started at once. Direct: the engine from the same factory ' +
      '(same model and VAD) reads the decoded G.711 as 20 ms frames as fast as it takes them. ' +
      'RTP frames, from the recording (what the jitter buffer played) against what SIPp sent: ' +
      'missing = lost or late before any recognizer; displaced = played later, after a pause ' +
      'of the sender (the quiet it left is heard as inserted silence). ' +
      'End lag: from the BYE to call.ended (the recognizers finishing their backlog).',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await runSipAccuracyBench();
