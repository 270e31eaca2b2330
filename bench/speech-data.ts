/**
 * Audio and helpers shared by the speech benchmark: the scored clip sets with their reference
 * transcripts, the peer CLI, sox, and a few statistics. Nothing here is timed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AudioFormat } from '../src/media/audio/index.js';
import { PCM16_16K, PCM16_8K } from '../src/media/audio/index.js';
import { parseWav } from '../src/media/wav/index.js';

/** ../shared beside the checkout, as on CI and developer machines. */
export const SHARED_DIR = fileURLToPath(new URL('../../shared/', import.meta.url));
export const LIBRISPEECH_DIR = join(SHARED_DIR, 'audio', 'librispeech');
export const SHARED_MODELS_DIR = join(SHARED_DIR, 'models');
/** Debian pocketsphinx-testdata: the development set. */
export const TESTDATA_DIR = '/usr/share/pocketsphinx/test/data';
/** The peer decoder and the model it loads by default (Debian pocketsphinx, pocketsphinx-en-us). */
export const PEER_CLI = 'pocketsphinx_continuous';

export interface Clip {
  readonly name: string;
  readonly path: string;
  readonly reference: string;
  readonly format: AudioFormat;
  readonly pcm: Int16Array;
  readonly durationMs: number;
}

export interface ClipSet {
  readonly name: string;
  readonly clips: readonly Clip[];
}

export interface LoadedSets {
  readonly sets: ClipSet[];
  /** One line per set that could not be loaded, with the reason. */
  readonly skipped: string[];
}

/** A mono PCM16 WAV at 8 or 16 kHz (every file the benchmark scores is one). */
export function readClip(path: string, reference: string): Clip {
  const wav = parseWav(readFileSync(path));
  const rate = wav.format.sampleRateHz;
  if (wav.format.encoding !== 'pcm16' || wav.format.channels !== 1 || (rate !== 8000 && rate !== 16000)) {
    throw new Error(`${path}: expected mono PCM16 at 8 or 16 kHz`);
  }
  return {
    name: basename(path),
    path,
    reference,
    format: rate === 8000 ? PCM16_8K : PCM16_16K,
    pcm: wav.samples as Int16Array,
    durationMs: wav.info.durationMs,
  };
}

/** The three LibriSpeech test utterances of ../shared (`trans.txt`: `<file> <WORDS>`). */
export function loadLibriSpeech(): ClipSet {
  const lines = readFileSync(join(LIBRISPEECH_DIR, 'trans.txt'), 'utf8').split('\n');
  const clips: Clip[] = [];
  for (const line of lines) {
    const match = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (match === null) continue;
    clips.push(readClip(join(LIBRISPEECH_DIR, match[1]!), match[2]!));
  }
  return { name: 'LibriSpeech (../shared)', clips };
}

/** A pocketsphinx-testdata transcription file: `<s> words </s> (fileid)` per line. */
function loadTestdata(name: string, dir: string, transcription: string): ClipSet {
  const clips: Clip[] = [];
  for (const line of readFileSync(join(dir, transcription), 'utf8').split('\n')) {
    const match = /^(.*)\((\S+)\)\s*$/.exec(line.trim());
    if (match === null) continue;
    const reference = match[1]!.replace(/<\/?s>/g, ' ').trim();
    clips.push(readClip(join(dir, `${match[2]!}.wav`), reference));
  }
  return { name, clips };
}

export function loadClipSets(): LoadedSets {
  const sets: ClipSet[] = [];
  const skipped: string[] = [];
  const attempts: [string, string, () => ClipSet][] = [
    ['LibriSpeech', join(LIBRISPEECH_DIR, 'trans.txt'), loadLibriSpeech],
    [
      'librivox dev',
      join(TESTDATA_DIR, 'librivox', 'transcription'),
      () =>
        loadTestdata('librivox dev (pocketsphinx-testdata)', join(TESTDATA_DIR, 'librivox'), 'transcription'),
    ],
    [
      'cards',
      join(TESTDATA_DIR, 'cards', 'cards.transcription'),
      () =>
        loadTestdata(
          'cards (pocketsphinx-testdata, general LM)',
          join(TESTDATA_DIR, 'cards'),
          'cards.transcription',
        ),
    ],
  ];
  for (const [label, marker, load] of attempts) {
    if (!existsSync(marker)) {
      skipped.push(`${label}: skipped — ${marker} is absent`);
      continue;
    }
    try {
      sets.push(load());
    } catch (error) {
      skipped.push(`${label}: skipped — ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { sets, skipped };
}

/** Runs a command to completion; throws with its stderr when it fails to start or exits non-zero. */
export function run(command: string, args: readonly string[]): { stdout: string; wallMs: number } {
  const t0 = performance.now();
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  const wallMs = performance.now() - t0;
  if (result.error) throw result.error;
  if (result.status !== 0)
    throw new Error(`${command} exited ${result.status}: ${result.stderr.slice(-500)}`);
  return { stdout: result.stdout, wallMs };
}

/** True when `command` can be started (probed with the given harmless arguments). */
export function canRun(command: string, args: readonly string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.error === undefined;
}

/** The pocketsphinx_continuous transcript of a 16 kHz WAV: one line per utterance it cut. */
export function runPeerCli(wavPath: string): { text: string; wallMs: number } {
  const { stdout, wallMs } = run(PEER_CLI, ['-infile', wavPath, '-logfn', '/dev/null']);
  return { text: stdout.split('\n').join(' ').replace(/\s+/g, ' ').trim(), wallMs };
}

/** Version of a Debian package, or "?" when dpkg does not know it. */
export function debianVersion(pkg: string): string {
  const result = spawnSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' });
  return result.status === 0 && result.stdout !== '' ? result.stdout : '?';
}

/** Nearest-rank percentile of unsorted values (p in 0..100); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Words after the same normalisation as test/support/wer.ts. */
export function wordCount(text: string): number {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '').length;
}

/**
 * Where speech ends in a clip: the end of the last 10 ms window whose level is within 35 dB of
 * the loudest window. LibriSpeech clips carry a few hundred ms of room tone after the last word;
 * measuring final latency from the file's end would hide that much of it.
 */
export function speechEndSample(pcm: Int16Array, sampleRateHz: number): number {
  const window = sampleRateHz / 100;
  const levels: number[] = [];
  for (let i = 0; i + window <= pcm.length; i += window) {
    let sum = 0;
    for (let j = i; j < i + window; j++) sum += pcm[j]! * pcm[j]!;
    levels.push(10 * Math.log10(sum / window + 1e-9));
  }
  const loudest = Math.max(...levels);
  for (let w = levels.length - 1; w >= 0; w--) {
    if (levels[w]! >= loudest - 35) return Math.min(pcm.length, (w + 1) * window);
  }
  return pcm.length;
}
