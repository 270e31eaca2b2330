/** Tables and verdicts of `npm run bench -- sip` for the leg and pocketsphinx steps. */
import { fmt, printTable } from './lib.js';
import type { LegStep, SinkStep, StepTiming } from './sip-media-load.js';
import { networkLossPercent, playoutLossPercent } from './sip-media-load.js';
import { CORE_UNDER_TEST } from './sip-procs.js';
import { percentile } from './speech-data.js';

const MAX_LOSS_PERCENT = 0.1;
const MAX_LAG_P99_MS = 20;
const MAX_FINAL_P95_MS = 1000;
const TARGET_LEGS = 1000;
const TARGET_KB_PER_CALL = 512;

const mb = (bytes: number): string => fmt(bytes / 2 ** 20, 0);
const kb = (bytes: number): string => fmt(bytes / 1024, 0);

/** CPU µs per received packet: the process's CPU over the window / packets due in it. */
function usPerPacket(cpuCores: number, legs: number): number {
  return (cpuCores * 1e6) / (legs * 50);
}

export function meetsLegLimits(step: LegStep): boolean {
  return playoutLossPercent(step) < MAX_LOSS_PERCENT && step.window.lagP99Ms < MAX_LAG_P99_MS;
}

export function printLegTables(
  steps: readonly LegStep[],
  peers: readonly SinkStep[],
  timing: StepTiming,
): void {
  const idleRss = steps[0]?.idleRssBytes ?? 0;
  const idleHeap = steps[0]?.idleHeapBytes ?? 0;
  const sinkIdle = peers[0]?.idleRssBytes ?? 0;
  printTable(
    `Concurrent G.711 legs on one core, recognizer off (--stt none): voxbridge vs a bare dgram sink with the same sockets and load (${timing.warmupS} s warm-up, ${timing.windowS} s window per step)`,
    [
      'legs',
      'calls up',
      'packets sent',
      'voxbridge loss %',
      'network loss %',
      'lost',
      'late',
      'out of window',
      'loop lag p50 ms',
      'p99 ms',
      'max ms',
      'CPU (cores)',
      'CPU µs/packet',
      'core busy (all processes)',
      'sink loss %',
      'sink lag p99 ms',
      'sink CPU (cores)',
      'sink µs/packet',
      'sink core busy',
      'generator late p99 ms',
      'generator CPU (cores)',
      'load core busy',
      'meets limits',
    ],
    steps.map((s, i) => {
      const peer = peers[i];
      return [
        s.calls,
        s.callsUp,
        s.generator.sent,
        fmt(playoutLossPercent(s), 3),
        fmt(networkLossPercent(s.generator.sent, s.drained.packets), 3),
        s.drained.lost,
        s.drained.late,
        s.drained.outOfWindow,
        fmt(s.window.lagP50Ms, 1),
        fmt(s.window.lagP99Ms, 1),
        fmt(s.window.lagMaxMs, 1),
        fmt(s.window.cpuCores, 2),
        fmt(usPerPacket(s.window.cpuCores, s.callsUp), 1),
        fmt(s.coreBusy, 2),
        peer === undefined ? '–' : fmt(networkLossPercent(peer.generator.sent, peer.received), 3),
        peer === undefined ? '–' : fmt(peer.window.lagP99Ms, 1),
        peer === undefined ? '–' : fmt(peer.window.cpuCores, 2),
        peer === undefined ? '–' : fmt(usPerPacket(peer.window.cpuCores, peer.legs), 1),
        peer === undefined ? '–' : fmt(peer.coreBusy, 2),
        fmt(s.generator.lateP99Ms, 1),
        fmt(s.generator.cpuCores, 2),
        fmt(s.loadCoreBusy, 2),
        meetsLegLimits(s) ? 'yes' : 'no',
      ];
    }),
  );
  printTable(
    'Memory per call, recognizer off: (RSS at N calls − RSS idle) / N; slope: between this step and the previous one',
    [
      'calls',
      'RSS MB',
      'KB per call',
      'slope KB per call',
      'heap used MB',
      'heap KB per call',
      'sink RSS MB',
      'sink KB per leg',
    ],
    steps.map((s, i) => {
      const previous = steps[i - 1];
      const peer = peers[i];
      return [
        s.calls,
        mb(s.window.rssBytes),
        kb((s.window.rssBytes - idleRss) / s.callsUp),
        previous === undefined
          ? '–'
          : kb((s.window.rssBytes - previous.window.rssBytes) / (s.callsUp - previous.callsUp)),
        mb(s.window.heapUsedBytes),
        kb((s.window.heapUsedBytes - idleHeap) / s.callsUp),
        peer === undefined ? '–' : mb(peer.window.rssBytes),
        peer === undefined ? '–' : kb((peer.window.rssBytes - sinkIdle) / peer.legs),
      ];
    }),
  );
  const best = steps.filter(meetsLegLimits).at(-1);
  console.log(
    `\nIdle gateway RSS ${mb(idleRss)} MB, heap ${mb(idleHeap)} MB; idle sink RSS ${mb(sinkIdle)} MB.` +
      ` voxbridge loss: packets sent that never played (sent − played) / sent; network loss: sent − received.` +
      ` Loop lag: monitorEventLoopDelay (10 ms resolution) minus its interval. CPU: process time (all threads) / wall, pinned to core ${CORE_UNDER_TEST}; core busy: that core's busy fraction from /proc/stat over the window, every process included (the difference is other work on the machine).`,
  );
  console.log(
    `Largest step with loss < ${MAX_LOSS_PERCENT} % and loop lag p99 < ${MAX_LAG_P99_MS} ms: ` +
      `${best === undefined ? 'none' : `${best.calls} legs`} (target ≥ ${TARGET_LEGS}: ${
        best !== undefined && best.calls >= TARGET_LEGS ? 'met' : 'not met'
      }); memory per call there ${
        best === undefined ? '–' : `${kb((best.window.rssBytes - idleRss) / best.callsUp)} KB`
      } (target ≤ ${TARGET_KB_PER_CALL} KB).`,
  );
}

export function printSpeechTable(steps: readonly LegStep[], timing: StepTiming): void {
  const idleRss = steps[0]?.idleRssBytes ?? 0;
  const keepsUp = (s: LegStep): boolean =>
    s.window.finalLatenciesMs.length > 0 &&
    percentile(s.window.finalLatenciesMs, 95) < MAX_FINAL_P95_MS &&
    s.drained.recognizerDrops === 0 &&
    s.window.lagP99Ms < MAX_LAG_P99_MS;
  printTable(
    `pocketsphinx on, gateway on core ${CORE_UNDER_TEST}: LibriSpeech 0.wav + 1.5 s silence looped per leg (${timing.warmupS} s warm-up, ${timing.windowS} s window per step)`,
    [
      'calls',
      'finals',
      'final latency p50 ms',
      'p95 ms',
      'max ms',
      'recognizer drops',
      'max backlog (frames)',
      'voxbridge loss %',
      'loop lag p99 ms',
      'CPU (cores)',
      'core busy (all processes)',
      'RSS MB',
      'MB per call',
      'slope MB per call',
      'keeps up',
    ],
    steps.map((s, i) => {
      const l = s.window.finalLatenciesMs;
      const previous = steps[i - 1];
      return [
        s.calls,
        l.length,
        l.length > 0 ? fmt(percentile(l, 50), 0) : '–',
        l.length > 0 ? fmt(percentile(l, 95), 0) : '–',
        l.length > 0 ? fmt(Math.max(...l), 0) : '–',
        s.drained.recognizerDrops,
        s.window.recognizerBacklogMax,
        fmt(playoutLossPercent(s), 3),
        fmt(s.window.lagP99Ms, 1),
        fmt(s.window.cpuCores, 2),
        fmt(s.coreBusy, 2),
        mb(s.window.rssBytes),
        fmt((s.window.rssBytes - idleRss) / s.callsUp / 2 ** 20, 1),
        previous === undefined
          ? '–'
          : fmt((s.window.rssBytes - previous.window.rssBytes) / (s.callsUp - previous.callsUp) / 2 ** 20, 1),
        keepsUp(s) ? 'yes' : 'no',
      ];
    }),
  );
  const best = steps.filter(keepsUp).at(-1);
  console.log(
    `\nFinal latency: final arrival wall time − (call start wall time + the final's endMs). Keeps up: final p95 < ${MAX_FINAL_P95_MS} ms,` +
      ` no recognizer drops, loop lag p99 < ${MAX_LAG_P99_MS} ms. Largest such step: ${best === undefined ? 'none' : `${best.calls} calls`}.` +
      ` Idle RSS (engine loaded) ${mb(idleRss)} MB.`,
  );
}
