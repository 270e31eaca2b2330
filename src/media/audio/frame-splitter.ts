import { InvalidArgumentError, UnsupportedFormatError } from '../../core/index.js';
import type { AudioFormat } from './audio-format.js';
import { formatToString, samplesForDuration } from './audio-format.js';
import type { AudioFrame } from './audio-frame.js';
import { DEFAULT_FRAME_MS, createFrame } from './audio-frame.js';

export interface FrameSplitterOptions {
  /** Frame length; 20 ms unless given. Must be a whole number of samples at the format's rate. */
  readonly frameMs?: number;
  /** Timestamp of the first frame; 0 unless given. */
  readonly startTimestampMs?: number;
}

/**
 * Turns PCM16 of arbitrary length (TTS chunks, WAV reads, resampler output) into fixed-length
 * AudioFrames, carrying the remainder to the next push. Timestamps are derived from the number of
 * samples emitted, not by adding frameMs repeatedly, so they never drift. Each frame owns a fresh
 * copy of its samples: callers may reuse the buffers they push.
 */
export class FrameSplitter {
  readonly format: AudioFormat;
  readonly frameMs: number;
  private readonly frameSamples: number;
  private readonly startTimestampMs: number;
  private pending: Int16Array;
  private pendingLength = 0;
  private framesEmitted = 0;

  constructor(format: AudioFormat, options: FrameSplitterOptions = {}) {
    if (format.encoding !== 'pcm16') {
      throw new UnsupportedFormatError(`FrameSplitter expects pcm16 but received ${formatToString(format)}`);
    }
    const frameMs = options.frameMs ?? DEFAULT_FRAME_MS;
    const perChannel = samplesForDuration(format.sampleRateHz, frameMs);
    if (!(frameMs > 0) || perChannel < 1 || (perChannel * 1000) / format.sampleRateHz !== frameMs) {
      throw new InvalidArgumentError(
        `${frameMs} ms is not a whole number of samples at ${format.sampleRateHz} Hz`,
      );
    }
    this.format = format;
    this.frameMs = frameMs;
    this.frameSamples = perChannel * format.channels;
    this.startTimestampMs = options.startTimestampMs ?? 0;
    this.pending = new Int16Array(this.frameSamples);
  }

  /** Interleaved samples held back because they do not yet fill a frame. */
  get pendingSamples(): number {
    return this.pendingLength;
  }

  /** Adds samples and returns every frame that is now complete (possibly none). */
  push(pcm: Int16Array): AudioFrame[] {
    const frames: AudioFrame[] = [];
    let at = 0;
    if (this.pendingLength > 0) {
      const take = Math.min(this.frameSamples - this.pendingLength, pcm.length);
      this.pending.set(pcm.subarray(0, take), this.pendingLength);
      this.pendingLength += take;
      at = take;
      if (this.pendingLength === this.frameSamples) {
        frames.push(this.emit(this.pending.slice()));
        this.pendingLength = 0;
      }
    }
    while (pcm.length - at >= this.frameSamples) {
      frames.push(this.emit(pcm.slice(at, at + this.frameSamples)));
      at += this.frameSamples;
    }
    if (at < pcm.length) {
      this.pending.set(pcm.subarray(at), this.pendingLength);
      this.pendingLength += pcm.length - at;
    }
    return frames;
  }

  /**
   * Emits what is left at end of stream: a short frame, or with `padWithSilence` a full frame
   * ending in zeros (for consumers that only accept whole frames). Undefined if nothing is left.
   * Trailing samples that do not make up a whole multi-channel frame are dropped.
   */
  flush(padWithSilence = false): AudioFrame | undefined {
    const usable = this.pendingLength - (this.pendingLength % this.format.channels);
    this.pendingLength = 0;
    if (usable === 0) return undefined;
    const data = padWithSilence ? this.pending.slice() : this.pending.slice(0, usable);
    if (padWithSilence) data.fill(0, usable);
    return this.emit(data);
  }

  private emit(data: Int16Array): AudioFrame {
    const samplesBefore = (this.framesEmitted * this.frameSamples) / this.format.channels;
    this.framesEmitted++;
    const timestampMs = this.startTimestampMs + (samplesBefore * 1000) / this.format.sampleRateHz;
    return createFrame(this.format, data, timestampMs);
  }
}
