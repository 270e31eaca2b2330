import type { AudioFormat } from '../audio/index.js';
import type { WavHeader } from './wav-header.js';
import { WAVE_FORMAT_ALAW, WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_MULAW } from './wav-info.js';

/** The in-memory format a WAV header's samples become: G.711 stays G.711, everything else PCM16. */
export function carriedFormat(header: WavHeader): AudioFormat {
  const encoding =
    header.formatTag === WAVE_FORMAT_ALAW
      ? 'alaw'
      : header.formatTag === WAVE_FORMAT_MULAW
        ? 'mulaw'
        : 'pcm16';
  return { encoding, sampleRateHz: header.sampleRateHz, channels: header.channels };
}

/**
 * Converts `length` bytes of stored samples starting at `offset` (a whole number of sample
 * frames) into the carried format. The output is always a fresh array sized from `length`, which
 * the caller has already bounded by the bytes actually present.
 *
 * Conversion to PCM16 follows `sox -D` so that our samples equal sox's:
 * - 8-bit unsigned: (b - 128) << 8.
 * - 24- and 32-bit signed: rounded to the nearest 16-bit value, halves toward +infinity, and
 *   clipped to 32767 (only the very top of the range rounds past it).
 * - 32- and 64-bit float: like sox, in two steps: x * 2^31 rounded to the nearest 32-bit
 *   integer (halves away from zero, clipped to the int32 range), then that 32-bit value rounded to
 *   16 bits as above. So full scale is +/-1.0, anything beyond clips, and NaN becomes 0.
 */
export function decodeSamples(
  header: WavHeader,
  bytes: Uint8Array,
  offset: number,
  length: number,
): Int16Array | Uint8Array {
  if (header.formatTag === WAVE_FORMAT_ALAW || header.formatTag === WAVE_FORMAT_MULAW) {
    return bytes.slice(offset, offset + length);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, length);
  const bytesPerSample = header.bitsPerSample / 8;
  const out = new Int16Array(length / bytesPerSample);
  const n = out.length;
  if (header.formatTag === WAVE_FORMAT_IEEE_FLOAT) {
    const wide = header.bitsPerSample === 64;
    for (let i = 0; i < n; i++) {
      const x = wide ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
      out[i] = floatToPcm16(x);
    }
    return out;
  }
  switch (header.bitsPerSample) {
    case 8:
      for (let i = 0; i < n; i++) out[i] = (view.getUint8(i) - 128) << 8;
      break;
    case 16:
      for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
      break;
    case 24:
      for (let i = 0; i < n; i++) {
        const lo = view.getUint8(i * 3);
        const hi = view.getInt16(i * 3 + 1, true);
        // hi already holds the top 16 bits; the low byte decides the rounding.
        out[i] = lo >= 0x80 && hi < 32767 ? hi + 1 : hi;
      }
      break;
    default:
      for (let i = 0; i < n; i++) {
        out[i] = int32ToPcm16(view.getInt32(i * 4, true));
      }
  }
  return out;
}

function int32ToPcm16(x: number): number {
  return Math.min(32767, Math.floor((x + 32768) / 65536));
}

function floatToPcm16(x: number): number {
  if (Number.isNaN(x)) return 0;
  const scaled = x * 2147483648;
  let int32: number;
  if (scaled <= -2147483648.5) int32 = -2147483648;
  else if (scaled >= 2147483647) int32 = 2147483647;
  else int32 = Math.trunc(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
  return int32ToPcm16(int32);
}
