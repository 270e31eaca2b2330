/**
 * Stress program for the pocketsphinx binding (issue 11 point 2): several threads start, feed,
 * abort mid-utterance and free many decoders at once, for a number of decoders or a duration, and
 * print what they did. Run it under MALLOC_CHECK_=3 (and MALLOC_PERTURB_) or valgrind; see
 * docs/benchmarks.md, "Pocketsphinx binding stress".
 *
 *   npm run stress:decoders -- --threads 3 --streams 4 --duration-s 300
 *   node --import tsx test/stress/pocketsphinx-stress.ts --threads 0 --decoders 10   (main thread)
 *   npm run stress:decoders -- --engine --threads 2 --streams 6 --duration-s 120
 *
 * By default each thread drives PocketsphinxDecoder and ChannelRecognizer itself, as a decoder
 * worker does (pocketsphinx-stress-loop.ts). `--engine` goes through PocketsphinxStt instead, with
 * `--threads` decoder workers and `--streams` concurrent transcriptions per worker, half of them
 * aborted through their AbortSignal mid-stream: the pool, the worker's spare decoders and streams
 * closed while their audio is still queued. The engine's decoders are not visible from outside, so
 * that mode counts streams (channels) and leaves the decoder counts at 0.
 *
 * The last line of stdout is `STRESS-RESULT {json}`. Exit status 0 means no decoder call failed
 * and every decoder created was freed; a heap corruption ends the process with a signal instead.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { spawnEngineWorker } from '../../src/engines/worker/index.js';
import { PCM16_8K, resample } from '../../src/media/audio/index.js';
import { pcmFrames } from '../../src/engines/spi/testing/index.js';
import { PocketsphinxStt } from '../../src/engines/stt/pocketsphinx/index.js';
import { parseWav } from '../../src/media/wav/index.js';
import type { PocketsphinxModelPaths } from '../../src/engines/stt/pocketsphinx/pocketsphinx-decoder.js';
import type { StressCounts, StressLoopOptions } from './pocketsphinx-stress-loop.js';
import { addCounts, emptyCounts, random, runStressLoop } from './pocketsphinx-stress-loop.js';
import type { StressWorkerMessage } from './pocketsphinx-stress-worker.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHARED = join(ROOT, '..', 'shared');
const DEBIAN_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
const RATE_HZ = 8000;
/** Silence between the clips, longer than any trailing-silence setting the loop picks. */
const PAUSE_MS = 900;

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '3' },
    streams: { type: 'string', default: '4' },
    decoders: { type: 'string' },
    'duration-s': { type: 'string' },
    vad: { type: 'string', default: 'energy' },
    seed: { type: 'string', default: '1' },
    'report-s': { type: 'string', default: '10' },
    engine: { type: 'boolean', default: false },
  },
});

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} wants a number ≥ 0, got ${text}`);
  return value;
}

const threads = Math.floor(positive('threads', values.threads, 3));
const streams = Math.max(1, Math.floor(positive('streams', values.streams, 4)));
const durationS = positive('duration-s', values['duration-s'], Infinity);
// Without a duration the run is bounded by count: 12 decoders per thread.
const decoders = Math.floor(positive('decoders', values.decoders, durationS === Infinity ? 12 : Infinity));
const seed = Math.floor(positive('seed', values.seed, 1));
const reportMs = positive('report-s', values['report-s'], 10) * 1000;

/** The telephone model the repository ships, with Debian's language model and dictionary. */
const model: PocketsphinxModelPaths = {
  hmmDir: join(ROOT, 'models', 'pocketsphinx-en-us-8k'),
  lmFile: join(DEBIAN_MODEL_DIR, 'en-us.lm.bin'),
  dictFile: join(DEBIAN_MODEL_DIR, 'cmudict-en-us.dict'),
  sampleRateHz: 8000,
};

/** The LibriSpeech clips of ../shared at 8 kHz, one after another with pauses between. */
function speech(): Int16Array {
  const clips = ['8k.wav', '0.wav', '1.wav'].map((name) => {
    const wav = parseWav(readFileSync(join(SHARED, 'audio', 'librispeech', name)));
    const pcm = wav.samples as Int16Array;
    return wav.format.sampleRateHz === RATE_HZ ? pcm : resample(pcm, wav.format.sampleRateHz, RATE_HZ);
  });
  const pause = (PAUSE_MS * RATE_HZ) / 1000;
  const out = new Int16Array(clips.reduce((n, clip) => n + clip.length + pause, 0));
  let at = 0;
  for (const clip of clips) {
    out.set(clip, at);
    at += clip.length + pause;
  }
  return out;
}

const vad: StressLoopOptions['vad'] =
  values.vad === 'silero'
    ? { model: 'silero', modelDir: join(SHARED, 'models', 'silero-vad') }
    : { model: 'energy' };
const audio = speech();
const startedAt = Date.now();
const deadlineMs = startedAt + durationS * 1000;
const loopOptions = (index: number): StressLoopOptions => ({
  streams,
  decoders,
  deadlineMs,
  seed: seed * 1000 + index,
  model,
  vad,
  audio,
});

function line(counts: StressCounts): string {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(0);
  return (
    `${seconds} s: decoders created ${counts.decodersCreated} freed ${counts.decodersFreed}, ` +
    `channels ${counts.channels}, utterances ${counts.utterances}, finals ${counts.finals}, ` +
    `partials ${counts.partials}, aborts mid-utterance ${counts.aborts}, ` +
    `whole-utterance passes ${counts.wholeUtterancePasses}, frames ${counts.frames}, errors ${counts.errors}`
  );
}

async function inWorkers(): Promise<StressCounts> {
  const latest = Array.from({ length: threads }, emptyCounts);
  const total = (): StressCounts => {
    const sum = emptyCounts();
    for (const counts of latest) addCounts(sum, counts);
    return sum;
  };
  const timer = setInterval(() => console.error(`stress: ${line(total())}`), reportMs);
  try {
    await Promise.all(
      latest.map(
        (_, index) =>
          new Promise<void>((resolve, reject) => {
            const worker = spawnEngineWorker(
              import.meta.url,
              'pocketsphinx-stress-worker',
              loopOptions(index),
            );
            worker.on('message', (message: StressWorkerMessage) => {
              latest[index] = message.counts;
              if (message.type === 'done') resolve();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (code !== 0) reject(new Error(`stress worker ${index} exited with ${code}`));
              resolve();
            });
          }),
      ),
    );
  } finally {
    clearInterval(timer);
  }
  return total();
}

async function inMainThread(): Promise<StressCounts> {
  let lastReport = Date.now();
  return runStressLoop(loopOptions(0), (counts) => {
    if (Date.now() - lastReport < reportMs) return;
    lastReport = Date.now();
    console.error(`stress: ${line(counts)}`);
  });
}

/** `--engine`: concurrent transcriptions through PocketsphinxStt, half aborted mid-stream. */
async function throughEngine(): Promise<StressCounts> {
  const counts = emptyCounts();
  const workers = Math.max(1, threads);
  const engine = new PocketsphinxStt({ narrowbandModelDir: model.hmmDir, workers, vad });
  const limit = decoders * workers;
  let lastReport = Date.now();
  const lane = async (index: number): Promise<void> => {
    const rand = random(seed * 1000 + index);
    const pick = (n: number): number => Math.floor(rand() * n);
    while (Date.now() < deadlineMs && counts.channels < limit) {
      counts.channels++;
      const from = pick(audio.length - RATE_HZ);
      const frames = pcmFrames(PCM16_8K, audio.subarray(from, from + RATE_HZ / 2 + pick(RATE_HZ * 8)));
      const abortAt = rand() < 0.5 ? pick(frames.length) : Infinity;
      const controller = new AbortController();
      let inUtterance = false;
      async function* source(): AsyncGenerator<(typeof frames)[number]> {
        for (const [at, frame] of frames.entries()) {
          if (at >= abortAt) {
            if (inUtterance) counts.aborts++;
            controller.abort();
            return;
          }
          counts.frames += 2;
          // A turn of the event loop now and then lets worker replies in between the frames.
          if (at % 10 === 0) await yieldToEventLoop();
          yield frame;
        }
      }
      try {
        for await (const event of engine.transcribe(source(), { signal: controller.signal })) {
          if (event.type === 'speechStarted') {
            counts.utterances++;
            inUtterance = true;
          } else if (event.type === 'speechEnded') inUtterance = false;
          else if (event.type === 'final') counts.finals++;
          else if (event.type === 'partial') counts.partials++;
        }
      } catch (err) {
        if (!controller.signal.aborted) {
          counts.errors++;
          console.error(`stress: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (Date.now() - lastReport >= reportMs) {
        lastReport = Date.now();
        console.error(`stress: ${line(counts)}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: workers * streams }, (_, index) => lane(index)));
  } finally {
    await engine.close();
  }
  return counts;
}

console.error(
  `stress: ${values.engine ? 'PocketsphinxStt, ' : ''}${threads === 0 ? 'main thread' : `${threads} worker threads`}, ${streams} channels each, ` +
    `${decoders === Infinity ? `${durationS} s` : `${decoders} decoders each`}, ` +
    `${vad.model} VAD, seed ${seed}, MALLOC_CHECK_=${process.env['MALLOC_CHECK_'] ?? ''}`,
);
const counts = values.engine
  ? await throughEngine()
  : threads === 0
    ? await inMainThread()
    : await inWorkers();
const durationSeconds = (Date.now() - startedAt) / 1000;
console.log(`stress: ${line(counts)}`);
console.log(
  `STRESS-RESULT ${JSON.stringify({ mode: values.engine ? 'engine' : 'direct', threads, streams, vad: vad.model, seed, durationS: durationSeconds, ...counts })}`,
);
process.exitCode = counts.errors === 0 && counts.decodersCreated === counts.decodersFreed ? 0 : 1;
