import { readFileSync } from 'node:fs';
import { fixture } from '../../../support/paths.js';

/** Bytes of a committed WAV fixture (made by scripts/make-wav-fixtures.sh). */
export function wavFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixture(`wav/${name}`)));
}

/** sox's own 16-bit conversion of a fixture, stored beside it as `<name>.s16.raw`. */
export function soxPcm16(name: string): Int16Array {
  const bytes = wavFixture(name);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

export const FIXTURE_NAMES = [
  'alaw-mono.wav',
  'float32-mono.wav',
  'float64-mono.wav',
  'mulaw-mono.wav',
  'mulaw-stereo.wav',
  'pcm16-3ch.wav',
  'pcm16-list.wav',
  'pcm16-mono.wav',
  'pcm16-stereo.wav',
  'pcm24-mono-wavpcm.wav',
  'pcm24-mono.wav',
  'pcm32-mono.wav',
  'u8-mono.wav',
  'u8-odd.wav',
] as const;
