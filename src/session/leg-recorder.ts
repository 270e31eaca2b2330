import { MULAW_8K } from '../media/audio/index.js';
import { WavFileWriter } from '../media/wav/index.js';

export interface LegRecorderOptions {
  /** Bytes (= samples of 8 kHz µ-law) gathered before one file write; default 8000 (1 s). */
  readonly chunkBytes?: number;
  /** Filled chunks allowed to wait for the disk before new audio is dropped; default 10. */
  readonly maxQueuedChunks?: number;
}

/** µ-law code word for 0 (G.711 idle). */
const MULAW_SILENCE = 0xff;

/**
 * Writes one leg's audio as an 8 kHz µ-law WAV. The media tick appends synchronously into a chunk
 * buffer; full chunks go to the file one write at a time, so a 20 ms tick never waits for the disk
 * and there are never overlapping writes. If the disk falls behind by more than `maxQueuedChunks`,
 * new audio is dropped and counted rather than queued without bound. Failing to open or write the
 * file disables recording for the leg (the reason is kept in `error`); the call goes on.
 */
export class LegRecorder {
  private readonly chunkBytes: number;
  private readonly maxQueuedChunks: number;
  private writer: WavFileWriter | undefined;
  private readonly opening: Promise<void>;
  private chunk: Uint8Array;
  private used = 0;
  private readonly queue: Uint8Array[] = [];
  private draining: Promise<void> | undefined;
  private closed = false;
  /** Bytes accepted into the recording (written or about to be). */
  recordedBytes = 0;
  /** Bytes dropped because the disk fell behind or the file failed. */
  droppedBytes = 0;
  error: string | undefined;

  constructor(path: string, options: LegRecorderOptions = {}) {
    this.chunkBytes = options.chunkBytes ?? 8000;
    this.maxQueuedChunks = options.maxQueuedChunks ?? 10;
    this.chunk = new Uint8Array(this.chunkBytes);
    this.opening = WavFileWriter.open(path, MULAW_8K).then(
      (writer) => {
        this.writer = writer;
        this.drain();
      },
      (error: unknown) => this.fail(error),
    );
  }

  /** Appends µ-law code words (copied). */
  append(mulaw: Uint8Array): void {
    let at = 0;
    while (at < mulaw.length) {
      const take = Math.min(this.chunkBytes - this.used, mulaw.length - at);
      if (!this.accept(take)) return;
      this.chunk.set(mulaw.subarray(at, at + take), this.used);
      this.used += take;
      at += take;
      if (this.used === this.chunkBytes) this.rotate();
    }
  }

  /** Appends `samples` of silence, which keeps the recording's timeline when nothing was received. */
  appendSilence(samples: number): void {
    let left = samples;
    while (left > 0) {
      const take = Math.min(this.chunkBytes - this.used, left);
      if (!this.accept(take)) return;
      this.chunk.fill(MULAW_SILENCE, this.used, this.used + take);
      this.used += take;
      left -= take;
      if (this.used === this.chunkBytes) this.rotate();
    }
  }

  /** Writes what is buffered, fixes the header and closes the file. Idempotent; never rejects. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      if (this.used > 0) this.rotate();
    }
    await this.opening;
    this.drain();
    while (this.draining !== undefined) await this.draining;
    const writer = this.writer;
    this.writer = undefined;
    if (writer !== undefined) await writer.close().catch((error: unknown) => this.fail(error));
  }

  private accept(bytes: number): boolean {
    if (this.error !== undefined || this.closed) {
      this.droppedBytes += bytes;
      return false;
    }
    if (this.used === 0 && this.queue.length >= this.maxQueuedChunks) {
      this.droppedBytes += bytes;
      return false;
    }
    this.recordedBytes += bytes;
    return true;
  }

  private rotate(): void {
    this.queue.push(this.chunk.subarray(0, this.used));
    this.chunk = new Uint8Array(this.chunkBytes);
    this.used = 0;
    this.drain();
  }

  private drain(): void {
    if (this.draining !== undefined || this.writer === undefined || this.queue.length === 0) return;
    const writer = this.writer;
    this.draining = (async () => {
      try {
        for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
          await writer.write(next);
        }
      } catch (error) {
        this.fail(error);
      } finally {
        this.draining = undefined;
      }
    })();
  }

  private fail(error: unknown): void {
    this.error ??= error instanceof Error ? error.message : String(error);
    for (const chunk of this.queue) this.droppedBytes += chunk.length;
    this.queue.length = 0;
  }
}
