import { UnsupportedFormatError } from '../../core/index.js';

/** Sample encodings voxbridge carries internally and on the wire. */
export type AudioEncoding = 'pcm16' | 'alaw' | 'mulaw';

export const AUDIO_ENCODINGS: readonly AudioEncoding[] = ['pcm16', 'alaw', 'mulaw'];

/** What a buffer of samples means. Every AudioFrame carries one; every stage checks it. */
export interface AudioFormat {
  readonly encoding: AudioEncoding;
  readonly sampleRateHz: number;
  readonly channels: number;
}

export const PCM16_8K: AudioFormat = Object.freeze({ encoding: 'pcm16', sampleRateHz: 8000, channels: 1 });
export const PCM16_16K: AudioFormat = Object.freeze({ encoding: 'pcm16', sampleRateHz: 16000, channels: 1 });
export const MULAW_8K: AudioFormat = Object.freeze({ encoding: 'mulaw', sampleRateHz: 8000, channels: 1 });
export const ALAW_8K: AudioFormat = Object.freeze({ encoding: 'alaw', sampleRateHz: 8000, channels: 1 });

/** Bytes one sample of one channel occupies in this encoding. */
export function bytesPerSample(encoding: AudioEncoding): number {
  return encoding === 'pcm16' ? 2 : 1;
}

export function sameFormat(a: AudioFormat, b: AudioFormat): boolean {
  return a.encoding === b.encoding && a.sampleRateHz === b.sampleRateHz && a.channels === b.channels;
}

export function formatToString(f: AudioFormat): string {
  return `${f.encoding}/${f.sampleRateHz}Hz/${f.channels}ch`;
}

/** Throws UnsupportedFormatError unless `actual` equals `expected`; `where` names the stage. */
export function assertFormat(actual: AudioFormat, expected: AudioFormat, where: string): void {
  if (!sameFormat(actual, expected)) {
    throw new UnsupportedFormatError(
      `${where} expects ${formatToString(expected)} but received ${formatToString(actual)}`,
    );
  }
}

/** Number of samples per channel in `durationMs` of audio at `sampleRateHz`. */
export function samplesForDuration(sampleRateHz: number, durationMs: number): number {
  return Math.round((sampleRateHz * durationMs) / 1000);
}
