/**
 * Cuts a channel into utterances. Recognizers use it to decide when an utterance ends (trailing
 * silence) so that a final result arrives a moment after the caller stops speaking.
 *
 * Input is 16 kHz mono PCM16 (Silero through sherpa-onnx accepts only 16 kHz), fed in chunks of
 * any length; events carry offsets in ms from the first sample fed since the last reset().
 */
export type VadEvent =
  | { readonly type: 'speechStart'; readonly offsetMs: number }
  | { readonly type: 'speechEnd'; readonly offsetMs: number };

export interface VadOptions {
  /** Silence after speech that ends an utterance. Default 500 ms. */
  readonly trailingSilenceMs?: number;
  /** Shorter bursts are not speech. Default 250 ms. */
  readonly minSpeechMs?: number;
}

export interface VoiceActivityDetector {
  /** "silero" or "energy". */
  readonly kind: string;
  /** Feeds audio; returns the events it completes, in order. */
  process(pcm16k: Int16Array): VadEvent[];
  /** Ends the stream: an utterance still open ends at the last sample. */
  flush(): VadEvent[];
  reset(): void;
  /** Frees native resources. Idempotent. */
  close(): void;
}
