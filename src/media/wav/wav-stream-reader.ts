import { InvalidArgumentError, ParseError } from '../../core/index.js';
import type { AudioFormat } from '../audio/index.js';
import type { AudioFrame } from '../audio/index.js';
import { createFrame } from '../audio/index.js';
import { carriedFormat, decodeSamples } from './decode-samples.js';
import { wavInfo } from './parse-wav.js';
import type { WavHeader } from './wav-header.js';
import { readWavHeader } from './wav-header.js';
import type { WavInfo } from './wav-info.js';

/**
 * Push parser for WAV arriving in pieces from a live source (a WebSocket, the Azure Speech SDK's
 * audio stream). The format is the one in wav-header.ts; live sources typically write RIFF and
 * data sizes of 0 or 0xFFFFFFFF because they do not know the length yet, and both mean "until
 * the stream ends". A real data size is honoured: bytes after it (trailing chunks) are ignored.
 *
 * Until the header is complete the reader buffers at most MAX_STREAM_HEADER_BYTES (64 KiB) plus
 * the chunk being pushed; a longer header is a ParseError. After that, each push returns one
 * frame holding every complete sample frame available, in the carried format (see parseWav), and
 * carries an incomplete trailing sample frame over to the next push. `timestampMs` of a frame is
 * the position of its first sample from the start of the data.
 *
 * Throws only ParseError for bad input. A reader that threw keeps throwing the same error, and
 * pushing after end() is a caller bug (InvalidArgumentError).
 */
export class WavStreamReader {
  #pending: Uint8Array = new Uint8Array(0);
  #header: WavHeader | undefined;
  #format: AudioFormat | undefined;
  /** Data bytes still allowed by the declared data size, or Infinity when it is unknown. */
  #remainingBytes = Infinity;
  #framesEmitted = 0;
  /** Total bytes pushed so far, for error offsets relative to the start of the stream. */
  #streamOffset = 0;
  #failed: ParseError | undefined;
  #ended = false;

  /** The header once it is complete; dataLength, frameCount and durationMs count what was read so far. */
  get info(): WavInfo | undefined {
    if (this.#header === undefined) return undefined;
    return wavInfo(this.#header, this.#framesEmitted * this.#header.blockAlign);
  }

  /** The format of the frames this reader returns, once the header is complete. */
  get format(): AudioFormat | undefined {
    return this.#format;
  }

  push(chunk: Uint8Array): AudioFrame[] {
    if (this.#ended) throw new InvalidArgumentError('WavStreamReader.push() after end()');
    if (this.#failed !== undefined) throw this.#failed;
    try {
      return this.#push(chunk);
    } catch (error) {
      if (error instanceof ParseError) this.#failed = error;
      throw error;
    }
  }

  /** Finishes the stream: a header that never completed is a ParseError; a partial sample frame is dropped. */
  end(): AudioFrame[] {
    if (this.#failed !== undefined) throw this.#failed;
    this.#ended = true;
    if (this.#header === undefined) {
      // Parsing the buffered bytes as a whole file names what is missing and where.
      readWavHeader(this.#pending, false);
      throw new ParseError('incomplete WAV header', this.#streamOffset);
    }
    this.#pending = new Uint8Array(0);
    return [];
  }

  #push(chunk: Uint8Array): AudioFrame[] {
    const pending = concat(this.#pending, chunk);
    this.#streamOffset += chunk.length;
    if (this.#header === undefined) {
      const header = readWavHeader(pending, true);
      if (header === undefined) {
        // readWavHeader rejects headers longer than MAX_STREAM_HEADER_BYTES, so what we keep here
        // is bounded. The caller may reuse its chunk buffer, so keep a copy, never the chunk.
        this.#pending = pending === chunk ? chunk.slice() : pending;
        return [];
      }
      this.#header = header;
      this.#format = carriedFormat(header);
      this.#remainingBytes = header.declaredDataLength ?? Infinity;
      return this.#emit(pending.subarray(header.dataOffset));
    }
    return this.#emit(pending);
  }

  #emit(bytes: Uint8Array): AudioFrame[] {
    const header = this.#header!;
    const usable = Math.min(bytes.length, this.#remainingBytes);
    const length = usable - (usable % header.blockAlign);
    // Keep only the incomplete sample frame; anything past the declared data size is dropped.
    this.#pending = usable > length ? bytes.slice(length, usable) : new Uint8Array(0);
    if (length === 0) return [];
    this.#remainingBytes -= length;
    const samples = decodeSamples(header, bytes, 0, length);
    const timestampMs = (this.#framesEmitted * 1000) / header.sampleRateHz;
    this.#framesEmitted += length / header.blockAlign;
    return [createFrame(this.#format!, samples, timestampMs)];
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
