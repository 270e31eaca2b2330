/**
 * Speech synthesis: time to first audio and real-time factor of each installed synthesizer for a
 * three-sentence prompt in the telephone format (8 kHz µ-law), and what the TTS cache saves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TtsEngineName } from '../src/app/index.js';
import { createTtsEngine } from '../src/app/index.js';
import type { TtsEngine, TtsRequest } from '../src/engines/spi/index.js';
import { frameDurationMs } from '../src/media/audio/index.js';
import { CachedTts, TtsCacheStore } from '../src/tts-cache/index.js';
import { fmt, printTable } from './lib.js';
import { percentile } from './speech-data.js';

const FORMAT = { encoding: 'mulaw', sampleRateHz: 8000 } as const;
const PROMPT =
  'Thank you for calling Northwind Bank. Your call may be recorded for quality and training purposes. ' +
  'Please tell me in a few words why you are calling today, or press zero to speak to an agent.';
const TTS_REQUESTS = 10;
const CACHE_PROMPTS = 20;
const HIT_TARGET_MS = 5;
const SPEED_TARGET = 50;

interface Timed {
  /** From the call to the first frame. */
  readonly firstMs: number;
  /** From the call to the last frame. */
  readonly totalMs: number;
  readonly audioMs: number;
}

async function timeSynthesis(engine: TtsEngine, request: TtsRequest): Promise<Timed> {
  const t0 = performance.now();
  let firstMs = -1;
  let audioMs = 0;
  for await (const frame of engine.synthesize(request)) {
    if (firstMs < 0) firstMs = performance.now() - t0;
    audioMs += frameDurationMs(frame);
  }
  return { firstMs, totalMs: performance.now() - t0, audioMs };
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

export interface TtsReport {
  readonly rows: (string | number)[][];
  readonly skipped: string[];
}

/** One engine's row of table 4, measured now; `label` says under what conditions. */
export async function measureTtsEngine(
  name: TtsEngineName,
  modelsDir: string | undefined,
  label = '',
): Promise<{ row: (string | number)[] } | { skipped: string }> {
  let engine: TtsEngine;
  try {
    engine = await createTtsEngine(name, { modelsDir });
  } catch (error) {
    return { skipped: `${name}: skipped — ${reason(error)}` };
  }
  try {
    const request: TtsRequest = { text: PROMPT, format: FORMAT };
    // The first run pages the binary and voice in; a running server has them in memory.
    await timeSynthesis(engine, request);
    const runs: Timed[] = [];
    for (let i = 0; i < TTS_REQUESTS; i++) runs.push(await timeSynthesis(engine, request));
    const first = runs.map((r) => r.firstMs);
    const totalMs = runs.reduce((s, r) => s + r.totalMs, 0);
    const audioMs = runs.reduce((s, r) => s + r.audioMs, 0);
    return {
      row: [
        `${engine.name} (${engine.model})${label}`,
        TTS_REQUESTS,
        fmt(audioMs / runs.length / 1000, 2),
        fmt(percentile(first, 50), 0),
        fmt(percentile(first, 95), 0),
        fmt(totalMs / runs.length, 0),
        fmt(totalMs / audioMs, 3),
      ],
    };
  } catch (error) {
    return { skipped: `${name}: failed — ${reason(error)}` };
  } finally {
    await engine.close();
  }
}

/** Table 4's measurements: flite, espeak and sherpa (when a voice is installed). */
export async function measureTts(modelsDir: string | undefined): Promise<TtsReport> {
  const rows: (string | number)[][] = [];
  const skipped: string[] = [];
  for (const name of ['flite', 'espeak', 'sherpa'] as const) {
    const result = await measureTtsEngine(name, modelsDir);
    if ('row' in result) rows.push(result.row);
    else skipped.push(result.skipped);
  }
  return { rows, skipped };
}

export function printTts(report: TtsReport): void {
  if (report.rows.length > 0) {
    printTable(
      `TTS: time to first audio and real-time factor (3-sentence prompt, ${TTS_REQUESTS} requests each, 8 kHz µ-law out)`,
      [
        'engine (model)',
        'requests',
        'audio s',
        'first audio p50 ms',
        'first audio p95 ms',
        'whole prompt ms',
        'RTF',
      ],
      report.rows,
    );
    console.log(`\nPrompt: "${PROMPT}" RTF: synthesis time / audio duration.`);
  }
  for (const line of report.skipped) console.log(`\nTTS ${line}`);
}

export interface TtsCacheReport {
  readonly misses: number[];
  readonly hits: number[];
  readonly counters: string;
}

/** Table 5's measurements: CachedTts over flite in a temporary directory, misses then hits. */
export async function measureTtsCache(): Promise<TtsCacheReport | string> {
  let inner: TtsEngine;
  try {
    inner = await createTtsEngine('flite');
  } catch (error) {
    return `TTS cache: skipped — flite: ${reason(error)}`;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vox-bench-tts-cache-'));
  const store = new TtsCacheStore(dir);
  const cached = new CachedTts(inner, store);
  try {
    const requests: TtsRequest[] = Array.from({ length: CACHE_PROMPTS }, (_, i) => ({
      text: `Your order number ${1001 + i * 37} has shipped. It should arrive within ${2 + (i % 5)} business days.`,
      format: FORMAT,
    }));
    // Warm-up on a prompt outside the measured set: flite paged in, the SQLite index opened.
    await timeSynthesis(cached, { text: 'Warming up.', format: FORMAT });
    await cached.flush();
    const misses: number[] = [];
    for (const request of requests) misses.push((await timeSynthesis(cached, request)).firstMs);
    await cached.flush();
    const hits: number[] = [];
    for (const request of requests) hits.push((await timeSynthesis(cached, request)).firstMs);
    const stats = cached.stats();
    return {
      misses,
      hits,
      counters:
        `${stats.hits} hits, ${stats.misses} misses (one is the warm-up), ${stats.coalesced} coalesced,` +
        ` ${stats.writeErrors} write errors`,
    };
  } finally {
    await cached.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printTtsCache(report: TtsCacheReport | string): void {
  if (typeof report === 'string') {
    console.log(`\n${report}`);
    return;
  }
  const { misses, hits } = report;
  const missP50 = percentile(misses, 50);
  const hitP50 = percentile(hits, 50);
  const hitP95 = percentile(hits, 95);
  printTable(
    `TTS cache: time to first audio, CachedTts over flite (${CACHE_PROMPTS} distinct 2-sentence prompts, then the same again; 8 kHz µ-law)`,
    ['request', 'count', 'first audio p50 ms', 'first audio p95 ms'],
    [
      [
        'miss (flite synthesizes, cache stores)',
        misses.length,
        fmt(missP50, 1),
        fmt(percentile(misses, 95), 1),
      ],
      ['hit (read from the cache)', hits.length, fmt(hitP50, 2), fmt(hitP95, 2)],
    ],
  );
  const ratio = missP50 / hitP50;
  const verdict = (hitMs: number, speedup: number): string =>
    hitMs <= HIT_TARGET_MS && speedup >= SPEED_TARGET ? 'met' : 'NOT met';
  console.log(
    `\nGoal: hit ≤ ${HIT_TARGET_MS} ms and ≥ ${SPEED_TARGET}× faster than a miss.` +
      ` At p50: hit ${fmt(hitP50, 2)} ms, miss/hit ${fmt(ratio, 0)}× → ${verdict(hitP50, ratio)}.` +
      ` At p95: hit ${fmt(hitP95, 2)} ms, miss/hit ${fmt(percentile(misses, 95) / hitP95, 0)}× → ${verdict(hitP95, percentile(misses, 95) / hitP95)}.` +
      ` Cache counters: ${report.counters}.`,
  );
}
