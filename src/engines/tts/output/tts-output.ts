import type { AudioFormat, AudioFrame } from '../../../media/audio/index.js';
import { DEFAULT_FRAME_MS, FrameSplitter, Resampler, createFrame } from '../../../media/audio/index.js';
import { g711Encode } from '../../../media/codecs/index.js';
import type { TtsOutputFormat } from '../../spi/index.js';

/**
 * Turns one utterance of engine-native mono PCM16 into the AudioFrames a TtsRequest asked for:
 * resampled to 8 or 16 kHz, encoded (pcm16, A-law or µ-law) and cut into 20 ms frames whose
 * `timestampMs` runs on across sentences and pauses, because a caller hears one continuous stream.
 *
 * The resampler keeps its state across `push` and `silence` calls, so sentence joins carry no
 * clicks, and its group delay is removed so the audio is time-aligned with what was pushed. If a
 * push arrives at another native rate (an engine whose voices differ in rate, or a pause placed
 * before the first sentence told us the rate) the old resampler is drained first. `flush` ends the
 * utterance with the filter tail and a last frame padded with silence to the full 20 ms.
 */
export class TtsOutput {
  readonly format: AudioFormat;
  private readonly splitter: FrameSplitter;
  private resampler: Resampler;
  private nativeRateHz: number;
  /** Output samples still to discard at the start of the current resampler's stream. */
  private delayToDrop: number;
  private emittedSamples = 0;

  constructor(format: TtsOutputFormat, nativeRateHz: number, options: { frameMs?: number } = {}) {
    this.format = Object.freeze({
      encoding: format.encoding,
      sampleRateHz: format.sampleRateHz,
      channels: 1,
    });
    this.splitter = new FrameSplitter(
      { encoding: 'pcm16', sampleRateHz: format.sampleRateHz, channels: 1 },
      { frameMs: options.frameMs ?? DEFAULT_FRAME_MS },
    );
    this.nativeRateHz = nativeRateHz;
    this.resampler = new Resampler(nativeRateHz, format.sampleRateHz);
    this.delayToDrop = this.resampler.delaySamples;
  }

  /** Audio emitted so far, in milliseconds: the timestamp the next frame will carry. */
  get emittedMs(): number {
    return (this.emittedSamples * 1000) / this.format.sampleRateHz;
  }

  /** Adds engine audio (mono PCM16 at `nativeRateHz`) and returns every frame now complete. */
  push(pcm: Int16Array, nativeRateHz: number = this.nativeRateHz): AudioFrame[] {
    const frames: AudioFrame[] = [];
    if (nativeRateHz !== this.nativeRateHz) {
      this.drain(frames);
      this.nativeRateHz = nativeRateHz;
      this.resampler = new Resampler(nativeRateHz, this.format.sampleRateHz);
      this.delayToDrop = this.resampler.delaySamples;
    }
    this.emit(this.resampler.process(pcm), frames);
    return frames;
  }

  /**
   * Adds a pause. The zeros go through the resampler like speech, so the tail of the sentence
   * before it rings out into the pause instead of being cut off.
   */
  silence(durationMs: number): AudioFrame[] {
    const samples = Math.max(0, Math.round((durationMs * this.nativeRateHz) / 1000));
    return this.push(new Int16Array(samples));
  }

  /** Ends the utterance: the resampler's tail and a last frame padded to full length. */
  flush(): AudioFrame[] {
    const frames: AudioFrame[] = [];
    this.drain(frames);
    const last = this.splitter.flush(true);
    if (last !== undefined) frames.push(this.encode(last));
    return frames;
  }

  private drain(frames: AudioFrame[]): void {
    this.emit(this.resampler.flush(), frames);
    // flush() resets the resampler, so a push after it starts a new filter history and delay.
    this.delayToDrop = this.resampler.delaySamples;
  }

  private emit(pcm: Int16Array, frames: AudioFrame[]): void {
    let samples = pcm;
    if (this.delayToDrop > 0) {
      const drop = Math.min(this.delayToDrop, samples.length);
      this.delayToDrop -= drop;
      samples = samples.subarray(drop);
    }
    for (const frame of this.splitter.push(samples)) frames.push(this.encode(frame));
  }

  private encode(frame: AudioFrame): AudioFrame {
    this.emittedSamples += frame.data.length;
    if (this.format.encoding === 'pcm16') return createFrame(this.format, frame.data, frame.timestampMs);
    return createFrame(
      this.format,
      g711Encode(this.format.encoding, frame.data as Int16Array),
      frame.timestampMs,
    );
  }
}
