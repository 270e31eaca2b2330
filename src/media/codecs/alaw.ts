import { outputBuffer } from './output-buffer.js';

/*
 * G.711 A-law (ITU-T G.711 table 1), table-driven.
 *
 *   code word:  7   6 5 4   3 2 1 0
 *              [S][ seg  ][ mantissa ]   even bits inverted on the wire (XOR 0x55)
 *
 * Encoding follows sox 14.4.2 bit for bit: sox rounds a 16-bit sample to the nearest 13-bit value,
 * halves upward (`(x + 4) >> 3`), clips the four largest inputs to 4095, and then applies the
 * usual segment search. The classic Sun g711.c truncates instead, which differs for 1,020 inputs.
 */

function encodeOneAlaw(pcm: number): number {
  // Sox rounds 16 to 13 bits with ties toward +infinity and clips at the 13-bit maximum.
  let value = Math.min(4095, (pcm + 4) >> 3);
  let mask: number;
  if (value >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    // A-law is symmetric around -1/2, so negative values step down by one before taking magnitude.
    value = -value - 1;
  }
  let segment = 0;
  while (segment < 8 && value >= 0x20 << segment) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  const mantissa = segment < 2 ? (value >> 1) & 0x0f : (value >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ mask;
}

function decodeOneAlaw(code: number): number {
  const a = code ^ 0x55;
  let t = (a & 0x0f) << 4;
  const segment = (a & 0x70) >> 4;
  if (segment === 0) t += 8;
  else t = (t + 0x108) << (segment - 1);
  return a & 0x80 ? t : -t;
}

function buildEncodeTable(): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encodeOneAlaw((i << 16) >> 16);
  return table;
}

function buildDecodeTable(): Int16Array {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) table[i] = decodeOneAlaw(i);
  return table;
}

/** A-law code word for every PCM16 value, indexed by `pcm & 0xffff`. Built once at load. */
export const ALAW_ENCODE_TABLE: Uint8Array = buildEncodeTable();

/** PCM16 value of every A-law code word. Built once at load. */
export const ALAW_DECODE_TABLE: Int16Array = buildDecodeTable();

/** Encodes PCM16 samples to A-law, into `out` when given (at least `pcm.length` bytes). */
export function alawEncode(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  const dst = outputBuffer(out, pcm.length, Uint8Array, 'alawEncode');
  const table = ALAW_ENCODE_TABLE;
  for (let i = 0; i < pcm.length; i++) dst[i] = table[pcm[i]! & 0xffff]!;
  return dst;
}

/** Decodes A-law code words to PCM16, into `out` when given (at least `codes.length` samples). */
export function alawDecode(codes: Uint8Array, out?: Int16Array): Int16Array {
  const dst = outputBuffer(out, codes.length, Int16Array, 'alawDecode');
  const table = ALAW_DECODE_TABLE;
  for (let i = 0; i < codes.length; i++) dst[i] = table[codes[i]!]!;
  return dst;
}
