import { ParseError } from '../../core/index.js';
import {
  WAVE_FORMAT_ALAW,
  WAVE_FORMAT_EXTENSIBLE,
  WAVE_FORMAT_IEEE_FLOAT,
  WAVE_FORMAT_MULAW,
  WAVE_FORMAT_PCM,
} from './wav-info.js';

/*
 * RIFF/WAVE header, little-endian throughout (Microsoft "Multimedia Programming Interface and
 * Data Specifications 1.0", and the WAVE_FORMAT_EXTENSIBLE addendum):
 *
 *   offset  size  field
 *   0       4     "RIFF"
 *   4       4     RIFF size = file length - 8 (0 or 0xFFFFFFFF from live streams)
 *   8       4     "WAVE"
 *   12      ...   chunks: id (4 ASCII), size (4), body (size), pad byte when size is odd
 *
 *   "fmt " body:
 *   0   2  wFormatTag        1 PCM, 3 IEEE float, 6 A-law, 7 µ-law, 0xFFFE extensible
 *   2   2  nChannels
 *   4   4  nSamplesPerSec
 *   8   4  nAvgBytesPerSec   (not checked: writers get it wrong and nothing depends on it)
 *   12  2  nBlockAlign       = nChannels * wBitsPerSample / 8
 *   14  2  wBitsPerSample
 *   16  2  cbSize            (size >= 18)
 *   18  2  wValidBitsPerSample  } extensible only, cbSize >= 22
 *   20  4  dwChannelMask        }
 *   24  16 SubFormat GUID: tag (2) + 00 00 00 00 10 00 80 00 00 AA 00 38 9B 71
 *
 *   "data" body: interleaved sample frames of nBlockAlign bytes. Chunks before "data" (fact,
 *   LIST, cue, bext, JUNK, ...) are skipped; nothing after the data chunk is read.
 */

/** The fields of a header up to the start of the data chunk. */
export interface WavHeader {
  formatTag: number;
  bitsPerSample: number;
  channels: number;
  sampleRateHz: number;
  blockAlign: number;
  dataOffset: number;
  /** The data chunk's size, or undefined when it is 0 or 0xFFFFFFFF (a live stream's "unknown"). */
  declaredDataLength: number | undefined;
}

/** A live stream's header may not be longer than this; see WavStreamReader. */
export const MAX_STREAM_HEADER_BYTES = 64 * 1024;

const GUID_SUFFIX = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

const TAG_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0055: 'MPEG layer 3',
};

function fourcc(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
}

function u16(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8);
}

function u32(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16)) + bytes[offset + 3]! * 0x1000000
  );
}

interface FmtFields {
  formatTag: number;
  bitsPerSample: number;
  channels: number;
  sampleRateHz: number;
  blockAlign: number;
}

function readFmt(bytes: Uint8Array, body: number, size: number): FmtFields {
  let formatTag = u16(bytes, body);
  const channels = u16(bytes, body + 2);
  const sampleRateHz = u32(bytes, body + 4);
  const blockAlign = u16(bytes, body + 12);
  const bitsPerSample = u16(bytes, body + 14);
  if (channels === 0) throw new ParseError('fmt chunk declares zero channels', body + 2);
  if (sampleRateHz === 0) throw new ParseError('fmt chunk declares a sample rate of 0 Hz', body + 4);
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40 || u16(bytes, body + 16) < 22) {
      throw new ParseError('WAVE_FORMAT_EXTENSIBLE fmt chunk is shorter than 40 bytes', body + 16);
    }
    const guid = body + 24;
    for (let i = 0; i < GUID_SUFFIX.length; i++) {
      if (bytes[guid + 2 + i] !== GUID_SUFFIX[i]) {
        throw new ParseError('WAVE_FORMAT_EXTENSIBLE SubFormat is not a known WAVE format GUID', guid);
      }
    }
    formatTag = u16(bytes, guid);
  }
  const tagOffset = formatTag === u16(bytes, body) ? body : body + 24;
  const allowedBits = allowedBitsFor(formatTag);
  if (allowedBits === undefined) {
    const name = TAG_NAMES[formatTag] ?? 'unknown';
    throw new ParseError(
      `unsupported WAVE format tag 0x${formatTag.toString(16).padStart(4, '0')} (${name})`,
      tagOffset,
    );
  }
  if (!allowedBits.includes(bitsPerSample)) {
    throw new ParseError(
      `${bitsPerSample} bits per sample is not supported for format tag ${formatTag}`,
      body + 14,
    );
  }
  if (blockAlign !== (channels * bitsPerSample) / 8) {
    throw new ParseError(
      `block align ${blockAlign} does not match ${channels} channels of ${bitsPerSample} bits`,
      body + 12,
    );
  }
  return { formatTag, bitsPerSample, channels, sampleRateHz, blockAlign };
}

function allowedBitsFor(formatTag: number): readonly number[] | undefined {
  switch (formatTag) {
    case WAVE_FORMAT_PCM:
      return [8, 16, 24, 32];
    case WAVE_FORMAT_IEEE_FLOAT:
      return [32, 64];
    case WAVE_FORMAT_ALAW:
    case WAVE_FORMAT_MULAW:
      return [8];
    default:
      return undefined;
  }
}

/**
 * Reads the header from the start of `bytes` up to the data chunk. With `streaming` false the
 * bytes are the whole file and anything missing is a ParseError. With `streaming` true, a header
 * that is merely incomplete returns undefined so the caller can wait for more bytes; a header
 * that would need more than MAX_STREAM_HEADER_BYTES is a ParseError, so buffering stays bounded.
 * Header sizes are only ever compared, never used to allocate.
 */
export function readWavHeader(bytes: Uint8Array, streaming: boolean): WavHeader | undefined {
  const length = bytes.length;
  // `neededBytes` is how long the input must be to go on; `at` is where the short part starts.
  const needMore = (what: string, neededBytes: number, at: number): undefined => {
    if (streaming && neededBytes <= MAX_STREAM_HEADER_BYTES) return undefined;
    if (streaming) throw new ParseError(`WAV header longer than ${MAX_STREAM_HEADER_BYTES} bytes`, at);
    throw new ParseError(what, at);
  };
  // Check the magic numbers as soon as their bytes arrive, so garbage fails fast in a stream.
  for (let i = 0; i < Math.min(length, 4); i++) {
    if (bytes[i] !== 'RIFF'.charCodeAt(i)) {
      const what =
        length >= 4 && fourcc(bytes, 0) === 'RIFX' ? 'big-endian RIFX is not supported' : 'not RIFF';
      throw new ParseError(what, 0);
    }
  }
  for (let i = 8; i < Math.min(length, 12); i++) {
    if (bytes[i] !== 'WAVE'.charCodeAt(i - 8)) throw new ParseError('RIFF file is not WAVE', 8);
  }
  if (length < 12) return needMore('file is shorter than the 12-byte RIFF header', 12, length);

  let fmt: FmtFields | undefined;
  let pos = 12;
  for (;;) {
    if (pos + 8 > length) {
      const what = fmt === undefined ? 'fmt chunk missing' : 'no data chunk';
      // A missing pad byte after the last chunk can put pos one past the end.
      return needMore(what, pos + 8, Math.min(pos, length));
    }
    const id = fourcc(bytes, pos);
    const size = u32(bytes, pos + 4);
    const body = pos + 8;
    if (id === 'data') {
      if (fmt === undefined) throw new ParseError('data chunk comes before any fmt chunk', pos);
      return {
        ...fmt,
        dataOffset: body,
        declaredDataLength: size === 0 || size === 0xffffffff ? undefined : size,
      };
    }
    // RIFF: a chunk of odd size is followed by one pad byte that its size does not count.
    const end = body + size + (size & 1);
    if (id === 'fmt ') {
      if (size < 16) throw new ParseError(`fmt chunk is ${size} bytes, needs at least 16`, pos + 4);
      if (body + size > length) return needMore('fmt chunk runs past the end of the file', body + size, pos);
      if (fmt !== undefined) throw new ParseError('second fmt chunk', pos);
      fmt = readFmt(bytes, body, size);
    } else if (end > length) {
      return needMore(`${JSON.stringify(id)} chunk runs past the end of the file`, end, pos);
    }
    pos = end;
  }
}
