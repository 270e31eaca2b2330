import { createRequire } from 'node:module';
import type { SherpaModelLayout } from './sherpa-model-layout.js';

/**
 * The part of sherpa-onnx-node's streaming recognizer API we use, written from its
 * streaming-asr.js and types.js (1.13.8): the package ships no type declarations.
 */
export interface SherpaOnlineRecognizerConfig {
  readonly featConfig: { readonly sampleRate: number; readonly featureDim: number };
  readonly modelConfig: {
    readonly transducer?: { readonly encoder: string; readonly decoder: string; readonly joiner: string };
    readonly zipformer2Ctc?: { readonly model: string };
    readonly tokens: string;
    readonly numThreads: number;
    readonly provider: string;
    readonly debug: number;
  };
  readonly decodingMethod: string;
  readonly enableEndpoint: number;
  readonly rule1MinTrailingSilence: number;
  readonly rule2MinTrailingSilence: number;
  readonly rule3MinUtteranceLength: number;
}

/** OnlineRecognizerResult::AsJsonString(); fields a given model does not fill may be absent. */
export interface SherpaOnlineResult {
  readonly text: string;
  readonly tokens?: readonly string[];
  /** Seconds from the start of the current segment, one per token. */
  readonly timestamps?: readonly number[];
  /** Log-probability of each token (greedy transducer search). */
  readonly ys_probs?: readonly number[];
  readonly num_trailing_blanks?: number;
}

export interface SherpaOnlineStream {
  acceptWaveform(waveform: { samples: Float32Array; sampleRate: number }): void;
  inputFinished(): void;
}

export interface SherpaOnlineRecognizer {
  createStream(): SherpaOnlineStream;
  isReady(stream: SherpaOnlineStream): boolean;
  decode(stream: SherpaOnlineStream): void;
  isEndpoint(stream: SherpaOnlineStream): boolean;
  reset(stream: SherpaOnlineStream): void;
  getResult(stream: SherpaOnlineStream): SherpaOnlineResult;
}

interface SherpaAsrModule {
  readonly OnlineRecognizer: new (config: SherpaOnlineRecognizerConfig) => SherpaOnlineRecognizer;
}

/** Streaming zipformer models are trained on 16 kHz audio with 80 fbank bins. */
export const MODEL_SAMPLE_RATE_HZ = 16000;

/** Builds the recognizer config for a layout; rule2 is the utterance-ending trailing silence. */
export function recognizerConfig(
  layout: SherpaModelLayout,
  options: { readonly numThreads: number; readonly trailingSilenceMs: number },
): SherpaOnlineRecognizerConfig {
  return {
    featConfig: { sampleRate: MODEL_SAMPLE_RATE_HZ, featureDim: 80 },
    modelConfig: {
      ...(layout.kind === 'transducer'
        ? { transducer: { encoder: layout.encoder, decoder: layout.decoder, joiner: layout.joiner } }
        : { zipformer2Ctc: { model: layout.model } }),
      tokens: layout.tokens,
      numThreads: options.numThreads,
      provider: 'cpu',
      debug: 0,
    },
    decodingMethod: 'greedy_search',
    enableEndpoint: 1,
    // Rule 1 ends a segment that has produced no text after this much silence, which keeps the
    // stream's state small on long silences; rule 3 caps an utterance that never pauses.
    rule1MinTrailingSilence: 2.4,
    rule2MinTrailingSilence: options.trailingSilenceMs / 1000,
    rule3MinUtteranceLength: 20,
  };
}

/** Loads the native addon (onnxruntime included) only where a recognizer is built: the worker. */
export function createSherpaRecognizer(config: SherpaOnlineRecognizerConfig): SherpaOnlineRecognizer {
  const sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as SherpaAsrModule;
  return new sherpa.OnlineRecognizer(config);
}
