import { outputBuffer } from './output-buffer.js';

/*
 * G.711 µ-law (ITU-T G.711 table 2), table-driven.
 *
 *   code word:  7   6 5 4   3 2 1 0
 *              [S][ seg  ][ mantissa ]   all bits inverted on the wire
 *
 * Encoding follows sox 14.4.2 bit for bit, because sox is the independent tool our golden vectors
 * come from and the tool operators reach for when they check a recording. Sox does not truncate a
 * 16-bit sample to 14 bits as the classic Sun g711.c does; it rounds to the nearest 14-bit value,
 * halves upward (`(x + 2) >> 2`), and clips the two largest inputs to 8191. Only then does it apply
 * the usual biased segment search. Decoding is the standard expansion and agrees with every other
 * implementation.
 */

/** Largest magnitude the µ-law segment search accepts before adding the bias. */
const MULAW_CLIP_14BIT = 8159;
const MULAW_BIAS_14BIT = 33;

function encodeOneMulaw(pcm: number): number {
  // Sox rounds 16 to 14 bits with ties toward +infinity and clips at the 14-bit maximum.
  let value = Math.min(8191, (pcm + 2) >> 2);
  let mask: number;
  if (value < 0) {
    value = -value;
    mask = 0x7f;
  } else {
    mask = 0xff;
  }
  if (value > MULAW_CLIP_14BIT) value = MULAW_CLIP_14BIT;
  value += MULAW_BIAS_14BIT;
  // The segment counts how many times the biased magnitude has doubled past 0x40.
  let segment = 0;
  while (segment < 8 && value >= 0x40 << segment) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  return ((segment << 4) | ((value >> (segment + 1)) & 0x0f)) ^ mask;
}

function decodeOneMulaw(code: number): number {
  const u = ~code & 0xff;
  let t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

function buildEncodeTable(): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encodeOneMulaw((i << 16) >> 16);
  return table;
}

function buildDecodeTable(): Int16Array {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) table[i] = decodeOneMulaw(i);
  return table;
}

/** µ-law code word for every PCM16 value, indexed by `pcm & 0xffff`. Built once at load. */
export const MULAW_ENCODE_TABLE: Uint8Array = buildEncodeTable();

/** PCM16 value of every µ-law code word. Built once at load. */
export const MULAW_DECODE_TABLE: Int16Array = buildDecodeTable();

/**
 * Encodes PCM16 samples to µ-law. Writes into `out` when given (it must hold at least
 * `pcm.length` bytes) and returns the filled view, so a caller can reuse one buffer per leg.
 */
export function mulawEncode(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  const dst = outputBuffer(out, pcm.length, Uint8Array, 'mulawEncode');
  const table = MULAW_ENCODE_TABLE;
  for (let i = 0; i < pcm.length; i++) dst[i] = table[pcm[i]! & 0xffff]!;
  return dst;
}

/** Decodes µ-law code words to PCM16, into `out` when given (at least `codes.length` samples). */
export function mulawDecode(codes: Uint8Array, out?: Int16Array): Int16Array {
  const dst = outputBuffer(out, codes.length, Int16Array, 'mulawDecode');
  const table = MULAW_DECODE_TABLE;
  for (let i = 0; i < codes.length; i++) dst[i] = table[codes[i]!]!;
  return dst;
}
