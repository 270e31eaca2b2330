import type { AudioFormat, AudioFrame } from '../../../media/audio/index.js';
import { FrameSplitter } from '../../../media/audio/index.js';

/** Splits interleaved PCM16 into `frameMs` AudioFrames with advancing timestamps (the last may be short). */
export function pcmFrames(format: AudioFormat, pcm: Int16Array, frameMs = 20): AudioFrame[] {
  const splitter = new FrameSplitter(format, { frameMs });
  const frames = splitter.push(pcm);
  const rest = splitter.flush(false);
  if (rest) frames.push(rest);
  return frames;
}

/**
 * Yields frames as an async stream. With `realTime`, one frame every frame duration (as a call
 * would deliver them); otherwise as fast as the consumer pulls.
 */
export async function* streamFrames(
  frames: readonly AudioFrame[],
  options: { realTime?: boolean; signal?: AbortSignal } = {},
): AsyncGenerator<AudioFrame> {
  for (const frame of frames) {
    if (options.signal?.aborted) return;
    if (options.realTime) {
      const ms = (frame.data.length / frame.format.channels / frame.format.sampleRateHz) * 1000;
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
    yield frame;
  }
}

/** Collects every item of an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
