import { InvalidArgumentError } from '../../core/index.js';
import type { AudioEncoding } from '../audio/index.js';
import type { AudioFrame } from '../audio/index.js';
import { createFrame } from '../audio/index.js';
import { g711Decode, g711Encode } from './g711.js';

/**
 * Converts a frame to another sample encoding at the same rate and channel count. A frame already
 * in the target encoding is returned as it is. A-law to µ-law goes through PCM16 on purpose: that
 * is what every peer does, so our output matches theirs code word for code word.
 */
export function transcodeFrame(frame: AudioFrame, encoding: AudioEncoding): AudioFrame {
  const from = frame.format.encoding;
  if (from === encoding) return frame;
  const format = { ...frame.format, encoding };
  const pcm = from === 'pcm16' ? asInt16(frame.data) : g711Decode(from, asUint8(frame.data));
  const data = encoding === 'pcm16' ? pcm : g711Encode(encoding, pcm);
  return createFrame(format, data, frame.timestampMs);
}

function asInt16(data: Int16Array | Uint8Array): Int16Array {
  if (!(data instanceof Int16Array)) throw new InvalidArgumentError('a pcm16 frame must hold an Int16Array');
  return data;
}

function asUint8(data: Int16Array | Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('a G.711 frame must hold a Uint8Array');
  return data;
}
