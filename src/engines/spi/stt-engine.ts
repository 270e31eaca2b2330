import type { AudioFormat, AudioFrame } from '../../media/audio/index.js';

/** What a recognizer can do; the session picks engines and formats from this, never by name. */
export interface SttCapabilities {
  /** Results while audio is still arriving (as opposed to one result per finished stream). */
  readonly streaming: boolean;
  readonly partials: boolean;
  readonly wordTimings: boolean;
  /** BCP 47 tags, e.g. "en-US". */
  readonly languages: readonly string[];
  /** Formats `transcribe` accepts as they are; anything else is rejected with UNSUPPORTED_FORMAT. */
  readonly inputFormats: readonly AudioFormat[];
}

export interface SttOptions {
  readonly language?: string;
  /** Emit partial results (default true when the engine supports them). */
  readonly partials?: boolean;
  /** Silence that ends an utterance, in ms (default 500). */
  readonly trailingSilenceMs?: number;
  readonly signal?: AbortSignal;
}

export interface SttWord {
  readonly word: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly confidence?: number;
}

/**
 * Events of one recognition stream, in order: `started` once, then per utterance
 * `speechStarted`, any number of `partial`, `final`, `speechEnded`; `usage` at the end.
 * Offsets are milliseconds from the first sample of the stream.
 */
export type SttEvent =
  | { readonly type: 'started' }
  | { readonly type: 'speechStarted'; readonly offsetMs: number }
  | { readonly type: 'partial'; readonly text: string; readonly startMs: number; readonly endMs: number }
  | {
      readonly type: 'final';
      readonly text: string;
      readonly startMs: number;
      readonly endMs: number;
      /** 0..1. */
      readonly confidence: number;
      readonly words?: readonly SttWord[];
    }
  | { readonly type: 'speechEnded'; readonly offsetMs: number }
  | { readonly type: 'usage'; readonly audioMs: number; readonly processingMs: number };

/**
 * A recognizer. `transcribe` consumes one channel of audio and yields its events; errors are
 * thrown from the iterator as EngineError. Breaking out of the iteration or aborting the signal
 * stops the work and releases its resources.
 */
export interface SttEngine {
  readonly name: string;
  readonly capabilities: SttCapabilities;
  transcribe(frames: AsyncIterable<AudioFrame>, options?: SttOptions): AsyncIterable<SttEvent>;
  /** Releases shared resources (worker pools, models). Idempotent. */
  close(): Promise<void>;
}
