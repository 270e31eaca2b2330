import { endianness } from 'node:os';
import type { AudioFrame } from '../media/audio/index.js';
import { bytesPerSample, createFrame } from '../media/audio/index.js';
import type { TtsOutputFormat } from '../engines/spi/index.js';

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * The frame's samples as they go on disk and on the wire: G.711 code words as they are, PCM16 as
 * little-endian bytes. Always a copy, so a consumer that later edits the frame in place cannot
 * change what the cache stores.
 */
export function frameBytes(frame: AudioFrame): Uint8Array {
  const { data } = frame;
  if (data instanceof Uint8Array) return data.slice();
  const out = new Uint8Array(data.byteLength);
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } else {
    const view = new DataView(out.buffer);
    for (let i = 0; i < data.length; i++) view.setInt16(i * 2, data[i] ?? 0, true);
  }
  return out;
}

/** Samples per frame of `frameMs` in the format. */
function samplesPerFrame(format: TtsOutputFormat, frameMs: number): number {
  return Math.round((format.sampleRateHz * frameMs) / 1000);
}

/**
 * Cuts stored bytes back into mono frames of `frameMs` (the last one may be shorter) with
 * timestamps from 0. The frames are views over one buffer owned by this call, so nothing is
 * shared between callers.
 */
export function* bytesToFrames(
  format: TtsOutputFormat,
  bytes: Uint8Array,
  frameMs = 20,
): Generator<AudioFrame> {
  const audioFormat = { encoding: format.encoding, sampleRateHz: format.sampleRateHz, channels: 1 };
  const step = samplesPerFrame(format, frameMs);
  const samples = pcmOrCodeWords(format, bytes);
  for (let i = 0; i < samples.length; i += step) {
    yield createFrame(audioFormat, samples.subarray(i, i + step), (i / format.sampleRateHz) * 1000);
  }
}

function pcmOrCodeWords(format: TtsOutputFormat, bytes: Uint8Array): Int16Array | Uint8Array {
  if (bytesPerSample(format.encoding) === 1) return bytes;
  const count = Math.floor(bytes.byteLength / 2);
  if (LITTLE_ENDIAN && bytes.byteOffset % 2 === 0)
    return new Int16Array(bytes.buffer, bytes.byteOffset, count);
  const pcm = new Int16Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) pcm[i] = view.getInt16(i * 2, true);
  return pcm;
}
