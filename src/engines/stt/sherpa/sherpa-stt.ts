import { join } from 'node:path';
import type { AudioFrame } from '../../../media/audio/index.js';
import { PCM16_16K, PCM16_8K } from '../../../media/audio/index.js';
import type { SttCapabilities, SttEngine, SttEvent, SttOptions } from '../../spi/index.js';
import { EngineError, abortedError } from '../../spi/index.js';
import { checkOnnxModel } from '../../vad/index.js';
import type { SherpaModelLayout } from './sherpa-model-layout.js';
import { DEFAULT_SHERPA_MODEL, detectSherpaModelLayout, layoutOnnxFiles } from './sherpa-model-layout.js';
import type { EnginePoolStream, EngineProcessEvent } from '../../worker/index.js';
import { EnginePool } from '../../worker/index.js';
import { spawnRecognizerWorker } from './spawn-recognizer-worker.js';
import type { FromWorkerMessage, ToWorkerMessage } from './worker-protocol.js';

export interface SherpaSttOptions {
  /** The model folder. Without it, `<modelsDir>/<model>`. */
  readonly modelDir?: string;
  /** Model folder name under modelsDir; default the streaming English zipformer. */
  readonly model?: string;
  /** Where models are installed; default $VOXBRIDGE_MODELS_DIR. */
  readonly modelsDir?: string;
  /** onnxruntime threads of the recognizer; default 1 (one call per core scales better). */
  readonly numThreads?: number;
  /** Audio time between partial results while the text changes; default 300 ms. */
  readonly partialIntervalMs?: number;
  /** Audio a stream may have sent but not yet had decoded; default 2000 ms. */
  readonly maxInFlightMs?: number;
  /** The recognizer process started or crashed (the gateway logs and counts it). */
  readonly onProcessEvent?: (event: EngineProcessEvent) => void;
}

const NAME = 'sherpa';

/**
 * Streaming recognition with sherpa-onnx (zipformer transducer or zipformer2 CTC models). One
 * supervised child process per engine (EnginePool of size 1) holds the recognizer and decodes
 * every stream; the calling process only moves audio and events. A crash there (onnxruntime
 * aborts on what it cannot handle) fails the streams with a retryable ENGINE_FAILED and the
 * process is restarted with backoff. sherpa's endpointing ends an utterance after trailingSilenceMs.
 */
export class SherpaStt implements SttEngine {
  readonly name = NAME;
  readonly capabilities: SttCapabilities = {
    streaming: true,
    partials: true,
    wordTimings: false,
    languages: ['en-US'],
    inputFormats: [PCM16_8K, PCM16_16K],
  };
  /** The model files in use. */
  readonly layout: SherpaModelLayout;
  private readonly numThreads: number;
  private readonly partialIntervalMs: number;
  private readonly maxInFlightMs: number;
  private readonly pool: EnginePool;
  private closed = false;

  /** Throws MODEL_NOT_FOUND, naming the folder and the files expected, when no usable model is there. */
  constructor(options: SherpaSttOptions = {}) {
    const dir = resolveModelDir(options);
    const layout = detectSherpaModelLayout(dir);
    // onnxruntime aborts the process on a file it cannot parse, so junk must be stopped here.
    for (const file of layoutOnnxFiles(layout)) {
      const problem = checkOnnxModel(file);
      if (problem !== undefined) {
        throw new EngineError(
          NAME,
          'MODEL_NOT_FOUND',
          `${file} is not a usable model (${problem}); run \`voxbridge models pull ${DEFAULT_SHERPA_MODEL}\` again`,
        );
      }
    }
    this.layout = layout;
    this.numThreads = options.numThreads ?? 1;
    this.partialIntervalMs = options.partialIntervalMs ?? 300;
    this.maxInFlightMs = options.maxInFlightMs ?? 2000;
    const data = { layout, numThreads: this.numThreads };
    // The process starts with the first stream that has audio, not here.
    this.pool = new EnginePool({
      engine: NAME,
      size: 1,
      spawn: () => spawnRecognizerWorker(data),
      ...(options.onProcessEvent === undefined ? {} : { onProcessEvent: options.onProcessEvent }),
    });
  }

  /** Recognizer processes that died unasked. */
  get crashes(): number {
    return this.pool.crashes;
  }

  async *transcribe(frames: AsyncIterable<AudioFrame>, options: SttOptions = {}): AsyncGenerator<SttEvent> {
    const signal = options.signal;
    if (signal?.aborted) throw abortedError(NAME, signal);
    if (this.closed) throw new EngineError(NAME, 'ENGINE_UNAVAILABLE', 'engine is closed');
    const startedAt = performance.now();
    yield { type: 'started' };

    let stream: EnginePoolStream | undefined;
    const queue: SttEvent[] = [];
    let failure: Error | undefined;
    let finished = false;
    let stopped = false;
    let opened = false;
    let rateHz = 0;
    let audioSamples = 0;
    let inFlightSamples = 0;
    let processingMs = 0;
    // Both the consumer (waiting for events) and the pump (waiting for acks) may be asleep at once.
    const waiters: (() => void)[] = [];
    const sleep = (): Promise<void> => new Promise<void>((resolve) => waiters.push(resolve));
    const notify = (): void => {
      for (const resolve of waiters.splice(0)) resolve();
    };
    const fail = (error: Error): void => {
      failure ??= error;
      notify();
    };
    const onAbort = (): void => fail(abortedError(NAME, signal!));
    signal?.addEventListener('abort', onAbort, { once: true });

    const onMessage = (message: FromWorkerMessage): void => {
      if (message.type === 'events') {
        queue.push(...message.events);
        inFlightSamples -= message.acknowledgedSamples;
      } else if (message.type === 'ended') {
        queue.push(...message.events);
        processingMs = message.processingMs;
        finished = true;
      } else {
        fail(new EngineError(NAME, message.code, message.message));
        return;
      }
      notify();
    };

    const iterator = frames[Symbol.asyncIterator]();
    const pump = async (): Promise<void> => {
      for (;;) {
        const next = await iterator.next();
        if (stopped) return;
        if (next.done) break;
        const frame = next.value;
        const { format } = frame;
        const accepted =
          format.encoding === 'pcm16' &&
          format.channels === 1 &&
          (format.sampleRateHz === 8000 || format.sampleRateHz === 16000);
        if (!accepted || (opened && format.sampleRateHz !== rateHz)) {
          throw new EngineError(
            NAME,
            'UNSUPPORTED_FORMAT',
            `accepts PCM16 mono at 8 or 16 kHz (one rate per stream), got ${format.encoding} ${format.sampleRateHz} Hz x${format.channels}`,
          );
        }
        if (stream === undefined) {
          opened = true;
          rateHz = format.sampleRateHz;
          const sampleRateHz = rateHz;
          stream = this.pool.open<FromWorkerMessage>(
            (streamId) =>
              ({
                type: 'open',
                streamId,
                sampleRateHz,
                trailingSilenceMs: options.trailingSilenceMs ?? 500,
                partials: options.partials ?? true,
                partialIntervalMs: this.partialIntervalMs,
              }) satisfies ToWorkerMessage,
            { onMessage, onFailure: fail },
          );
        }
        const pcm = (frame.data as Int16Array).slice();
        audioSamples += pcm.length;
        inFlightSamples += pcm.length;
        stream.send({ type: 'audio', streamId: stream.id, pcm: pcm.buffer } satisfies ToWorkerMessage, [
          pcm.buffer,
        ]);
        // Bounded: a source faster than the decoder waits here rather than queueing in the worker.
        while (!stopped && failure === undefined && (inFlightSamples * 1000) / rateHz > this.maxInFlightMs) {
          await sleep();
        }
        if (stopped || failure !== undefined) return;
      }
      if (stream !== undefined) stream.send({ type: 'end', streamId: stream.id } satisfies ToWorkerMessage);
      else finished = true;
      notify();
    };
    pump().catch((err: unknown) => fail(err instanceof Error ? err : new Error(String(err))));

    try {
      for (;;) {
        if (failure !== undefined) throw failure;
        const event = queue.shift();
        if (event !== undefined) {
          yield event;
          continue;
        }
        if (finished) break;
        await sleep();
      }
      const audioMs = rateHz === 0 ? 0 : (audioSamples * 1000) / rateHz;
      yield { type: 'usage', audioMs, processingMs: processingMs || performance.now() - startedAt };
    } finally {
      stopped = true;
      notify();
      signal?.removeEventListener('abort', onAbort);
      // Frees the stream in the recognizer process (a no-op there once it ended).
      stream?.close({ type: 'close', streamId: stream.id } satisfies ToWorkerMessage);
      // Stops a source we no longer read (a live call's frame channel, a file reader).
      iterator.return?.().catch(() => undefined);
    }
  }

  /** Stops the recognizer process; streams still open fail with ENGINE_UNAVAILABLE. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.pool.close();
  }
}

function resolveModelDir(options: SherpaSttOptions): string {
  if (options.modelDir !== undefined) return options.modelDir;
  const modelsDir = options.modelsDir ?? process.env['VOXBRIDGE_MODELS_DIR'];
  const model = options.model ?? DEFAULT_SHERPA_MODEL;
  if (modelsDir === undefined || modelsDir === '') {
    throw new EngineError(
      NAME,
      'MODEL_NOT_FOUND',
      `no modelDir given and VOXBRIDGE_MODELS_DIR is not set; run \`voxbridge models pull ${model}\` and pass its folder`,
    );
  }
  return join(modelsDir, model);
}
