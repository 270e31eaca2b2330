import type { AudioEncoding, AudioFrame } from '../../media/audio/index.js';

export interface TtsVoice {
  readonly id: string;
  readonly language: string;
  readonly gender?: 'female' | 'male' | 'neutral';
}

export interface TtsCapabilities {
  readonly voices: readonly TtsVoice[];
  readonly ssml: boolean;
  /** Audio for the first sentence is yielded before later sentences are synthesized. */
  readonly sentenceStreaming: boolean;
  /** The rate the engine synthesizes at natively (output at other rates is resampled). */
  readonly nativeSampleRateHz: number;
}

/** The output an engine must produce: any of voxbridge's encodings at 8 or 16 kHz, mono. */
export interface TtsOutputFormat {
  readonly encoding: AudioEncoding;
  readonly sampleRateHz: 8000 | 16000;
}

/**
 * Everything that changes the audio. The TTS cache key is a pure hash of this object (plus the
 * engine's name and model), so nothing that changes the audio may live anywhere else.
 */
export interface TtsRequest {
  readonly text: string;
  /** `text` is SSML (the subset: speak, break, say-as digits/characters, prosody rate). */
  readonly ssml?: boolean;
  readonly voice?: string;
  readonly language?: string;
  /** Speaking-rate multiplier, 1 = normal. */
  readonly rate?: number;
  readonly format: TtsOutputFormat;
  readonly engineOptions?: Readonly<Record<string, string | number | boolean>>;
}

export interface TtsSynthesisOptions {
  readonly signal?: AbortSignal;
}

/**
 * A synthesizer. `synthesize` yields mono AudioFrames in the requested format, as soon as each
 * sentence is ready; aborting the signal stops synthesis at once and the iterator throws
 * EngineError ABORTED. Errors are thrown from the iterator as EngineError.
 */
export interface TtsEngine {
  readonly name: string;
  /** Identifies the voice data (model file, package version) so a cache never mixes voices. */
  readonly model: string;
  readonly capabilities: TtsCapabilities;
  synthesize(request: TtsRequest, options?: TtsSynthesisOptions): AsyncIterable<AudioFrame>;
  close(): Promise<void>;
}
