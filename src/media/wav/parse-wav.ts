import { ParseError } from '../../core/index.js';
import { carriedFormat, decodeSamples } from './decode-samples.js';
import type { WavHeader } from './wav-header.js';
import { readWavHeader } from './wav-header.js';
import type { WavData, WavInfo } from './wav-info.js';

/**
 * Parses a whole WAV file held in memory (the format diagram is in wav-header.ts). PCM16, A-law
 * and µ-law come back as stored; 8-bit, 24/32-bit PCM and float are converted to PCM16.
 *
 * A data chunk that claims more bytes than the file holds (a truncated recording), or whose size
 * is 0 or 0xFFFFFFFF (a live stream saved to disk), yields the samples that are present, rounded
 * down to whole sample frames. Throws only ParseError.
 */
export function parseWav(bytes: Uint8Array): WavData {
  const header = readWavHeader(bytes, false);
  if (header === undefined) throw new ParseError('incomplete WAV header', bytes.length);
  const info = wavInfo(header, bytes.length - header.dataOffset);
  return {
    info,
    format: carriedFormat(header),
    samples: decodeSamples(header, bytes, info.dataOffset, info.dataLength),
  };
}

/**
 * Builds the WavInfo for a header given how many data bytes follow it; the data length is the
 * smaller of the declared and available sizes, in whole sample frames.
 */
export function wavInfo(header: WavHeader, availableBytes: number): WavInfo {
  const present = Math.max(0, Math.min(header.declaredDataLength ?? Infinity, availableBytes));
  const frameCount = Math.floor(present / header.blockAlign);
  return {
    formatTag: header.formatTag,
    bitsPerSample: header.bitsPerSample,
    channels: header.channels,
    sampleRateHz: header.sampleRateHz,
    dataOffset: header.dataOffset,
    dataLength: frameCount * header.blockAlign,
    frameCount,
    durationMs: (frameCount * 1000) / header.sampleRateHz,
  };
}
