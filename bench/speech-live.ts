/**
 * Concurrent live streams: N pocketsphinx streams, each fed 20 ms frames of 8 kHz µ-law-decoded
 * audio on a timer in real time, as calls deliver them. Measures the main thread's event-loop lag,
 * how long after the end of each utterance its final arrives, whether the finals still carry the
 * words (overload shows as lost words), and whether each stream kept up with real time.
 */
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SttEngine } from '../src/engines/spi/index.js';
import type { AudioFrame } from '../src/media/audio/index.js';
import { PCM16_8K, concatPcm, resample } from '../src/media/audio/index.js';
import { g711Decode, g711Encode } from '../src/media/codecs/index.js';
import { pcmFrames, streamFrames } from '../src/engines/spi/testing/index.js';
import { wordErrorRate } from '../test/support/wer.js';
import { fmt, printTable } from './lib.js';
import type { ClipSet } from './speech-data.js';
import { percentile, speechEndSample, wordCount } from './speech-data.js';

const RATE_HZ = 8000;
const FRAME_MS = 20;
const FRAME_SAMPLES = (RATE_HZ * FRAME_MS) / 1000;
/** Quiet line after each utterance: long enough for the VAD's 500 ms trailing silence and more. */
const GAP_MS = 1500;
/** monitorEventLoopDelay samples this often; its histogram holds interval + lag, so this is subtracted. */
const ELD_RESOLUTION_MS = 10;
/** Streams join over this long, as calls arrive, rather than all in the same millisecond. */
const ARRIVAL_SPREAD_MS = 2000;
const LAG_TARGET_MS = 20;
const LATENCY_TARGET_MS = 1000;
/** A stream kept up if the engine never left more than this many due frames untaken. */
const KEPT_UP_BACKLOG_FRAMES = 2;
/** Frames waiting for a slow engine before the oldest is dropped: one second. */
const QUEUE_FRAMES = 50;
export const LIVE_STREAM_COUNTS = [1, 2, 4, 8, 12, 16];

interface Utterance {
  /** Telephone audio: 8 kHz, through a µ-law encode and decode, cut where speech ends. */
  readonly pcm: Int16Array;
  readonly reference: string;
}

interface Segment {
  readonly reference: string;
  readonly startSample: number;
  /** One past the last speech sample, in the stream's samples. */
  readonly endSample: number;
  /** Index of the frame holding the last speech sample. */
  readonly endFrame: number;
}

interface Program {
  readonly frames: AudioFrame[];
  readonly segments: Segment[];
}

interface StreamResult {
  readonly latenciesMs: number[];
  readonly edits: number;
  readonly words: number;
  readonly utterances: number;
  readonly finalized: number;
  readonly maxBacklogFrames: number;
  readonly frames: number;
  readonly droppedFrames: number;
  readonly error?: string;
}

/** The two LibriSpeech clips used as caller speech: 8k.wav as it is, 0.wav taken down to 8 kHz. */
function telephoneUtterances(librispeech: ClipSet): Utterance[] {
  const out: Utterance[] = [];
  for (const name of ['8k.wav', '0.wav']) {
    const clip = librispeech.clips.find((c) => c.name === name);
    if (clip === undefined) continue;
    const narrow =
      clip.format.sampleRateHz === RATE_HZ ? clip.pcm : resample(clip.pcm, clip.format.sampleRateHz, RATE_HZ);
    const telephone = g711Decode('mulaw', g711Encode('mulaw', narrow));
    out.push({ pcm: telephone.slice(0, speechEndSample(telephone, RATE_HZ)), reference: clip.reference });
  }
  return out;
}

/** A quiet line (about −60 dBFS white noise, through µ-law), not digital zero. */
function quietLine(samples: number, seed: number): Int16Array {
  const out = new Int16Array(samples);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < samples; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.round((s / 0x100000000 - 0.5) * 64);
  }
  return g711Decode('mulaw', g711Encode('mulaw', out));
}

/** Stream `index` plays the utterances in rotated order, each followed by GAP_MS of quiet line. */
function program(utterances: readonly Utterance[], index: number): Program {
  const parts: Int16Array[] = [];
  const segments: Segment[] = [];
  let at = 0;
  for (let u = 0; u < utterances.length; u++) {
    const utterance = utterances[(u + index) % utterances.length]!;
    const end = at + utterance.pcm.length;
    segments.push({
      reference: utterance.reference,
      startSample: at,
      endSample: end,
      endFrame: Math.floor((end - 1) / FRAME_SAMPLES),
    });
    const gap = quietLine((RATE_HZ * GAP_MS) / 1000, index * 31 + u + 1);
    parts.push(utterance.pcm, gap);
    at = end + gap.length;
  }
  return { frames: pcmFrames(PCM16_8K, concatPcm(parts), FRAME_MS), segments };
}

/**
 * Yields frame k at start + k·20 ms, each due time computed from the start so timer lateness
 * never accumulates. The network cannot be slowed down: frames the engine has not taken (its
 * back-pressure) wait in a bounded queue that drops the oldest, as the media graph's channel does.
 */
async function* realTime(
  frames: readonly AudioFrame[],
  startMs: number,
  onFrame: (index: number, backlog: number, dropped: number) => void,
): AsyncGenerator<AudioFrame> {
  for (let k = 0; k < frames.length; k++) {
    const due = startMs + k * FRAME_MS;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const now = performance.now();
    const newest = Math.min(frames.length - 1, Math.floor((now - startMs) / FRAME_MS));
    let dropped = 0;
    if (newest - k >= QUEUE_FRAMES) {
      dropped = newest - k - QUEUE_FRAMES + 1;
      k += dropped;
    }
    onFrame(k, Math.max(0, newest - k), dropped);
    yield frames[k]!;
  }
}

async function runStream(engine: SttEngine, prog: Program, startMs: number): Promise<StreamResult> {
  await sleep(Math.max(0, startMs - performance.now()));
  let maxBacklogFrames = 0;
  let droppedFrames = 0;
  const finals: { atMs: number; startMs: number; text: string }[] = [];
  let error: string | undefined;
  // The engine counts time in the audio it received: with frames dropped, its offsets run behind
  // the program's. yielded[i] is the program frame the engine got as its i-th frame.
  const yielded: number[] = [];
  const frames = realTime(prog.frames, startMs, (k, backlog, dropped) => {
    yielded.push(k);
    maxBacklogFrames = Math.max(maxBacklogFrames, backlog);
    droppedFrames += dropped;
  });
  try {
    for await (const event of engine.transcribe(frames)) {
      if (event.type === 'final')
        finals.push({ atMs: performance.now(), startMs: event.startMs, text: event.text });
    }
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }

  // A final belongs to the utterance whose span (from half a gap before it to half a gap before
  // the next) holds its start; the last one of them is the utterance's end-of-speech final.
  const halfGap = (RATE_HZ * GAP_MS) / 2000;
  const latenciesMs: number[] = [];
  let edits = 0;
  let words = 0;
  let finalized = 0;
  prog.segments.forEach((segment, i) => {
    const from = segment.startSample - halfGap;
    const to = (prog.segments[i + 1]?.startSample ?? Infinity) - halfGap;
    const mine = finals.filter((f) => {
      const received = Math.min(yielded.length - 1, Math.floor(f.startMs / FRAME_MS));
      const sample = (yielded[Math.max(0, received)] ?? 0) * FRAME_SAMPLES;
      return sample >= from && sample < to;
    });
    const hypothesis = mine.map((f) => f.text).join(' ');
    const refWords = wordCount(segment.reference);
    words += refWords;
    edits += Math.round(wordErrorRate(segment.reference, hypothesis) * refWords);
    // Measured from when the call delivered the last speech frame (its due time), so audio the
    // engine took late still counts from the moment the caller stopped speaking.
    const last = mine[mine.length - 1];
    if (last !== undefined) {
      finalized++;
      latenciesMs.push(last.atMs - (startMs + segment.endFrame * FRAME_MS));
    }
  });
  return {
    latenciesMs,
    edits,
    words,
    utterances: prog.segments.length,
    finalized,
    maxBacklogFrames,
    frames: prog.frames.length,
    droppedFrames,
    ...(error === undefined ? {} : { error }),
  };
}

interface RunSummary {
  readonly n: number;
  readonly lagP99Ms: number;
  readonly latencyP95Ms: number;
}

/** Table 2. `librispeech` supplies the speech; the engine is shared by all runs, as in a server. */
export async function liveStreamsBench(engine: SttEngine, librispeech: ClipSet | undefined): Promise<void> {
  const utterances = librispeech === undefined ? [] : telephoneUtterances(librispeech);
  if (utterances.length === 0) {
    console.log('\nlive streams: skipped — the LibriSpeech clips 8k.wav and 0.wav are absent');
    return;
  }
  // Start every worker (one stream each) so that the first run does not pay for spawning them.
  const warm = pcmFrames(PCM16_8K, utterances[0]!.pcm.subarray(0, RATE_HZ), FRAME_MS);
  await Promise.all(
    Array.from({ length: availableParallelism() }, async () => {
      for await (const _ of engine.transcribe(streamFrames(warm)));
    }),
  );

  const rows: (string | number)[][] = [];
  const summaries: RunSummary[] = [];
  const errors: string[] = [];
  let programMs = 0;
  for (const n of LIVE_STREAM_COUNTS) {
    const programs = Array.from({ length: n }, (_, i) => program(utterances, i));
    programMs = programs[0]!.frames.length * FRAME_MS;
    const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now() + 50;
    eld.enable();
    const results = await Promise.all(
      programs.map((prog, i) => runStream(engine, prog, t0 + (i * ARRIVAL_SPREAD_MS) / n)),
    );
    eld.disable();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);

    const lag = (p: number): number => Math.max(0, eld.percentile(p) / 1e6 - ELD_RESOLUTION_MS);
    const lagMax = Math.max(0, eld.max / 1e6 - ELD_RESOLUTION_MS);
    const latencies = results.flatMap((r) => r.latenciesMs);
    const edits = results.reduce((s, r) => s + r.edits, 0);
    const words = results.reduce((s, r) => s + r.words, 0);
    const utterancesTotal = results.reduce((s, r) => s + r.utterances, 0);
    const finalized = results.reduce((s, r) => s + r.finalized, 0);
    const backlog = Math.max(...results.map((r) => r.maxBacklogFrames));
    const dropped = results.reduce((s, r) => s + r.droppedFrames, 0);
    const framesTotal = results.reduce((s, r) => s + r.frames, 0);
    const keptUp = results.filter(
      (r) => r.droppedFrames === 0 && r.maxBacklogFrames <= KEPT_UP_BACKLOG_FRAMES,
    ).length;
    for (const r of results) if (r.error !== undefined) errors.push(`N=${n}: ${r.error}`);
    const latencyP95 = percentile(latencies, 95);
    summaries.push({ n, lagP99Ms: lag(99), latencyP95Ms: latencyP95 });
    rows.push([
      n,
      fmt(lag(50), 1),
      fmt(lag(99), 1),
      fmt(lagMax, 1),
      fmt(eld.percentile(99) / 1e6, 1),
      fmt(percentile(latencies, 50), 0),
      fmt(latencyP95, 0),
      fmt(Math.max(...latencies), 0),
      `${finalized}/${utterancesTotal}`,
      fmt((100 * edits) / words, 1),
      backlog,
      fmt((100 * dropped) / framesTotal, 1),
      `${keptUp}/${n}`,
      fmt((cpu.user + cpu.system) / 1000 / wallMs, 2),
      fmt(wallMs / 1000, 1),
    ]);
  }

  printTable(
    `Live streams: N concurrent pocketsphinx streams in real time (20 ms frames of 8 kHz µ-law-decoded speech, ${fmt(programMs / 1000, 1)} s each, joining over ${ARRIVAL_SPREAD_MS / 1000} s)`,
    [
      'N',
      'loop lag p50 ms',
      'loop lag p99 ms',
      'loop lag max ms',
      'raw ELD p99 ms',
      'final latency p50 ms',
      'p95 ms',
      'max ms',
      'utterances finalized',
      'WER %',
      'max backlog (frames)',
      'frames dropped %',
      'streams kept up',
      'CPU (cores)',
      'wall s',
    ],
    rows,
  );
  console.log(
    `\nEach stream: LibriSpeech 8k.wav and 0.wav (16→8 kHz), µ-law encoded and decoded, cut where speech ends,` +
      ` each followed by ${GAP_MS / 1000} s of quiet line (−60 dBFS noise); stream i plays them in rotated order.` +
      ` Loop lag: monitorEventLoopDelay (resolution ${ELD_RESOLUTION_MS} ms) minus its ${ELD_RESOLUTION_MS} ms sampling interval` +
      ` (the raw histogram value is the interval plus the lag). Final latency: from the due time of the frame with the last speech` +
      ` sample of an utterance (when the call delivered it) to the arrival of its final. Backlog: frames due but not yet taken` +
      ` by the engine (its back-pressure); beyond ${QUEUE_FRAMES} the oldest are dropped, as the media graph's bounded` +
      ` channel does. A stream kept up when it dropped nothing and its backlog never exceeded ${KEPT_UP_BACKLOG_FRAMES} frames. CPU: process time (all threads) / wall time.`,
  );
  for (const line of errors) console.log(`stream error: ${line}`);
  const passing = summaries.filter((s) => s.lagP99Ms < LAG_TARGET_MS && s.latencyP95Ms < LATENCY_TARGET_MS);
  const best = passing.length === 0 ? 'none' : String(Math.max(...passing.map((s) => s.n)));
  console.log(
    `Largest N with loop lag p99 < ${LAG_TARGET_MS} ms and final latency p95 < ${LATENCY_TARGET_MS} ms: ${best}` +
      ` (on ${summaries.length} counts tried: ${LIVE_STREAM_COUNTS.join(', ')}).`,
  );
  const eight = summaries.find((s) => s.n === 8);
  if (eight !== undefined) {
    console.log(
      `Acceptance: 8 streams with loop lag p99 < ${LAG_TARGET_MS} ms → ${fmt(eight.lagP99Ms, 1)} ms` +
        ` (${eight.lagP99Ms < LAG_TARGET_MS ? 'met' : 'NOT met'}); their final latency p95 ${fmt(eight.latencyP95Ms, 0)} ms.`,
    );
  }
}

/** One run of `runLiveStreams`: the numbers the isolation table compares. */
export interface LiveStreamsRun {
  readonly wallMs: number;
  readonly latencyP50Ms: number;
  readonly latencyP95Ms: number;
  readonly werPct: number;
  readonly lagP99Ms: number;
  readonly keptUp: number;
}

/**
 * N live streams of the table above, once, after a warm-up of one stream per core (which starts
 * the engine's workers or processes). `onStart` runs when the measured part begins.
 */
export async function runLiveStreams(
  engine: SttEngine,
  librispeech: ClipSet,
  n: number,
  options: { onStart?: () => void } = {},
): Promise<LiveStreamsRun | undefined> {
  const utterances = telephoneUtterances(librispeech);
  if (utterances.length === 0) return undefined;
  const warm = pcmFrames(PCM16_8K, utterances[0]!.pcm.subarray(0, RATE_HZ), FRAME_MS);
  await Promise.all(
    Array.from({ length: availableParallelism() }, async () => {
      for await (const _ of engine.transcribe(streamFrames(warm)));
    }),
  );
  const programs = Array.from({ length: n }, (_, i) => program(utterances, i));
  const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  options.onStart?.();
  const t0 = performance.now() + 50;
  eld.enable();
  const results = await Promise.all(
    programs.map((prog, i) => runStream(engine, prog, t0 + (i * ARRIVAL_SPREAD_MS) / n)),
  );
  eld.disable();
  const wallMs = performance.now() - t0;
  const latencies = results.flatMap((r) => r.latenciesMs);
  const edits = results.reduce((s, r) => s + r.edits, 0);
  const words = results.reduce((s, r) => s + r.words, 0);
  return {
    wallMs,
    latencyP50Ms: percentile(latencies, 50),
    latencyP95Ms: percentile(latencies, 95),
    werPct: (100 * edits) / words,
    lagP99Ms: Math.max(0, eld.percentile(99) / 1e6 - ELD_RESOLUTION_MS),
    keptUp: results.filter((r) => r.droppedFrames === 0 && r.maxBacklogFrames <= KEPT_UP_BACKLOG_FRAMES)
      .length,
  };
}

/** The frames stream `index` of the table above plays (undefined without the clips). */
export function liveStreamFrames(librispeech: ClipSet, index: number): AudioFrame[] | undefined {
  const utterances = telephoneUtterances(librispeech);
  return utterances.length === 0 ? undefined : program(utterances, index).frames;
}
