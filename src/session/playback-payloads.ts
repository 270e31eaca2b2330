import { UnsupportedFormatError } from '../core/index.js';
import type { AudioFrame } from '../media/audio/index.js';
import { FrameSplitter, PCM16_8K, Resampler, formatToString, mixDown } from '../media/audio/index.js';
import { g711Decode, g711Encode } from '../media/codecs/index.js';
import type { LegCodec } from './call-event.js';

/**
 * Turns outbound frames in any PCM16/G.711 format and any frame size into the payloads a pacer
 * sends: mixed down to mono, resampled to 8 kHz, split into `ptimeMs` pieces, encoded with the
 * leg's codec. The codec is read per payload, so a re-INVITE that changes the law mid-prompt is
 * followed; the ptime is fixed for one playback. The last piece is padded with silence, because
 * a pacer sends whole ptimes only.
 */
export async function* playbackPayloads(
  frames: AsyncIterable<AudioFrame>,
  codec: () => LegCodec,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const splitter = new FrameSplitter(PCM16_8K, { frameMs: codec().ptimeMs });
  let resampler: Resampler | undefined;
  // The filter's output starts late by its delay; dropping that lead keeps a prompt its length.
  let skip = 0;
  const resampled = (pcm: Int16Array): Int16Array => {
    const drop = Math.min(skip, pcm.length);
    skip -= drop;
    return drop === 0 ? pcm : pcm.subarray(drop);
  };
  const encode = (pcm: Int16Array): Uint8Array[] =>
    splitter.push(pcm).map((frame) => g711Encode(codec().encoding, frame.data as Int16Array));

  for await (const frame of frames) {
    if (signal?.aborted) return;
    const { encoding, sampleRateHz, channels } = frame.format;
    let pcm =
      encoding === 'pcm16' ? (frame.data as Int16Array) : g711Decode(encoding, frame.data as Uint8Array);
    if (channels > 1) pcm = mixDown(pcm, channels);
    if (sampleRateHz !== 8000) {
      if (resampler === undefined || resampler.fromHz !== sampleRateHz) {
        // A change of rate mid-stream is a new source: flush the old filter's tail first.
        if (resampler !== undefined) yield* encode(resampled(resampler.flush()));
        try {
          resampler = new Resampler(sampleRateHz, 8000);
          skip = resampler.delaySamples;
        } catch (error) {
          throw new UnsupportedFormatError(
            `cannot play ${formatToString(frame.format)}: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
      pcm = resampled(resampler.process(pcm));
    }
    yield* encode(pcm);
  }
  if (signal?.aborted) return;
  if (resampler !== undefined) yield* encode(resampled(resampler.flush()));
  const last = splitter.flush(true);
  if (last !== undefined) yield g711Encode(codec().encoding, last.data as Int16Array);
}
