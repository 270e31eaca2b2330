import { InvalidArgumentError } from '../../core/index.js';
import type { ResamplerPlan, ResamplerQuality } from './resampler-design.js';
import { designResampler } from './resampler-design.js';
import type { KernelCursor } from './resampler-kernels.js';
import {
  ALLPASS_STATE_SIZE,
  downsample2Allpass,
  downsample2HalfBand,
  polyphase,
  upsample2Allpass,
  upsample2HalfBand,
} from './resampler-kernels.js';

export interface ResamplerOptions {
  /** Interleaved channels in every input buffer; 1 unless given. */
  readonly channels?: number;
  /**
   * `default` unless given. For 8↔16 kHz, `default` is a polyphase IIR half-band (77 dB, phase not
   * linear) and `high` the linear-phase FIR; see `ResamplerQuality`.
   */
  readonly quality?: ResamplerQuality;
}

/**
 * Streaming PCM16 sample-rate converter: a polyphase IIR (allpass) half-band for 8↔16 kHz by
 * default, otherwise a polyphase Kaiser FIR; either is designed once, not per frame.
 *
 * The filter state carries across calls, so feeding a signal in 20 ms pieces gives exactly the same
 * samples as feeding it in one piece: no clicks at frame boundaries. The output is causal and
 * therefore late by `delaySamples` output samples (for the IIR, the group delay through the speech
 * band, rounded; higher frequencies come out somewhat later); `flush()` at end of stream emits the
 * filter tail so that, after dropping the first `delaySamples`, exactly round(inputLength·to/from)
 * samples per channel remain (which is what `resample()` returns). Once the buffers have grown to
 * the largest chunk seen (the IIR has none), `processInto` allocates nothing.
 */
export class Resampler {
  readonly fromHz: number;
  readonly toHz: number;
  readonly channels: number;
  /** Group delay of the filter, in output samples per channel. Drop this many to align with the input. */
  readonly delaySamples: number;
  private readonly plan: ResamplerPlan;
  private readonly work: Int16Array[] = [];
  /** Allpass section state, ALLPASS_STATE_SIZE values per channel; empty for the FIR kinds. */
  private readonly allpassState: Float64Array;
  private readonly cursor: KernelCursor = { base: 0, phase: 0 };
  private readonly channelCursor: KernelCursor = { base: 0, phase: 0 };
  private framesIn = 0;
  private framesOut = 0;

  constructor(fromHz: number, toHz: number, options: ResamplerOptions = {}) {
    const channels = options.channels ?? 1;
    if (!Number.isInteger(channels) || channels < 1 || channels > 32) {
      throw new InvalidArgumentError(`channels must be an integer from 1 to 32, got ${channels}`);
    }
    this.plan = designResampler(fromHz, toHz, options.quality ?? 'default');
    this.fromHz = fromHz;
    this.toHz = toHz;
    this.channels = channels;
    this.delaySamples = this.plan.delaySamples;
    const allpass = this.plan.kind === 'up2-allpass' || this.plan.kind === 'down2-allpass';
    this.allpassState = new Float64Array(allpass ? channels * ALLPASS_STATE_SIZE : 0);
    if (!allpass) {
      for (let ch = 0; ch < channels; ch++) this.work.push(new Int16Array(this.plan.historyLength + 320));
    }
    this.reset();
  }

  /** Forgets all history, as if newly constructed. */
  reset(): void {
    for (const buffer of this.work) buffer.fill(0, 0, this.plan.historyLength);
    this.allpassState.fill(0);
    this.cursor.base = this.plan.historyLength + Math.floor(this.plan.startOffset / this.plan.up);
    this.cursor.phase = this.plan.startOffset % this.plan.up;
    this.framesIn = 0;
    this.framesOut = 0;
  }

  /**
   * Exact number of interleaved samples the next `process` call returns for `inputSamples`
   * interleaved input samples; use it to size the buffer for `processInto`.
   */
  outputSamplesFor(inputSamples: number): number {
    if (this.plan.kind === 'identity') return inputSamples;
    const { up, down, startOffset } = this.plan;
    const frames = Math.floor(inputSamples / this.channels);
    // Output n is computable once input floor((n·M + t0)/L) exists, i.e. while n·M + t0 < frames·L.
    const available = Math.ceil(((this.framesIn + frames) * up - startOffset) / down);
    return Math.max(0, available - this.framesOut) * this.channels;
  }

  /** Converts the next piece of the stream and returns the output samples available so far. */
  process(input: Int16Array): Int16Array {
    const out = new Int16Array(this.outputSamplesFor(input.length));
    this.processInto(input, out);
    return out;
  }

  /**
   * Like `process`, but writes into `out` (from index 0) and returns the number of samples
   * written. `out` must hold at least `outputSamplesFor(input.length)` samples.
   */
  processInto(input: Int16Array, out: Int16Array): number {
    if (input.length % this.channels !== 0) {
      throw new InvalidArgumentError(
        `input holds ${input.length} samples, not a whole number of ${this.channels}-channel frames`,
      );
    }
    const needed = this.outputSamplesFor(input.length);
    if (out.length < needed) {
      throw new InvalidArgumentError(`output buffer holds ${out.length} samples but ${needed} are needed`);
    }
    if (this.plan.kind === 'identity') {
      out.set(input);
      return input.length;
    }
    return this.run(input, input.length / this.channels, out, Number.POSITIVE_INFINITY);
  }

  /**
   * Emits the filter tail at end of stream (the input is treated as followed by silence) and resets
   * the resampler for a new stream.
   */
  flush(): Int16Array {
    if (this.plan.kind === 'identity') return new Int16Array(0);
    const { up, down, startOffset } = this.plan;
    const target = this.delaySamples + Math.round((this.framesIn * up) / down);
    const remaining = target - this.framesOut;
    let out = new Int16Array(0);
    if (remaining > 0) {
      const lastNeededInput = Math.floor(((target - 1) * down + startOffset) / up);
      const zeroFrames = Math.max(0, lastNeededInput - this.framesIn + 1);
      out = new Int16Array(remaining * this.channels);
      const written = this.run(new Int16Array(zeroFrames * this.channels), zeroFrames, out, remaining);
      out = out.subarray(0, written);
    }
    this.reset();
    return out;
  }

  private run(input: Int16Array, frames: number, out: Int16Array, maxOutFrames: number): number {
    const kind = this.plan.kind;
    if (kind === 'up2-allpass' || kind === 'down2-allpass') {
      return this.runAllpass(input, frames, out, maxOutFrames);
    }
    const channels = this.channels;
    const history = this.plan.historyLength;
    this.ensureCapacity(history + frames);
    for (let ch = 0; ch < channels; ch++) {
      const buffer = this.work[ch]!;
      if (channels === 1) {
        buffer.set(input, history);
      } else {
        for (let i = 0, j = ch; i < frames; i++, j += channels) buffer[history + i] = input[j]!;
      }
    }
    const end = history + frames;
    let written = 0;
    for (let ch = 0; ch < channels; ch++) {
      // Every channel walks the same output grid; start each from the shared cursor and keep the
      // position the last one reached.
      this.channelCursor.base = this.cursor.base;
      this.channelCursor.phase = this.cursor.phase;
      written = this.kernel(this.work[ch]!, end, out, ch, maxOutFrames);
    }
    this.cursor.base = this.channelCursor.base - frames;
    this.cursor.phase = this.channelCursor.phase;
    for (let ch = 0; ch < channels; ch++) this.work[ch]!.copyWithin(0, frames, frames + history);
    this.framesIn += frames;
    this.framesOut += written;
    return written * channels;
  }

  /** The IIR keeps its history in section state, so it reads the input in place. */
  private runAllpass(input: Int16Array, frames: number, out: Int16Array, maxOutFrames: number): number {
    const channels = this.channels;
    const coefficients = this.plan.coefficients;
    const state = this.allpassState;
    const odd = this.framesIn % 2 === 1;
    let written = 0;
    for (let ch = 0; ch < channels; ch++) {
      const s = ch * ALLPASS_STATE_SIZE;
      written =
        this.plan.kind === 'up2-allpass'
          ? upsample2Allpass(input, ch, frames, coefficients, state, s, out, ch, channels, maxOutFrames)
          : downsample2Allpass(
              input,
              ch,
              frames,
              odd,
              coefficients,
              state,
              s,
              out,
              ch,
              channels,
              maxOutFrames,
            );
    }
    this.framesIn += frames;
    this.framesOut += written;
    return written * channels;
  }

  private kernel(buffer: Int16Array, end: number, out: Int16Array, outPos: number, maxOut: number): number {
    const plan = this.plan;
    const stride = this.channels;
    const cursor = this.channelCursor;
    switch (plan.kind) {
      case 'up2':
        return upsample2HalfBand(buffer, end, plan.coefficients, cursor, out, outPos, stride, maxOut);
      case 'down2':
        return downsample2HalfBand(buffer, end, plan.coefficients, cursor, out, outPos, stride, maxOut);
      default:
        return polyphase(
          buffer,
          end,
          plan.coefficients,
          plan.tapsPerPhase,
          plan.up,
          plan.down,
          cursor,
          out,
          outPos,
          stride,
          maxOut,
        );
    }
  }

  private ensureCapacity(length: number): void {
    for (let ch = 0; ch < this.channels; ch++) {
      const old = this.work[ch]!;
      if (old.length >= length) continue;
      // Growth only happens for a chunk longer than any before it; the history moves along.
      const grown = new Int16Array(length);
      grown.set(old.subarray(0, this.plan.historyLength));
      this.work[ch] = grown;
    }
  }
}

/**
 * One-shot conversion of a whole interleaved buffer, filter tail included and group delay removed:
 * the result has exactly round(frames·toHz/fromHz) frames, time-aligned with the input (for the
 * default 8↔16 kHz IIR, through the speech band; see `ResamplerQuality`).
 */
export function resample(
  pcm: Int16Array,
  fromHz: number,
  toHz: number,
  channels = 1,
  quality: ResamplerQuality = 'default',
): Int16Array {
  const resampler = new Resampler(fromHz, toHz, { channels, quality });
  if (fromHz === toHz) return pcm.slice();
  const frames = pcm.length / channels;
  const delay = resampler.delaySamples * channels;
  const expected = Math.round((frames * toHz) / fromHz) * channels;
  const all = new Int16Array(Math.max(delay + expected, resampler.outputSamplesFor(pcm.length)));
  const written = resampler.processInto(pcm, all);
  all.set(resampler.flush(), written);
  return all.slice(delay, delay + expected);
}
