import { basename } from 'node:path';
import type { AudioFrame } from '../../../media/audio/index.js';
import type {
  TtsCapabilities,
  TtsEngine,
  TtsRequest,
  TtsSynthesisOptions,
  TtsVoice,
} from '../../spi/index.js';
import { EngineError, abortedError } from '../../spi/index.js';
import { streamUtterance } from '../output/index.js';
import { planUtterance } from '../text/index.js';
import type { SherpaTtsLayout } from './sherpa-tts-layout.js';
import { detectSherpaTtsLayout, languageFromVoiceName } from './sherpa-tts-layout.js';
import type { SpawnSherpaWorker } from './sherpa-tts-worker-client.js';
import { SherpaTtsWorker } from './sherpa-tts-worker-client.js';

export interface SherpaTtsOptions {
  /** A VITS voice folder, e.g. what `voxbridge models path vits-piper-en_US-amy-low` prints. */
  readonly modelDir: string;
  /** Which `.onnx` in the folder, when it has several. */
  readonly modelFile?: string;
  /** onnxruntime threads for this voice; 1 unless given, since a gateway runs many calls at once. */
  readonly numThreads?: number;
  /** Speaker id for requests that name no voice; `0` unless given. */
  readonly defaultVoice?: string;
}

const NAME = 'sherpa';
/** Beyond these VITS speeds speech stops being intelligible. */
const MIN_SPEED = 0.25;
const MAX_SPEED = 4;

/** After a crash the next sentence starts a new synthesis process, but not sooner than this. */
const RESTART_BACKOFF_MS = { initial: 100, max: 5000 } as const;

/**
 * Speaks with VITS voices (Piper and older VITS models) through sherpa-onnx's OfflineTts, in a
 * child process so synthesis never blocks the event loop and a native crash there costs the
 * sentences in progress, not the gateway (the next sentence starts a new process, with backoff). Text is planned sentence by sentence
 * (SSML subset included) and each sentence is yielded as soon as it is ready. Voices are the
 * model's speaker ids ("0", "1", ...); `rate` becomes sherpa's speed. Create with
 * `SherpaTts.create()`, which checks the folder and loads the voice, so a missing or damaged
 * model fails at start-up with MODEL_NOT_FOUND rather than on the first call.
 */
export class SherpaTts implements TtsEngine {
  readonly name = NAME;
  readonly model: string;
  readonly capabilities: TtsCapabilities;
  readonly layout: SherpaTtsLayout;
  private worker: SherpaTtsWorker;
  private readonly restart: () => Promise<SherpaTtsWorker>;
  /** A new process being started after a crash; sentences meanwhile wait for it. */
  private restarting: Promise<SherpaTtsWorker> | undefined;
  private restarts = 0;
  private lastRestartMs = Number.NEGATIVE_INFINITY;
  private readonly defaultVoice: string;
  private readonly closing = new AbortController();

  private constructor(
    layout: SherpaTtsLayout,
    worker: SherpaTtsWorker,
    defaultVoice: string,
    restart: () => Promise<SherpaTtsWorker>,
  ) {
    this.layout = layout;
    this.worker = worker;
    this.restart = restart;
    this.defaultVoice = defaultVoice;
    const { sampleRateHz, numSpeakers, sherpaVersion } = worker.info;
    // The folder name identifies the voice data; the sherpa version can change the audio too.
    this.model = `${basename(layout.modelDir)}@sherpa-onnx-${sherpaVersion}`;
    const language = languageFromVoiceName(basename(layout.modelDir));
    const voices: TtsVoice[] = [];
    for (let sid = 0; sid < Math.max(1, numSpeakers); sid++) voices.push({ id: String(sid), language });
    this.capabilities = { voices, ssml: true, sentenceStreaming: true, nativeSampleRateHz: sampleRateHz };
  }

  /** `testing.spawnWorker` replaces the synthesis thread; only tests without a voice use it. */
  static async create(
    options: SherpaTtsOptions,
    testing: { readonly spawnWorker?: SpawnSherpaWorker } = {},
  ): Promise<SherpaTts> {
    const layout = await detectSherpaTtsLayout(
      options.modelDir,
      options.modelFile === undefined ? {} : { modelFile: options.modelFile },
    );
    const numThreads = options.numThreads ?? 1;
    if (!Number.isInteger(numThreads) || numThreads < 1) {
      throw new EngineError(
        NAME,
        'INVALID_REQUEST',
        `numThreads must be a positive integer, got ${numThreads}`,
      );
    }
    const init = {
      modelFile: layout.modelFile,
      tokensFile: layout.tokensFile,
      dataDir: layout.dataDir,
      lexiconFile: layout.lexiconFile,
      numThreads,
    };
    const start = (): Promise<SherpaTtsWorker> => SherpaTtsWorker.start(init, testing.spawnWorker);
    const worker = await start();
    const defaultVoice = options.defaultVoice ?? '0';
    if (parseVoice(defaultVoice, worker.info.numSpeakers) === undefined) {
      await worker.close();
      throw new EngineError(
        NAME,
        'INVALID_REQUEST',
        `default voice ${defaultVoice} is not a speaker id of ${options.modelDir}`,
      );
    }
    return new SherpaTts(layout, worker, defaultVoice, start);
  }

  async *synthesize(request: TtsRequest, options: TtsSynthesisOptions = {}): AsyncGenerator<AudioFrame> {
    const outer = options.signal;
    if (outer?.aborted) throw abortedError(NAME, outer);
    if (this.closing.signal.aborted) throw new EngineError(NAME, 'ENGINE_UNAVAILABLE', 'engine is closed');
    const voice = request.voice ?? this.defaultVoice;
    const sid = parseVoice(voice, this.worker.info.numSpeakers);
    if (sid === undefined) {
      throw new EngineError(
        NAME,
        'INVALID_REQUEST',
        `unknown voice ${voice}; this model has speaker ids 0 to ${Math.max(1, this.worker.info.numSpeakers) - 1}`,
      );
    }
    checkRequest(request, this.capabilities.voices[0]?.language ?? 'und');
    const plan = planUtterance(request, NAME);
    yield* streamUtterance(
      plan,
      async (text, rate, s) =>
        (await this.liveWorker()).generate(text, sid, Math.min(MAX_SPEED, Math.max(MIN_SPEED, rate)), s),
      {
        engine: NAME,
        format: request.format,
        nativeRateHz: this.capabilities.nativeSampleRateHz,
        // Kept apart from the request's signal: combining them with AbortSignal.any per request
        // would hang one more dependent on the engine's long-lived signal for every utterance.
        ...(outer === undefined ? {} : { signal: outer }),
        closeSignal: this.closing.signal,
      },
    );
  }

  /** Cancels syntheses in flight and stops the synthesis process. */
  async close(): Promise<void> {
    this.closing.abort();
    const restarting = this.restarting;
    await this.worker.close();
    await restarting?.then((worker) => worker.close()).catch(() => undefined);
  }

  /**
   * The synthesis process, started anew when the previous one died. Restarts are spaced by a
   * backoff (100 ms doubling to 5 s) so that a voice that crashes every time cannot spin; within
   * it a sentence fails with a retryable ENGINE_UNAVAILABLE.
   */
  private async liveWorker(): Promise<SherpaTtsWorker> {
    if (!this.worker.failed || this.closing.signal.aborted) return this.worker;
    if (this.restarting !== undefined) return this.restarting;
    // A process that ran for a while before it died starts the backoff over.
    if (performance.now() - this.lastRestartMs > 30_000) this.restarts = 0;
    const backoffMs = Math.min(RESTART_BACKOFF_MS.max, RESTART_BACKOFF_MS.initial * 2 ** this.restarts);
    if (performance.now() - this.lastRestartMs < backoffMs) {
      throw new EngineError(NAME, 'ENGINE_UNAVAILABLE', 'the synthesis process is restarting', {
        retryable: true,
      });
    }
    this.restarts++;
    this.lastRestartMs = performance.now();
    const restarting = this.restart();
    this.restarting = restarting;
    try {
      this.worker = await restarting;
      return this.worker;
    } finally {
      this.restarting = undefined;
    }
  }
}

/** A voice is a speaker id in decimal; a single-speaker model reports 0 or 1 speakers. */
function parseVoice(voice: string, numSpeakers: number): number | undefined {
  if (!/^\d+$/.test(voice)) return undefined;
  const sid = Number(voice);
  return sid < Math.max(1, numSpeakers) ? sid : undefined;
}

function checkRequest(request: TtsRequest, language: string): void {
  if (request.rate !== undefined && !(Number.isFinite(request.rate) && request.rate > 0)) {
    throw new EngineError(NAME, 'INVALID_REQUEST', `rate must be a positive number, got ${request.rate}`);
  }
  const primary = language.split('-')[0];
  if (
    request.language !== undefined &&
    language !== 'und' &&
    request.language.split('-')[0]?.toLowerCase() !== primary
  ) {
    throw new EngineError(NAME, 'INVALID_REQUEST', `this voice speaks ${language}, not ${request.language}`);
  }
  const unknown = Object.keys(request.engineOptions ?? {});
  if (unknown.length > 0) {
    throw new EngineError(
      NAME,
      'INVALID_REQUEST',
      `sherpa takes no engine options, got ${unknown.join(', ')}`,
    );
  }
}
