import { createRequire } from 'node:module';

/**
 * The part of sherpa-onnx-node's VAD API we use. The package ships JavaScript without type
 * declarations, so this is written from its vad.js and types.js (version 1.13.8).
 */
export interface SherpaVadConfig {
  readonly sileroVad: {
    readonly model: string;
    readonly threshold: number;
    readonly minSilenceDuration: number;
    readonly minSpeechDuration: number;
    readonly windowSize: number;
    readonly maxSpeechDuration: number;
  };
  readonly sampleRate: number;
  readonly numThreads: number;
  readonly provider: string;
  readonly debug: number;
}

export interface SherpaSpeechSegment {
  /** Sample index from the detector's last reset. */
  readonly start: number;
  readonly samples: Float32Array;
}

export interface SherpaVad {
  acceptWaveform(samples: Float32Array): void;
  isEmpty(): boolean;
  /** True while the detector is inside a speech segment (its start is known, its end is not). */
  isDetected(): boolean;
  front(enableExternalBuffer?: boolean): SherpaSpeechSegment;
  pop(): void;
  clear(): void;
  reset(): void;
  flush(): void;
}

export interface SherpaVadModule {
  readonly Vad: new (config: SherpaVadConfig, bufferSizeInSeconds: number) => SherpaVad;
}

let loaded: SherpaVadModule | undefined;

/**
 * Loads the native addon on first use only, so that importing the VAD folder (and using the
 * energy detector) never pays for onnxruntime or fails where the addon is missing.
 */
export function loadSherpaVad(): SherpaVadModule {
  loaded ??= createRequire(import.meta.url)('sherpa-onnx-node') as SherpaVadModule;
  return loaded;
}
