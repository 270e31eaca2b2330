import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { AudioFormat, AudioFrame } from '../../../media/audio/index.js';
import { PCM16_16K, PCM16_8K } from '../../../media/audio/index.js';
import type { SttCapabilities, SttEngine, SttEvent, SttOptions } from '../../spi/index.js';
import { EngineError, abortedError } from '../../spi/index.js';
import type { UtteranceVadChoice } from './create-utterance-vad.js';
import type { EngineProcessEvent } from '../../worker/index.js';
import type { DecoderIsolation, PoolStream } from './decoder-pool.js';
import { DecoderPool } from './decoder-pool.js';
import type { PocketsphinxModelPaths } from './pocketsphinx-decoder.js';
import { loadPocketsphinx } from './pocketsphinx-library.js';
import type { FromWorkerMessage } from './worker-protocol.js';

export interface PocketsphinxSttOptions {
  /** Folder with the acoustic model `en-us/`, `en-us.lm.bin` and `cmudict-en-us.dict`. */
  readonly modelDir?: string;
  /**
   * Folder of the CMU 8 kHz acoustic model (pocketsphinx-en-us-8k: `mdef`, `means`, ...). When
   * set, 8 kHz input is decoded natively with it, using the language model and dictionary of
   * `modelDir`; when absent, 8 kHz input is upsampled for the 16 kHz model, which costs accuracy.
   * The composition root (app/engines) finds it: --models-dir, the models cache, the shipped copy.
   */
  readonly narrowbandModelDir?: string;
  /**
   * How the 8 kHz decoders compute a final: `utterance` (default) decodes the utterance again as
   * a whole when it ends, as pocketsphinx_batch does (16 WER points better on telephone audio,
   * at up to twice the decoder time while partials are on); `live` takes the live decoder's result.
   */
  readonly narrowbandFinalPass?: 'live' | 'utterance';
  /**
   * The voice activity detector that cuts utterances, passed to engines/vad's createVad: Silero
   * when `modelDir` (or $VOXBRIDGE_MODELS_DIR/silero-vad) holds its model, else the energy detector.
   */
  readonly vad?: UtteranceVadChoice;
  /**
   * Decoder processes (or threads); default one per core (`os.availableParallelism()`), at least
   * two: a crash costs the streams of one process, so even one core keeps a second process to
   * spread streams over (processes start only when streams need them).
   */
  readonly workers?: number;
  /**
   * Where decoders run: `process` (default), supervised child processes, so that a native crash
   * costs the streams of one process and not the gateway; `thread`, worker threads of the
   * gateway process (the former design, kept for comparison in bench/speech).
   */
  readonly isolation?: DecoderIsolation;
  /** Decoder processes started, crashed (logged and counted by the gateway) and streams placed. */
  readonly onProcessEvent?: (event: EngineProcessEvent) => void;
  /** Audio time between partial results while speech continues; default 250 ms. */
  readonly partialIntervalMs?: number;
  /** Never-used decoders each worker keeps ready for the next streams; default 1. */
  readonly spareDecodersPerWorker?: number;
  /** Audio a stream may have sent but not yet had decoded; default 1000 ms. */
  readonly maxInFlightMs?: number;
}

/** Where Debian's pocketsphinx-en-us package installs the US English model. */
export const DEBIAN_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

const NAME = 'pocketsphinx';
/** Events a consumer may leave unread before the stream stops sending audio to the decoder. */
const MAX_QUEUED_EVENTS = 64;

/**
 * Offline US English recognition with CMU pocketsphinx (the 5prealpha C API through koffi).
 * Decoders run in a pool of supervised child processes shared by all streams of the engine, one
 * decoder per stream; the gateway only moves audio and events, and a crashed decoder process fails
 * its streams with a retryable ENGINE_FAILED (the session reopens them) and is restarted. Utterances are cut by a voice activity
 * detector, so a final arrives `trailingSilenceMs` after the caller stops speaking.
 */
export class PocketsphinxStt implements SttEngine {
  readonly name = NAME;
  readonly capabilities: SttCapabilities = {
    streaming: true,
    partials: true,
    wordTimings: true,
    languages: ['en-US'],
    inputFormats: [PCM16_8K, PCM16_16K],
  };
  /** The rate 8 kHz input is decoded at: 8000 with the telephone model, else 16000 (upsampled). */
  readonly narrowbandDecoderRateHz: 8000 | 16000;
  private readonly pool: DecoderPool;
  private readonly partialIntervalMs: number;
  private readonly maxInFlightMs: number;

  /** Throws MODEL_NOT_FOUND or ENGINE_UNAVAILABLE (naming the Debian package) when not installed. */
  constructor(options: PocketsphinxSttOptions = {}) {
    const model = modelPaths(options.modelDir ?? DEBIAN_MODEL_DIR);
    const narrowbandModel =
      options.narrowbandModelDir === undefined
        ? undefined
        : narrowbandModelPaths(options.narrowbandModelDir, model);
    this.narrowbandDecoderRateHz = narrowbandModel === undefined ? 16000 : 8000;
    // Loading on the main thread too costs a dlopen and reports a missing library at startup
    // rather than on the first call.
    loadPocketsphinx(NAME);
    this.partialIntervalMs = options.partialIntervalMs ?? 250;
    this.maxInFlightMs = options.maxInFlightMs ?? 1000;
    this.pool = new DecoderPool(
      NAME,
      {
        engine: NAME,
        model,
        ...(narrowbandModel === undefined ? {} : { narrowbandModel }),
        narrowbandFinalPass: options.narrowbandFinalPass ?? 'utterance',
        vad: options.vad ?? {},
        spareDecoders: options.spareDecodersPerWorker ?? 1,
      },
      {
        size: options.workers ?? Math.max(2, availableParallelism()),
        ...(options.isolation === undefined ? {} : { isolation: options.isolation }),
        ...(options.onProcessEvent === undefined ? {} : { onProcessEvent: options.onProcessEvent }),
      },
    );
  }

  /** Decoder processes that died unasked (each failed its streams, which were reopened). */
  get crashes(): number {
    return this.pool.crashes;
  }

  /** The running decoder processes and the streams each serves. */
  get processes(): readonly { readonly pid: number | undefined; readonly streams: number }[] {
    return this.pool.children;
  }

  async *transcribe(frames: AsyncIterable<AudioFrame>, options: SttOptions = {}): AsyncGenerator<SttEvent> {
    const signal = options.signal;
    if (signal?.aborted) throw abortedError(NAME, signal);
    const startedAt = performance.now();
    yield { type: 'started' };

    const events: SttEvent[] = [];
    let failure: Error | undefined;
    let finished = false;
    let stopped = false;
    let processingMs = 0;
    let audioMs = 0;
    let inFlightMs = 0;
    const sentMs: number[] = [];
    let stream: PoolStream | undefined;
    // One waiter each: the consumer waiting for events, the pump waiting for room.
    let wakeConsumer: (() => void) | undefined;
    let wakePump: (() => void) | undefined;
    const wake = (): void => {
      const consumer = wakeConsumer;
      const pump = wakePump;
      wakeConsumer = undefined;
      wakePump = undefined;
      consumer?.();
      pump?.();
    };
    const fail = (err: unknown): void => {
      failure ??= signal?.aborted
        ? abortedError(NAME, signal)
        : err instanceof Error
          ? err
          : new Error(String(err));
      wake();
    };
    const onAbort = (): void => fail(abortedError(NAME, signal as AbortSignal));
    signal?.addEventListener('abort', onAbort, { once: true });

    const onMessage = (message: FromWorkerMessage): void => {
      switch (message.type) {
        case 'events':
          inFlightMs -= sentMs.shift() ?? 0;
          events.push(...message.events);
          break;
        case 'ended':
          events.push(...message.events);
          processingMs = message.processingMs;
          finished = true;
          break;
        case 'error':
          fail(
            new EngineError(NAME, message.code, message.message, {
              retryable: message.code === 'ENGINE_FAILED',
            }),
          );
          return;
      }
      wake();
    };

    const pump = async (): Promise<void> => {
      for await (const frame of frames) {
        if (stopped) return;
        checkFormat(frame.format);
        const pcm = frame.data as Int16Array;
        stream ??= this.pool.open(
          {
            inputRateHz: frame.format.sampleRateHz,
            partials: options.partials ?? true,
            partialIntervalMs: this.partialIntervalMs,
            trailingSilenceMs: options.trailingSilenceMs ?? 500,
          },
          { onMessage, onFailure: fail },
        );
        // Back-pressure: a source faster than the decoder (a file) waits here instead of queueing
        // without bound in the worker, and so does one whose consumer stopped reading.
        while (!stopped && (inFlightMs >= this.maxInFlightMs || events.length >= MAX_QUEUED_EVENTS)) {
          await new Promise<void>((resolve) => (wakePump = resolve));
        }
        if (stopped) return;
        const ms = (pcm.length / frame.format.sampleRateHz) * 1000;
        stream.send(pcm);
        sentMs.push(ms);
        inFlightMs += ms;
        audioMs += ms;
      }
      if (stopped) return;
      if (stream === undefined) finished = true;
      else stream.end();
      wake();
    };
    pump().catch(fail);

    try {
      for (;;) {
        if (failure !== undefined) throw failure;
        const event = events.shift();
        if (event !== undefined) {
          if (events.length < MAX_QUEUED_EVENTS) wakePump?.();
          yield event;
          continue;
        }
        if (finished) break;
        await new Promise<void>((resolve) => (wakeConsumer = resolve));
      }
      yield {
        type: 'usage',
        audioMs,
        processingMs: stream === undefined ? performance.now() - startedAt : processingMs,
      };
    } finally {
      // Also reached on break and on errors: the pump stops at its next frame and the worker
      // frees the stream's decoder.
      stopped = true;
      signal?.removeEventListener('abort', onAbort);
      wake();
      stream?.close();
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** PCM16 mono at 8 or 16 kHz; anything else is the caller's mistake, not a transient failure. */
function checkFormat(format: AudioFormat): void {
  const ok =
    format.encoding === 'pcm16' &&
    format.channels === 1 &&
    (format.sampleRateHz === 8000 || format.sampleRateHz === 16000);
  if (!ok) {
    throw new EngineError(
      NAME,
      'UNSUPPORTED_FORMAT',
      `takes pcm16 mono at 8000 or 16000 Hz, got ${format.encoding}/${format.sampleRateHz} Hz/${format.channels} ch`,
    );
  }
}

/** Files an acoustic model folder must hold for ps_init to load it (`-hmm`). */
const ACOUSTIC_MODEL_FILES = ['mdef', 'means', 'variances', 'transition_matrices', 'sendump', 'feat.params'];

/** The telephone acoustic model with the wideband model's language model and dictionary. */
function narrowbandModelPaths(hmmDir: string, wideband: PocketsphinxModelPaths): PocketsphinxModelPaths {
  for (const file of ACOUSTIC_MODEL_FILES) {
    const path = join(hmmDir, file);
    if (!existsSync(path)) {
      throw new EngineError(
        NAME,
        'MODEL_NOT_FOUND',
        `${path} is missing; run: voxbridge models pull pocketsphinx-en-us-8k`,
      );
    }
  }
  return { hmmDir, lmFile: wideband.lmFile, dictFile: wideband.dictFile, sampleRateHz: 8000 };
}

function modelPaths(modelDir: string): PocketsphinxModelPaths {
  const paths: PocketsphinxModelPaths = {
    hmmDir: join(modelDir, 'en-us'),
    lmFile: join(modelDir, 'en-us.lm.bin'),
    dictFile: join(modelDir, 'cmudict-en-us.dict'),
    sampleRateHz: 16000,
  };
  for (const path of [join(paths.hmmDir, 'mdef'), paths.lmFile, paths.dictFile]) {
    if (!existsSync(path)) {
      throw new EngineError(
        NAME,
        'MODEL_NOT_FOUND',
        `${path} is missing; install the Debian package pocketsphinx-en-us (apt-get install pocketsphinx-en-us)`,
      );
    }
  }
  return paths;
}
