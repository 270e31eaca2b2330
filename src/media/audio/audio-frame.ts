import { InvalidArgumentError } from '../../core/index.js';
import type { AudioFormat } from './audio-format.js';
import { bytesPerSample } from './audio-format.js';

/** Default frame duration: one RTP packet of G.711 at the usual ptime. */
export const DEFAULT_FRAME_MS = 20;

/**
 * A short run of audio that knows its own format. `data` holds interleaved samples: an Int16Array
 * for pcm16, a Uint8Array of code words for alaw/mulaw. `timestampMs` is the position of the first
 * sample from the start of its stream, so downstream stages can report offsets without counting.
 */
export interface AudioFrame {
  readonly format: AudioFormat;
  readonly data: Int16Array | Uint8Array;
  readonly timestampMs: number;
}

/** Samples per channel in the frame. */
export function frameSampleCount(frame: AudioFrame): number {
  return frame.data.length / frame.format.channels;
}

/** Duration of the frame in milliseconds (fractional for odd sizes). */
export function frameDurationMs(frame: AudioFrame): number {
  return (frameSampleCount(frame) * 1000) / frame.format.sampleRateHz;
}

/**
 * Builds a frame after checking that the sample container matches the encoding, so a frame can
 * never claim to be pcm16 while holding G.711 bytes.
 */
export function createFrame(format: AudioFormat, data: Int16Array | Uint8Array, timestampMs = 0): AudioFrame {
  const wantsPcm = format.encoding === 'pcm16';
  if (wantsPcm !== data instanceof Int16Array) {
    throw new InvalidArgumentError(
      `a ${format.encoding} frame needs ${wantsPcm ? 'an Int16Array' : 'a Uint8Array'} of samples`,
    );
  }
  if (data.length % format.channels !== 0) {
    throw new InvalidArgumentError(
      `frame holds ${data.length} samples, not a whole number of ${format.channels}-channel groups`,
    );
  }
  return { format, data, timestampMs };
}

/** Size of the frame's samples on the wire or on disk, in bytes. */
export function frameByteLength(frame: AudioFrame): number {
  return frame.data.length * bytesPerSample(frame.format.encoding);
}
