import { InvalidArgumentError } from '../../core/index.js';
import type { AudioFormat } from './audio-format.js';
import { samplesForDuration } from './audio-format.js';
import type { AudioFrame } from './audio-frame.js';
import { createFrame } from './audio-frame.js';

/**
 * Small PCM16 helpers. Full scale is 32768 throughout: floats in [−1, 1) map to int16 by ×32768, so
 * pcm16 → float → pcm16 is exact, and dBFS levels follow AES17 (a full-scale sine is 0 dBFS).
 */

function checkChannels(channels: number): void {
  if (!Number.isInteger(channels) || channels < 1) {
    throw new InvalidArgumentError(`channels must be a positive integer, got ${channels}`);
  }
}

/** Interleaves equally long planar channels: [L0 R0 L1 R1 …]. */
export function interleave(channels: readonly Int16Array[]): Int16Array {
  const count = channels.length;
  if (count === 0) return new Int16Array(0);
  const frames = channels[0]!.length;
  if (channels.some((c) => c.length !== frames)) {
    throw new InvalidArgumentError('every channel must hold the same number of samples');
  }
  const out = new Int16Array(frames * count);
  for (let ch = 0; ch < count; ch++) {
    const plane = channels[ch]!;
    for (let i = 0, j = ch; i < frames; i++, j += count) out[j] = plane[i]!;
  }
  return out;
}

/** Splits interleaved PCM into one array per channel. */
export function deinterleave(pcm: Int16Array, channels: number): Int16Array[] {
  checkChannels(channels);
  if (pcm.length % channels !== 0) {
    throw new InvalidArgumentError(
      `${pcm.length} samples are not a whole number of ${channels}-channel frames`,
    );
  }
  const frames = pcm.length / channels;
  const out: Int16Array[] = [];
  for (let ch = 0; ch < channels; ch++) {
    const plane = new Int16Array(frames);
    for (let i = 0, j = ch; i < frames; i++, j += channels) plane[i] = pcm[j]!;
    out.push(plane);
  }
  return out;
}

/** Converts float samples (nominally −1..1) to PCM16, rounding and clipping; NaN becomes 0. */
export function floatToPcm16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(samples[i]! * 32768);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v || 0;
  }
  return out;
}

/** Converts PCM16 to floats in [−1, 1). */
export function pcm16ToFloat(pcm: Int16Array): Float32Array {
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = pcm[i]! / 32768;
  return out;
}

/**
 * RMS level in dBFS (AES17: a full-scale sine reads 0, a full-scale square wave +3.01). Silence
 * and empty input give −Infinity.
 */
export function rmsDbfs(pcm: Int16Array): number {
  if (pcm.length === 0) return Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i]! * pcm[i]!;
  if (sum === 0) return Number.NEGATIVE_INFINITY;
  const rms = Math.sqrt(sum / pcm.length);
  return 20 * Math.log10((rms * Math.SQRT2) / 32768);
}

/** Averages interleaved channels to mono (rounded). Mono input comes back as a copy. */
export function mixDown(pcm: Int16Array, channels: number): Int16Array {
  checkChannels(channels);
  if (pcm.length % channels !== 0) {
    throw new InvalidArgumentError(
      `${pcm.length} samples are not a whole number of ${channels}-channel frames`,
    );
  }
  if (channels === 1) return pcm.slice();
  const frames = pcm.length / channels;
  const out = new Int16Array(frames);
  for (let i = 0, j = 0; i < frames; i++) {
    let sum = 0;
    for (let ch = 0; ch < channels; ch++, j++) sum += pcm[j]!;
    // The mean of int16 values is always within int16, so no clipping is needed.
    out[i] = Math.round(sum / channels);
  }
  return out;
}

/** Joins PCM buffers end to end. */
export function concatPcm(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Code word of digital silence for each encoding: zero for PCM16, 0xFF for µ-law (its +0) and
 * 0xD5 for A-law (its smallest positive step with the even bits inverted, as G.711 sends idle).
 */
const SILENCE_CODE = { pcm16: 0, mulaw: 0xff, alaw: 0xd5 } as const;

/** A frame of digital silence in `format` lasting `durationMs` (rounded to whole samples). */
export function silence(format: AudioFormat, durationMs: number, timestampMs = 0): AudioFrame {
  if (!(durationMs >= 0)) throw new InvalidArgumentError(`durationMs must be ≥ 0, got ${durationMs}`);
  const samples = samplesForDuration(format.sampleRateHz, durationMs) * format.channels;
  if (format.encoding === 'pcm16') return createFrame(format, new Int16Array(samples), timestampMs);
  return createFrame(format, new Uint8Array(samples).fill(SILENCE_CODE[format.encoding]), timestampMs);
}
