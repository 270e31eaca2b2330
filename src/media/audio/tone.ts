import { InvalidArgumentError } from '../../core/index.js';
import { samplesForDuration } from './audio-format.js';

/**
 * Level convention shared by the generators and detectors here and by `rmsDbfs`: a sine whose peak
 * is full scale (32768) is 0 dBFS (AES17), so a tone generated at −20 dBFS also measures −20 dBFS.
 */
const FULL_SCALE = 32768;

export interface ToneOptions {
  readonly frequencyHz: number;
  readonly sampleRateHz: number;
  readonly durationMs: number;
  /** Peak level; −6 dBFS unless given. */
  readonly amplitudeDbfs?: number;
  /** Starting phase in radians; 0 unless given. */
  readonly phase?: number;
}

function peakAmplitude(amplitudeDbfs: number): number {
  return Math.min(32767, FULL_SCALE * 10 ** (amplitudeDbfs / 20));
}

function checkRate(sampleRateHz: number): void {
  if (!(sampleRateHz > 0))
    throw new InvalidArgumentError(`sampleRateHz must be positive, got ${sampleRateHz}`);
}

/** A mono sine tone as PCM16. */
export function generateTone(options: ToneOptions): Int16Array {
  const { frequencyHz, sampleRateHz, durationMs } = options;
  checkRate(sampleRateHz);
  const amplitude = peakAmplitude(options.amplitudeDbfs ?? -6);
  const phase = options.phase ?? 0;
  const out = new Int16Array(samplesForDuration(sampleRateHz, durationMs));
  const step = (2 * Math.PI * frequencyHz) / sampleRateHz;
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin(phase + step * i));
  return out;
}

export interface SweepOptions {
  readonly startHz: number;
  readonly endHz: number;
  readonly sampleRateHz: number;
  readonly durationMs: number;
  /** `linear` moves the frequency at a constant Hz/s; `log` at a constant octaves/s. */
  readonly mode?: 'linear' | 'log';
  readonly amplitudeDbfs?: number;
}

/**
 * A chirp from `startHz` to `endHz`. The phase is the integral of the instantaneous frequency, so
 * the sweep is continuous with no phase jumps.
 */
export function generateSweep(options: SweepOptions): Int16Array {
  const { startHz, endHz, sampleRateHz, durationMs } = options;
  checkRate(sampleRateHz);
  const mode = options.mode ?? 'linear';
  if (mode === 'log' && !(startHz > 0 && endHz > 0)) {
    throw new InvalidArgumentError('a log sweep needs positive start and end frequencies');
  }
  const amplitude = peakAmplitude(options.amplitudeDbfs ?? -6);
  const out = new Int16Array(samplesForDuration(sampleRateHz, durationMs));
  const durationS = durationMs / 1000;
  const ratio = endHz / startHz;
  for (let i = 0; i < out.length; i++) {
    const t = i / sampleRateHz;
    const phase =
      mode === 'linear' || ratio === 1
        ? 2 * Math.PI * (startHz * t + ((endHz - startHz) * t * t) / (2 * durationS))
        : ((2 * Math.PI * startHz * durationS) / Math.log(ratio)) * (ratio ** (t / durationS) - 1);
    out[i] = Math.round(amplitude * Math.sin(phase));
  }
  return out;
}

/**
 * Mean-square power of the component of `pcm` at `frequencyHz` (Goertzel's single-bin DFT): a sine
 * of peak amplitude A at that frequency gives A²/2. Exact when the frequency completes a whole
 * number of cycles in the buffer; otherwise neighbouring components leak in somewhat.
 */
export function goertzelPower(
  pcm: Int16Array | Float32Array,
  sampleRateHz: number,
  frequencyHz: number,
): number {
  checkRate(sampleRateHz);
  const n = pcm.length;
  if (n === 0) return 0;
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  const coefficient = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = pcm[i]! + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const re = s1 - s2 * Math.cos(w);
  const im = s2 * Math.sin(w);
  const amplitude = (2 * Math.hypot(re, im)) / n;
  return (amplitude * amplitude) / 2;
}

/** Level of the component at `frequencyHz` in dBFS (a full-scale sine is 0); −Infinity if absent. */
export function goertzelDbfs(
  pcm: Int16Array | Float32Array,
  sampleRateHz: number,
  frequencyHz: number,
): number {
  const power = goertzelPower(pcm, sampleRateHz, frequencyHz);
  return 10 * Math.log10(power / ((FULL_SCALE * FULL_SCALE) / 2));
}

const DTMF_ROWS_HZ = [697, 770, 852, 941] as const;
const DTMF_COLUMNS_HZ = [1209, 1336, 1477, 1633] as const;
const DTMF_KEYS = ['123A', '456B', '789C', '*0#D'] as const;

/**
 * The DTMF key in `pcm` (ideally one 40–100 ms burst), or undefined. A key needs one row and one
 * column tone each above −30 dBFS, each at least 8 dB above the other tones of its group, and the
 * two within 8 dB of each other (the twist limit of ITU-T Q.24 is tighter; tests do not need it).
 */
export function detectDtmf(pcm: Int16Array, sampleRateHz: number): string | undefined {
  const strongest = (freqs: readonly number[]): { index: number; db: number; margin: number } => {
    const levels = freqs.map((f) => goertzelDbfs(pcm, sampleRateHz, f));
    let index = 0;
    for (let i = 1; i < levels.length; i++) if (levels[i]! > levels[index]!) index = i;
    const db = levels[index]!;
    const others = levels.filter((_, i) => i !== index);
    return { index, db, margin: db - Math.max(...others) };
  };
  const row = strongest(DTMF_ROWS_HZ);
  const column = strongest(DTMF_COLUMNS_HZ);
  const ok =
    row.db > -30 &&
    column.db > -30 &&
    row.margin >= 8 &&
    column.margin >= 8 &&
    Math.abs(row.db - column.db) <= 8;
  return ok ? DTMF_KEYS[row.index]![column.index] : undefined;
}
