import type { Worker } from 'node:worker_threads';
import { EngineError } from '../../spi/index.js';
import { spawnDecoderWorker } from './spawn-decoder-worker.js';
import type {
  DecoderWorkerData,
  FromWorkerMessage,
  OpenStreamMessage,
  ToWorkerMessage,
} from './worker-protocol.js';

/** What a stream hears from its worker. */
export interface PoolStreamListener {
  onMessage(message: FromWorkerMessage): void;
  /** The worker died or the pool closed; the stream is over. */
  onFailure(error: EngineError): void;
}

interface WorkerSlot {
  readonly worker: Worker;
  readonly streams: Map<number, PoolStreamListener>;
}

/** One channel's connection to the worker that decodes it. */
export class PoolStream {
  readonly id: number;
  private readonly slot: WorkerSlot;
  private closed = false;

  constructor(id: number, slot: WorkerSlot) {
    this.id = id;
    this.slot = slot;
  }

  /** Sends audio to the worker. The samples are copied, so the caller's frame stays usable. */
  send(pcm: Int16Array): void {
    if (this.closed) return;
    const copy = pcm.slice();
    this.post({ type: 'audio', streamId: this.id, pcm: copy.buffer }, [copy.buffer]);
  }

  end(): void {
    this.post({ type: 'end', streamId: this.id });
  }

  /** Releases the stream's decoder in the worker. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.post({ type: 'close', streamId: this.id });
    this.slot.streams.delete(this.id);
    // An idle worker must not keep the process alive; it is referenced again by the next stream.
    if (this.slot.streams.size === 0) this.slot.worker.unref();
  }

  private post(message: ToWorkerMessage, transfer: ArrayBuffer[] = []): void {
    if (!this.closed || message.type === 'close') this.slot.worker.postMessage(message, transfer);
  }
}

/**
 * The engine's decoder workers, shared by all its streams. Workers start on demand up to `size`;
 * a new stream goes to the worker with the fewest streams, so channels spread over the cores.
 */
export class DecoderPool {
  private readonly engine: string;
  private readonly data: DecoderWorkerData;
  private readonly size: number;
  private readonly slots: WorkerSlot[] = [];
  private nextStreamId = 1;
  private closed = false;

  constructor(engine: string, data: DecoderWorkerData, size: number) {
    this.engine = engine;
    this.data = data;
    this.size = Math.max(1, Math.floor(size));
  }

  open(init: Omit<OpenStreamMessage, 'type' | 'streamId'>, listener: PoolStreamListener): PoolStream {
    if (this.closed) throw new EngineError(this.engine, 'ENGINE_UNAVAILABLE', 'the engine is closed');
    const slot = this.pickSlot();
    const id = this.nextStreamId++;
    slot.streams.set(id, listener);
    slot.worker.ref();
    slot.worker.postMessage({ type: 'open', streamId: id, ...init } satisfies ToWorkerMessage);
    return new PoolStream(id, slot);
  }

  /** Terminates every worker; streams still open fail with ENGINE_UNAVAILABLE. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const slots = this.slots.splice(0);
    await Promise.all(
      slots.map(async (slot) => {
        this.failStreams(slot, new EngineError(this.engine, 'ENGINE_UNAVAILABLE', 'the engine was closed'));
        await slot.worker.terminate();
      }),
    );
  }

  private pickSlot(): WorkerSlot {
    const idle = this.slots.find((s) => s.streams.size === 0);
    if (idle !== undefined) return idle;
    if (this.slots.length < this.size) return this.spawn();
    return this.slots.reduce((best, s) => (s.streams.size < best.streams.size ? s : best));
  }

  private spawn(): WorkerSlot {
    const worker = spawnDecoderWorker(this.data);
    const slot: WorkerSlot = { worker, streams: new Map() };
    worker.on('message', (message: FromWorkerMessage) => {
      slot.streams.get(message.streamId)?.onMessage(message);
    });
    const lost = (reason: string, cause?: unknown): void => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      this.failStreams(
        slot,
        new EngineError(this.engine, 'ENGINE_FAILED', `decoder worker ${reason}`, { retryable: true, cause }),
      );
    };
    worker.on('error', (err) => lost('crashed', err));
    worker.on('exit', (code) => lost(`exited with code ${code}`));
    this.slots.push(slot);
    return slot;
  }

  private failStreams(slot: WorkerSlot, error: EngineError): void {
    const listeners = [...slot.streams.values()];
    slot.streams.clear();
    for (const listener of listeners) listener.onFailure(error);
  }
}
