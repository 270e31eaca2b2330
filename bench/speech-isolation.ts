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

export async function isolationBench(modelsDir: string | undefined): Promise<void> {
  const librispeech = loadLibriSpeech();
  const rows: (string | number)[][] = [];
  const offlineRows: (string | number)[][] = [];
  for (const isolation of ['thread', 'process'] as const) {
    const engine = (await createSttEngine('pocketsphinx', {
      modelsDir,
      pocketsphinxIsolation: isolation,
    })) as PocketsphinxStt;
    try {
      for (const n of OFFLINE_COUNTS) {
        const cost = await cpuPerAudioSecond(engine, librispeech, n);
        offlineRows.push([
          isolation === 'thread' ? 'worker threads' : 'child processes',
          n,
          fmt(cost.audioS, 1),
          fmt(cost.ownS, 2),
          isolation === 'thread' ? '-' : fmt(cost.childrenS, 2),
          fmt((cost.ownS + cost.childrenS) / cost.audioS, 3),
          fmt((1000 * cost.ownS) / cost.audioS, 2),
        ]);
      }
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
        if (run === undefined) {
          console.log('\nisolation: skipped — the LibriSpeech clips 8k.wav and 0.wav are absent');
          return;
        }
        const own = process.cpuUsage(own0);
        const ownCores = (own.user + own.system) / 1000 / run.wallMs;
        const childCores = ((childrenCpuS(engine) - children0) * 1000) / run.wallMs;
        const total = ownCores + childCores;
        rows.push([
          isolation === 'thread' ? 'worker threads' : 'child processes',
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
    } finally {
      await engine.close();
    }
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
    'Decoder CPU per second of audio: threads vs processes (streams fed as fast as the engine takes them)',
    [
      'decoders in',
      'streams at once',
      'audio s',
      'gateway CPU s',
      'engine processes CPU s',
      'CPU s per audio s (= cores per live stream)',
      'gateway CPU ms per audio s',
    ],
    offlineRows,
  );
  console.log(
    `\nSame streams as the live-stream table (LibriSpeech 8k.wav and 0.wav as 8 kHz µ-law, whole-utterance finals).` +
      ` CPU: process.cpuUsage() of this process (all threads) plus, for child processes, their utime + stime from` +
      ` /proc/<pid>/stat, over the wall time of the run; the warm-up (one stream per core) is not counted.`,
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
