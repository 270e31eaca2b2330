import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { InvalidArgumentError } from '../../core/index.js';
import type { AudioFormat } from '../audio/index.js';
import { riffSize, sampleBytes, wavHeader } from './encode-wav.js';

/** Owner read and write only: a recording is a person's voice. */
const RECORDING_FILE_MODE = 0o600;

/** How often, in wall-clock milliseconds, the header sizes are brought up to date by default. */
export const DEFAULT_PATCH_INTERVAL_MS = 1000;

/**
 * Streaming WAV writer for call recordings. It writes the canonical header (see encode-wav.ts)
 * with sizes of 0, appends samples, and rewrites the RIFF size, data size (and for G.711 the fact
 * sample count) in place: on the first write, then on the first write after every
 * `patchIntervalMs` of wall time (checked on write, so there is no timer to leak), and on close.
 *
 * If the process dies mid-call the file is still a valid WAV: its header describes at least every
 * sample written up to the last patch, and readers that trust the header (sox) play that much,
 * while parseWav also reads what follows because the data chunk is last. Close adds the RIFF pad
 * byte when the data length is odd.
 *
 * Writes use explicit file positions computed synchronously, so calls that overlap still land in
 * order; awaiting each write is still the intended use.
 */
export class WavFileWriter {
  readonly #file: FileHandle;
  readonly #format: AudioFormat;
  readonly #patchIntervalMs: number;
  readonly #headerLength: number;
  readonly #dataSizeOffset: number;
  readonly #factOffset: number | undefined;
  readonly #blockAlign: number;
  #bytesWritten = 0;
  #lastPatchMs = -Infinity;
  #closed = false;

  private constructor(file: FileHandle, format: AudioFormat, patchIntervalMs: number) {
    this.#file = file;
    this.#format = format;
    this.#patchIntervalMs = patchIntervalMs;
    const layout = wavHeader(format, 0);
    this.#headerLength = layout.headerBytes.length;
    this.#dataSizeOffset = layout.dataSizeOffset;
    this.#factOffset = layout.factOffset;
    this.#blockAlign = format.channels * (format.encoding === 'pcm16' ? 2 : 1);
  }

  /** Creates (or truncates) `path` and writes the header. */
  static async open(
    path: string,
    format: AudioFormat,
    options: { patchIntervalMs?: number } = {},
  ): Promise<WavFileWriter> {
    const patchIntervalMs = options.patchIntervalMs ?? DEFAULT_PATCH_INTERVAL_MS;
    if (!(patchIntervalMs >= 0))
      throw new InvalidArgumentError(`patchIntervalMs must be >= 0, not ${patchIntervalMs}`);
    const { headerBytes } = wavHeader(format, 0);
    // Recordings are personal data: owner-only. The creation mode is masked by the umask and an
    // existing file keeps its own, so the mode is also set outright.
    const file = await open(path, 'w', RECORDING_FILE_MODE);
    try {
      await file.chmod(RECORDING_FILE_MODE);
      await file.write(headerBytes, 0, headerBytes.length, 0);
    } catch (error) {
      await file.close();
      throw error;
    }
    return new WavFileWriter(file, format, patchIntervalMs);
  }

  /** Bytes of sample data written so far (header and pad byte not included). */
  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  /** Appends interleaved samples in the writer's format. */
  async write(samples: Int16Array | Uint8Array): Promise<void> {
    if (this.#closed) throw new InvalidArgumentError('WavFileWriter.write() after close()');
    // sampleBytes returns the caller's Uint8Array for G.711; copy it because the write is async.
    const stored = sampleBytes(this.#format, samples);
    const bytes = stored === samples ? stored.slice() : stored;
    if (bytes.length === 0) return;
    const position = this.#headerLength + this.#bytesWritten;
    this.#bytesWritten += bytes.length;
    await this.#file.write(bytes, 0, bytes.length, position);
    const nowMs = performance.now();
    if (nowMs - this.#lastPatchMs >= this.#patchIntervalMs) {
      this.#lastPatchMs = nowMs;
      await this.#patchSizes(this.#bytesWritten);
    }
  }

  /** Writes the final sizes and the pad byte, and closes the file. Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      const dataLength = this.#bytesWritten;
      if (dataLength & 1) await this.#file.write(new Uint8Array(1), 0, 1, this.#headerLength + dataLength);
      await this.#patchSizes(dataLength);
    } finally {
      await this.#file.close();
    }
  }

  async #patchSizes(dataLength: number): Promise<void> {
    // Sizes past 4 GiB cannot be represented; clamping keeps the header readable (RF64 is not
    // supported, and a 4 GiB G.711 call would last 149 hours).
    const data = Math.min(dataLength, 0xffffffff - this.#headerLength);
    const field = new Uint8Array(4);
    const view = new DataView(field.buffer);
    view.setUint32(0, riffSize(this.#headerLength, data), true);
    await this.#file.write(field, 0, 4, 4);
    view.setUint32(0, data, true);
    await this.#file.write(field, 0, 4, this.#dataSizeOffset);
    if (this.#factOffset !== undefined) {
      view.setUint32(0, Math.floor(data / this.#blockAlign), true);
      await this.#file.write(field, 0, 4, this.#factOffset);
    }
  }
}
