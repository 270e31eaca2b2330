/**
 * One piece of an utterance, in the order it is spoken: text to synthesize at a speaking-rate
 * multiplier (1 = normal), or a pause of silence. SSML parsing and sentence planning produce these,
 * so every synthesizer (CLI or in-process) consumes the same neutral description.
 */
export type SpeechSegment =
  | { readonly kind: 'text'; readonly text: string; readonly rate: number }
  | { readonly kind: 'break'; readonly durationMs: number };
