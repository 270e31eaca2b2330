import { InvalidArgumentError } from '../../core/index.js';
import type { AudioFormat } from '../audio/index.js';
import { WAVE_FORMAT_ALAW, WAVE_FORMAT_MULAW, WAVE_FORMAT_PCM } from './wav-info.js';

/*
 * Canonical headers, the layouts sox writes (see wav-header.ts for the field meanings):
 *
 *   PCM16 (44 bytes):   RIFF size WAVE | "fmt " 16 tag=1 ... bits=16 | "data" size
 *   G.711 (58 bytes):   RIFF size WAVE | "fmt " 18 tag=6|7 ... bits=8 cbSize=0
 *                       | "fact" 4 sampleFrames | "data" size
 *
 * Non-PCM formats need the fact chunk (sample frames per channel), and sox writes the 18-byte
 * fmt for them, so our G.711 files are byte-identical to sox's.
 */

/** Byte offsets inside a canonical header that change as data is appended. */
export interface WavHeaderLayout {
  headerBytes: Uint8Array;
  /** Offset of the data chunk's size field; the data starts 4 bytes later. */
  dataSizeOffset: number;
  /** Offset of the fact chunk's sample-frame count, or undefined for PCM. */
  factOffset: number | undefined;
}

/** Builds the canonical header for `dataLength` bytes of samples in `format`. */
export function wavHeader(format: AudioFormat, dataLength: number): WavHeaderLayout {
  checkFormat(format);
  const g711 = format.encoding !== 'pcm16';
  const bytesPerSample = g711 ? 1 : 2;
  const fmtSize = g711 ? 18 : 16;
  const headerLength = 12 + 8 + fmtSize + (g711 ? 12 : 0) + 8;
  const header = new Uint8Array(headerLength);
  const view = new DataView(header.buffer);
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < 4; i++) header[offset + i] = text.charCodeAt(i);
  };
  const blockAlign = format.channels * bytesPerSample;
  ascii(0, 'RIFF');
  view.setUint32(4, riffSize(headerLength, dataLength), true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  const tag =
    format.encoding === 'alaw'
      ? WAVE_FORMAT_ALAW
      : format.encoding === 'mulaw'
        ? WAVE_FORMAT_MULAW
        : WAVE_FORMAT_PCM;
  view.setUint16(20, tag, true);
  view.setUint16(22, format.channels, true);
  view.setUint32(24, format.sampleRateHz, true);
  view.setUint32(28, format.sampleRateHz * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bytesPerSample * 8, true);
  let pos = 36;
  let factOffset: number | undefined;
  if (g711) {
    view.setUint16(pos, 0, true);
    ascii(pos + 2, 'fact');
    view.setUint32(pos + 6, 4, true);
    factOffset = pos + 10;
    view.setUint32(factOffset, Math.floor(dataLength / blockAlign), true);
    pos += 14;
  }
  ascii(pos, 'data');
  view.setUint32(pos + 4, dataLength, true);
  return { headerBytes: header, dataSizeOffset: pos + 4, factOffset };
}

/** RIFF size for a canonical file: everything after the first 8 bytes, including the pad byte. */
export function riffSize(headerLength: number, dataLength: number): number {
  return headerLength - 8 + dataLength + (dataLength & 1);
}

/**
 * Writes a whole WAV file: canonical header, the samples (interleaved, little-endian for PCM16)
 * and a pad byte when the data length is odd.
 */
export function encodeWav(format: AudioFormat, samples: Int16Array | Uint8Array): Uint8Array {
  const data = sampleBytes(format, samples);
  const { headerBytes } = wavHeader(format, data.length);
  const out = new Uint8Array(headerBytes.length + data.length + (data.length & 1));
  out.set(headerBytes, 0);
  out.set(data, headerBytes.length);
  return out;
}

/**
 * The samples as they are stored in a file: a little-endian copy for PCM16, the code words for
 * G.711. Checks that the container matches the encoding and holds whole sample frames.
 */
export function sampleBytes(format: AudioFormat, samples: Int16Array | Uint8Array): Uint8Array {
  checkFormat(format);
  if ((format.encoding === 'pcm16') !== samples instanceof Int16Array) {
    throw new InvalidArgumentError(
      `${format.encoding} samples must be ${format.encoding === 'pcm16' ? 'an Int16Array' : 'a Uint8Array'}`,
    );
  }
  if (samples.length % format.channels !== 0) {
    throw new InvalidArgumentError(
      `${samples.length} samples is not a whole number of ${format.channels}-channel frames`,
    );
  }
  if (samples instanceof Uint8Array) return samples;
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, true);
  return out;
}

function checkFormat(format: AudioFormat): void {
  // nBlockAlign is 16 bits wide, which caps the channel count.
  const maxChannels = format.encoding === 'pcm16' ? 0x7fff : 0xffff;
  if (!Number.isInteger(format.channels) || format.channels < 1 || format.channels > maxChannels) {
    throw new InvalidArgumentError(
      `a ${format.encoding} WAV file needs 1 to ${maxChannels} channels, not ${format.channels}`,
    );
  }
  if (!Number.isInteger(format.sampleRateHz) || format.sampleRateHz < 1 || format.sampleRateHz > 0xffffffff) {
    throw new InvalidArgumentError(
      `a WAV file needs a positive integer sample rate, not ${format.sampleRateHz}`,
    );
  }
  if (format.channels * 2 * format.sampleRateHz > 0xffffffff) {
    throw new InvalidArgumentError('byte rate does not fit the 32-bit WAV header field');
  }
}
