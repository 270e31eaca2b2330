/**
 * Crash containment's price: the same N live 8 kHz pocketsphinx streams (speech-live's programs,
 * fed in real time) with the decoders in worker threads of this process (the former design) and
 * in supervised child processes (the default since issue 11). CPU counts every thread of this
 * process plus, for processes, the engine children's own CPU time from /proc, so the columns
 * compare the whole cost of a stream, IPC copies and V8 serialization included.
 * Run: `npm run bench -- speech-isolation` (also part of `speech`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { createSttEngine } from '../src/app/index.js';
import type { PocketsphinxStt } from '../src/engines/stt/pocketsphinx/index.js';
import { resolveModelDir } from '../src/models/index.js';
import { fmt, printTable } from './lib.js';
import { SHARED_MODELS_DIR, loadLibriSpeech } from './speech-data.js';
import { liveStreamFrames, runLiveStreams } from './speech-live.js';
import { streamFrames } from '../src/engines/spi/testing/index.js';
import { frameDurationMs } from '../src/media/audio/index.js';

const COUNTS = [1, 2, 4];
/** Streams decoded at once, as fast as the engine takes them, for the CPU cost per audio second. */
const OFFLINE_COUNTS = [1, 2];
/** Linux's clock ticks per second for /proc/<pid>/stat (USER_HZ); 100 on every common build. */
const CLOCK_TICKS_PER_S = 100;

/** User + system CPU seconds of a process, from /proc/<pid>/stat (0 when it is gone). */
function processCpuS(pid: number): number {
  const path = `/proc/${pid}/stat`;
  if (!existsSync(path)) return 0;
  const stat = readFileSync(path, 'utf8');
  // The command name (field 2) may hold spaces; the numeric fields start after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

function childrenCpuS(engine: PocketsphinxStt): number {
  return engine.processes.reduce(
    (sum, p) => sum + (p.pid === undefined || p.pid === process.pid ? 0 : processCpuS(p.pid)),
    0,
  );
}

/**
 * CPU seconds (this process and the engine's children) per second of audio, with `n` streams fed
 * as fast as the engine takes them: the cores one real-time stream costs, whatever else the
 * machine runs (a loaded machine slows the run but does not change the CPU time it takes).
 */
async function cpuPerAudioSecond(
  engine: PocketsphinxStt,
  librispeech: ReturnType<typeof loadLibriSpeech>,
  n: number,
): Promise<{ ownS: number; childrenS: number; audioS: number }> {
  const programs = Array.from({ length: n }, (_, i) => liveStreamFrames(librispeech, i) ?? []);
  const own0 = process.cpuUsage();
  const children0 = childrenCpuS(engine);
  await Promise.all(
    programs.map(async (frames) => {
      for await (const _ of engine.transcribe(streamFrames(frames)));
    }),
  );
  const own = process.cpuUsage(own0);
  const audioS =
    programs.reduce((s, frames) => s + frames.reduce((t, f) => t + frameDurationMs(f), 0), 0) / 1000;
  return { ownS: (own.user + own.system) / 1e6, childrenS: childrenCpuS(engine) - children0, audioS };
}

const ISOLATIONS = ['thread', 'process'] as const;
type Isolation = (typeof ISOLATIONS)[number];
/** Offline rounds, alternating the two engines so that the machine's other load hits both alike. */
const ROUNDS = 3;

function label(isolation: Isolation): string {
  return isolation === 'thread' ? 'worker threads' : 'child processes';
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** One stream per core, so that every worker or process has started and loaded its model. */
async function warmUp(
  engine: PocketsphinxStt,
  librispeech: ReturnType<typeof loadLibriSpeech>,
): Promise<void> {
  const frames = (liveStreamFrames(librispeech, 0) ?? []).slice(0, 50);
  await Promise.all(
    Array.from({ length: availableParallelism() }, async () => {
      for await (const _ of engine.transcribe(streamFrames(frames)));
    }),
  );
}

export async function isolationBench(modelsDir: string | undefined): Promise<void> {
  const librispeech = loadLibriSpeech();
  if (liveStreamFrames(librispeech, 0) === undefined) {
    console.log('\nisolation: skipped — the LibriSpeech clips 8k.wav and 0.wav are absent');
    return;
  }
  const rows: (string | number)[][] = [];
  const offlineRows: (string | number)[][] = [];
  const engines = new Map<Isolation, PocketsphinxStt>();
  try {
    for (const isolation of ISOLATIONS) {
      const engine = (await createSttEngine('pocketsphinx', {
        modelsDir,
        pocketsphinxIsolation: isolation,
      })) as PocketsphinxStt;
      engines.set(isolation, engine);
      await warmUp(engine, librispeech);
    }
    const costs = new Map<string, { total: number[]; gatewayMs: number[]; audioS: number }>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const isolation of ISOLATIONS) {
        for (const n of OFFLINE_COUNTS) {
          const cost = await cpuPerAudioSecond(engines.get(isolation)!, librispeech, n);
          const key = `${isolation}/${n}`;
          const entry = costs.get(key) ?? { total: [], gatewayMs: [], audioS: cost.audioS };
          entry.total.push((cost.ownS + cost.childrenS) / cost.audioS);
          entry.gatewayMs.push((1000 * cost.ownS) / cost.audioS);
          costs.set(key, entry);
        }
      }
    }
    for (const isolation of ISOLATIONS) {
      for (const n of OFFLINE_COUNTS) {
        const entry = costs.get(`${isolation}/${n}`)!;
        offlineRows.push([
          label(isolation),
          n,
          fmt(entry.audioS, 1),
          entry.total.map((v) => fmt(v, 3)).join(' / '),
          fmt(median(entry.total), 3),
          fmt(median(entry.gatewayMs), 1),
        ]);
      }
    }
    for (const isolation of ISOLATIONS) {
      const engine = engines.get(isolation)!;
      for (const n of COUNTS) {
        let own0 = process.cpuUsage();
        let children0 = 0;
        const run = await runLiveStreams(engine, librispeech, n, {
          // Measured from after the warm-up, so that spawning and model loading are not counted.
          onStart: () => {
            own0 = process.cpuUsage();
            children0 = childrenCpuS(engine);
          },
        });
        if (run === undefined) return;
        const own = process.cpuUsage(own0);
        const ownCores = (own.user + own.system) / 1000 / run.wallMs;
        const childCores = ((childrenCpuS(engine) - children0) * 1000) / run.wallMs;
        const total = ownCores + childCores;
        rows.push([
          label(isolation),
          n,
          fmt(ownCores, 2),
          isolation === 'thread' ? '-' : fmt(childCores, 2),
          fmt(total, 2),
          fmt(total / n, 3),
          fmt(run.latencyP50Ms, 0),
          fmt(run.latencyP95Ms, 0),
          fmt(run.werPct, 1),
          fmt(run.lagP99Ms, 1),
          `${run.keptUp}/${n}`,
        ]);
      }
    }
  } finally {
    await Promise.all([...engines.values()].map((engine) => engine.close()));
  }
  printTable(
    'Decoders in worker threads vs supervised child processes: N live 8 kHz pocketsphinx streams in real time',
    [
      'decoders in',
      'N',
      'gateway CPU (cores)',
      'engine processes CPU (cores)',
      'total CPU (cores)',
      'CPU per stream (cores)',
      'final p50 ms',
      'final p95 ms',
      'WER %',
      'loop lag p99 ms',
      'kept up',
    ],
    rows,
  );
  printTable(
    `Decoder CPU per second of audio: threads vs processes (streams fed as fast as the engine takes them, ${ROUNDS} rounds alternating)`,
    [
      'decoders in',
      'streams at once',
      'audio s per round',
      'CPU s per audio s, each round',
      'median (= cores per live stream)',
      'gateway process CPU ms per audio s (median)',
    ],
    offlineRows,
  );
  console.log(
    `\nSame streams as the live-stream table (LibriSpeech 8k.wav and 0.wav as 8 kHz µ-law, whole-utterance finals).` +
      ` CPU: process.cpuUsage() of this process (all threads) plus, for child processes, their utime + stime from` +
      ` /proc/<pid>/stat, over the wall time of the run (live) or the audio time (offline); the warm-up (one stream per core) is not counted.` +
      ` With threads the gateway process's CPU includes the decoding; with processes it is the hand-over alone.`,
  );
}

export async function runIsolationBench(): Promise<void> {
  const modelsDir = existsSync(SHARED_MODELS_DIR) ? SHARED_MODELS_DIR : undefined;
  const vadDir = await resolveModelDir('silero-vad', { modelsDir });
  console.log('\n## Speech: decoder isolation\n');
  console.log('Command: `npm run bench -- speech-isolation`');
  console.log(
    `Cores: availableParallelism ${availableParallelism()}; VAD ${vadDir === undefined ? 'energy' : 'Silero'};` +
      ` load average at the start ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' / ')}`,
  );
  await isolationBench(modelsDir);
  console.log(
    `Load average at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}`,
  );
}
