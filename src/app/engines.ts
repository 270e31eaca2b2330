/**
 * The composition root for speech engines: the only place that turns an engine name into an
 * instance. Engines are imported lazily so a command that needs flite never loads onnxruntime.
 */
import type { SttEngine, TtsEngine } from '../engines/spi/index.js';
import type { EngineProcessEvent } from '../engines/worker/index.js';

/** The catalog name of pocketsphinx's 8 kHz acoustic model (src/models/catalog.ts). */
const NARROWBAND_MODEL = 'pocketsphinx-en-us-8k';

export const STT_ENGINE_NAMES = ['pocketsphinx', 'sherpa'] as const;
export type SttEngineName = (typeof STT_ENGINE_NAMES)[number];

export const TTS_ENGINE_NAMES = ['flite', 'espeak', 'sherpa'] as const;
export type TtsEngineName = (typeof TTS_ENGINE_NAMES)[number];

export interface EngineFactoryOptions {
  /** Where downloaded models live; default $VOXBRIDGE_MODELS_DIR or the user cache. */
  readonly modelsDir?: string | undefined;
  /**
   * pocketsphinx, 8 kHz input: `utterance` (default) decodes each finished utterance once more
   * in one pass (batch CMN), about 11 WER points better on telephone audio and good from a call's
   * first utterance, but its final comes about 1.7 s after the caller stops and it costs twice the
   * decoder time while partials are on; `live` takes the live decoder's result about 0.6 s after,
   * but live CMN starts cold, so a call's first utterance is recognized poorly
   * (docs/pocketsphinx-binding.md, docs/benchmarks.md).
   */
  readonly pocketsphinxFinalPass?: 'live' | 'utterance' | undefined;
  /**
   * pocketsphinx: decoders in supervised child processes (`process`, default) or in worker threads
   * of this process (`thread`, the former design; bench/speech compares the two).
   */
  readonly pocketsphinxIsolation?: 'process' | 'thread' | undefined;
  /** Engine child processes started, crashed and given streams (the gateway logs and counts them). */
  readonly onEngineProcess?: ((event: EngineProcessEvent) => void) | undefined;
}

function modelsOption(options: EngineFactoryOptions): { modelsDir?: string } {
  return options.modelsDir === undefined ? {} : { modelsDir: options.modelsDir };
}

export async function createSttEngine(
  name: SttEngineName,
  options: EngineFactoryOptions = {},
): Promise<SttEngine> {
  switch (name) {
    case 'pocketsphinx': {
      const { PocketsphinxStt } = await import('../engines/stt/pocketsphinx/index.js');
      // Silero cuts utterances when its model has been pulled (or sits in --models-dir); else
      // the engine falls back to its energy detector.
      const { resolveModelDir } = await import('../models/index.js');
      const vadDir = await resolveModelDir('silero-vad', modelsOption(options));
      // The 8 kHz telephone model: --models-dir, VOXBRIDGE_MODELS_DIR, the pull cache, and last
      // the copy shipped in the project's models/ folder. Without it 8 kHz legs are upsampled
      // for the 16 kHz model, which recognizes telephone audio markedly worse.
      const narrowbandDir = await resolveModelDir(NARROWBAND_MODEL, modelsOption(options));
      if (narrowbandDir === undefined) {
        process.emitWarning(
          `the 8 kHz model ${NARROWBAND_MODEL} was not found; 8 kHz calls are upsampled for the 16 kHz ` +
            `model and recognized less accurately (run: voxbridge models pull ${NARROWBAND_MODEL})`,
          { code: 'VOXBRIDGE_NO_8K_MODEL' },
        );
      }
      return new PocketsphinxStt({
        ...(vadDir === undefined ? {} : { vad: { modelDir: vadDir } }),
        ...(narrowbandDir === undefined ? {} : { narrowbandModelDir: narrowbandDir }),
        ...(options.pocketsphinxFinalPass === undefined
          ? {}
          : { narrowbandFinalPass: options.pocketsphinxFinalPass }),
        ...(options.onEngineProcess === undefined ? {} : { onProcessEvent: options.onEngineProcess }),
        ...(options.pocketsphinxIsolation === undefined ? {} : { isolation: options.pocketsphinxIsolation }),
      });
    }
    case 'sherpa': {
      const { SherpaStt } = await import('../engines/stt/sherpa/index.js');
      return new SherpaStt({
        ...modelsOption(options),
        ...(options.onEngineProcess === undefined ? {} : { onProcessEvent: options.onEngineProcess }),
      });
    }
  }
}

export interface TtsFactoryOptions extends EngineFactoryOptions {
  /** When set, the engine is wrapped in the TTS cache stored in this directory. */
  readonly cacheDir?: string | undefined;
}

async function createBareTts(name: TtsEngineName, options: EngineFactoryOptions): Promise<TtsEngine> {
  switch (name) {
    case 'flite': {
      const { FliteTts } = await import('../engines/tts/flite/index.js');
      return FliteTts.create();
    }
    case 'espeak': {
      const { EspeakTts } = await import('../engines/tts/espeak/index.js');
      return EspeakTts.create();
    }
    case 'sherpa': {
      const { SherpaTts, DEFAULT_SHERPA_VOICE } = await import('../engines/tts/sherpa/index.js');
      const { requireModelDir } = await import('../models/index.js');
      const modelDir = await requireModelDir(DEFAULT_SHERPA_VOICE, modelsOption(options));
      return SherpaTts.create({ modelDir });
    }
  }
}

export async function createTtsEngine(
  name: TtsEngineName,
  options: TtsFactoryOptions = {},
): Promise<TtsEngine> {
  const engine = await createBareTts(name, options);
  if (options.cacheDir === undefined) return engine;
  const { CachedTts, TtsCacheStore } = await import('../tts-cache/index.js');
  const store = new TtsCacheStore(options.cacheDir);
  return new StoreOwningTts(new CachedTts(engine, store), store);
}

/** A cached engine that also owns its store: closing the engine closes the cache index. */
class StoreOwningTts implements TtsEngine {
  readonly name: string;
  readonly model: string;
  readonly capabilities: TtsEngine['capabilities'];

  constructor(
    private readonly engine: TtsEngine,
    private readonly store: { close(): void },
  ) {
    this.name = engine.name;
    this.model = engine.model;
    this.capabilities = engine.capabilities;
  }

  synthesize(...args: Parameters<TtsEngine['synthesize']>): ReturnType<TtsEngine['synthesize']> {
    return this.engine.synthesize(...args);
  }

  async close(): Promise<void> {
    await this.engine.close();
    this.store.close();
  }
}
