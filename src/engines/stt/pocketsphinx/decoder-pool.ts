import type { TimerScheduler } from '../../../core/index.js';
import type { EngineError } from '../../spi/index.js';
import type { EngineChild, EngineProcessEvent, EnginePoolStream } from '../../worker/index.js';
import { EnginePool } from '../../worker/index.js';
import { spawnDecoderWorker } from './spawn-decoder-worker.js';
import type {
  DecoderWorkerData,
  FromWorkerMessage,
  OpenStreamMessage,
  ToWorkerMessage,
} from './worker-protocol.js';

/** What a stream hears from its decoder process. */
export interface PoolStreamListener {
  onMessage(message: FromWorkerMessage): void;
  /** The process died or the pool closed; the stream is over. */
  onFailure(error: EngineError): void;
}

/** Where decoders run: supervised child processes (default) or worker threads of the gateway. */
export type DecoderIsolation = 'process' | 'thread';

export interface DecoderPoolOptions {
  readonly size: number;
  readonly isolation?: DecoderIsolation;
  /** Starts one child; default spawnDecoderWorker with `isolation` (tests inject fakes). */
  readonly spawn?: () => EngineChild;
  readonly scheduler?: TimerScheduler;
  readonly onProcessEvent?: (event: EngineProcessEvent) => void;
}

/** One channel's connection to the process that decodes it. */
export class PoolStream {
  constructor(private readonly stream: EnginePoolStream) {}

  get id(): number {
    return this.stream.id;
  }

  /** The pid of the decoder process serving the stream (undefined while it restarts). */
  get pid(): number | undefined {
    return this.stream.pid;
  }

  /** Sends audio to the decoder. The samples are copied, so the caller's frame stays usable. */
  send(pcm: Int16Array): void {
    const copy = pcm.slice();
    this.stream.send({ type: 'audio', streamId: this.id, pcm: copy.buffer } satisfies ToWorkerMessage, [
      copy.buffer,
    ]);
  }

  end(): void {
    this.stream.send({ type: 'end', streamId: this.id } satisfies ToWorkerMessage);
  }

  /** Releases the stream's decoder. Idempotent. */
  close(): void {
    this.stream.close({ type: 'close', streamId: this.id } satisfies ToWorkerMessage);
  }
}

/**
 * The engine's decoder processes, shared by all its streams (EnginePool: on demand up to `size`,
 * supervised, restarted with backoff after a crash). Each decoder lives in one process, so a
 * native crash costs that process's streams, which the session reopens, and never the gateway.
 */
export class DecoderPool {
  private readonly pool: EnginePool;

  constructor(engine: string, data: DecoderWorkerData, options: DecoderPoolOptions) {
    const isolation = options.isolation ?? 'process';
    this.pool = new EnginePool({
      engine,
      size: options.size,
      spawn: options.spawn ?? (() => spawnDecoderWorker(data, isolation)),
      ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
      ...(options.onProcessEvent === undefined ? {} : { onProcessEvent: options.onProcessEvent }),
    });
  }

  /** Children that died unasked so far. */
  get crashes(): number {
    return this.pool.crashes;
  }

  get children(): readonly { readonly pid: number | undefined; readonly streams: number }[] {
    return this.pool.children;
  }

  open(init: Omit<OpenStreamMessage, 'type' | 'streamId'>, listener: PoolStreamListener): PoolStream {
    const stream = this.pool.open<FromWorkerMessage>(
      (streamId) => ({ type: 'open', streamId, ...init }) satisfies ToWorkerMessage,
      listener,
    );
    return new PoolStream(stream);
  }

  /** Stops every decoder process; streams still open fail with ENGINE_UNAVAILABLE. Idempotent. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
