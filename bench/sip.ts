/**
 * `npm run bench -- sip` (issue 4): call setup rate and INVITE→200 p99 against SIPp's own UAS;
 * the most concurrent G.711 legs one core carries with the recognizer off (packet loss < 0.1 %,
 * loop lag p99 < 20 ms) against a bare dgram sink; memory per call; the same with pocketsphinx.
 *
 *   npm run bench -- sip                          # about 10 minutes
 *   VOX_BENCH_QUICK=1 npm run bench -- sip        # about 3 minutes, fewer and shorter steps
 *   node --import tsx bench/sip.ts [--quick] [--cpu-prof]
 *
 * The process under test runs on core 0 (`taskset -c 0`); this process, SIPp and the RTP
 * generator on core 1. `--cpu-prof` (or VOX_BENCH_CPU_PROF=1) writes a V8 CPU profile of the
 * gateway child of the stt-none leg steps into a temporary folder and prints its path.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedFile } from '../test/support/paths.js';
import { wavToG711 } from '../test/support/sipp/index.js';
import { setupRateBench, RTP_MAX, RTP_MIN } from './sip-setup-rate.js';
import { CORE_LOAD, CORE_UNDER_TEST, pinSelf, startChild } from './sip-procs.js';
import { meetsLegLimits, printLegTables, printSpeechTable } from './sip-report.js';
import type { LegStep, SinkStep, StepTiming } from './sip-media-load.js';
import { gatewayStep, playoutLossPercent, sinkStep } from './sip-media-load.js';

export interface SipBenchOptions {
  readonly quick: boolean;
  readonly cpuProf: boolean;
}

function optionsFromEnvironment(): SipBenchOptions {
  const argv = process.argv.slice(2);
  return {
    quick: argv.includes('--quick') || process.env['VOX_BENCH_QUICK'] === '1',
    cpuProf: argv.includes('--cpu-prof') || process.env['VOX_BENCH_CPU_PROF'] === '1',
  };
}

/** LibriSpeech 0.wav as 8 kHz µ-law, then 1.5 s of silence so each pass ends an utterance. */
function writeSpeech(dir: string): string {
  const speech = wavToG711(sharedFile('audio/librispeech/0.wav'), 'mulaw');
  const bytes = new Uint8Array(speech.length + 12_000).fill(0xff);
  bytes.set(speech);
  const path = join(dir, 'speech.ul');
  writeFileSync(path, bytes);
  return path;
}

async function legsBench(options: SipBenchOptions, audioPath: string, profDir: string | undefined) {
  const counts = options.quick ? [250, 1000] : [500, 1000, 1500, 2000, 2500, 3000];
  const timing: StepTiming = options.quick ? { warmupS: 2, windowS: 5 } : { warmupS: 3, windowS: 10 };
  const generator = startChild('sip-rtp-generator.ts', [], CORE_LOAD, { closeCommand: false });
  const gateway = startChild(
    'sip-gateway-child.ts',
    ['gateway', 'none', String(RTP_MIN), String(RTP_MAX)],
    CORE_UNDER_TEST,
    profDir === undefined ? {} : { nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profDir] },
  );
  const sink = startChild('sip-gateway-child.ts', ['sink'], CORE_UNDER_TEST);
  const steps: LegStep[] = [];
  const peers: SinkStep[] = [];
  try {
    const [{ sipPort }] = await Promise.all([gateway.ready, generator.ready, sink.ready]);
    for (const calls of counts) {
      const step = await gatewayStep(gateway, generator, sipPort ?? 0, calls, timing, audioPath);
      steps.push(step);
      const peer = await sinkStep(sink, generator, calls, timing, audioPath);
      peers.push(peer);
      console.error(
        `sip legs: ${calls} → loss ${playoutLossPercent(step).toFixed(3)} %, lag p99 ${step.window.lagP99Ms.toFixed(1)} ms`,
      );
      // One step past the first that fails is enough to show the trend.
      if (steps.filter((s) => !meetsLegLimits(s)).length >= 2) break;
    }
  } finally {
    await Promise.all([gateway.close(), generator.close(), sink.close()]);
  }
  return { steps, peers, timing };
}

async function speechBench(options: SipBenchOptions, audioPath: string) {
  const counts = options.quick ? [1, 2, 4] : [1, 2, 3, 4, 6];
  const timing: StepTiming = options.quick ? { warmupS: 2, windowS: 12 } : { warmupS: 2, windowS: 20 };
  const generator = startChild('sip-rtp-generator.ts', [], CORE_LOAD, { closeCommand: false });
  const gateway = startChild(
    'sip-gateway-child.ts',
    ['gateway', 'pocketsphinx', String(RTP_MIN), String(RTP_MAX)],
    CORE_UNDER_TEST,
  );
  const steps: LegStep[] = [];
  try {
    const [{ sipPort }] = await Promise.all([gateway.ready, generator.ready]);
    for (const calls of counts) {
      const step = await gatewayStep(gateway, generator, sipPort ?? 0, calls, timing, audioPath);
      steps.push(step);
      console.error(`sip speech: ${calls} → ${step.window.finalLatenciesMs.length} finals`);
    }
  } finally {
    await Promise.all([gateway.close(), generator.close()]);
  }
  return { steps, timing };
}

export async function runSipBench(options: SipBenchOptions = optionsFromEnvironment()): Promise<void> {
  const started = Date.now();
  const load = loadavg();
  const oldMask = pinSelf(CORE_LOAD);
  const dir = mkdtempSync(join(tmpdir(), 'vox-bench-sip-'));
  const profDir = options.cpuProf ? mkdtempSync(join(tmpdir(), 'vox-sip-prof-')) : undefined;
  try {
    console.log(
      `\nSIP ingress benchmark${options.quick ? ' (quick)' : ''}: load average at start ` +
        `${load.map((l) => l.toFixed(2)).join(' / ')}`,
    );
    const audioPath = writeSpeech(dir);
    await setupRateBench(options);
    const legs = await legsBench(options, audioPath, profDir);
    printLegTables(legs.steps, legs.peers, legs.timing);
    const speech = await speechBench(options, audioPath);
    printSpeechTable(speech.steps, speech.timing);
    if (profDir !== undefined) console.log(`\nCPU profile of the stt-none gateway child: ${profDir}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    execFileSync('taskset', ['-a', '-p', '-c', oldMask, String(process.pid)], { stdio: 'ignore' });
    const end = loadavg();
    console.log(
      `\nSIP benchmark took ${Math.round((Date.now() - started) / 1000)} s; load average at the end ` +
        `${end.map((l) => l.toFixed(2)).join(' / ')}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runSipBench();
