import { parseSsml } from './parse-ssml.js';
import type { SpeechSegment } from './speech-segment.js';
import type { SplitSentencesOptions } from './split-sentences.js';
import { splitSentences } from './split-sentences.js';

/** The parts of a TtsRequest that decide what is said and how fast. */
export interface UtteranceText {
  readonly text: string;
  readonly ssml?: boolean;
  /** Speaking-rate multiplier for the whole request, 1 = normal. */
  readonly rate?: number;
}

/**
 * Turns a request's text into the order of work for a synthesizer: one text segment per sentence
 * (so the first sentence can be spoken while the next is synthesized) and breaks between them.
 * SSML is parsed first; plain text is split at sentence ends and line breaks. The request rate
 * multiplies every prosody rate. Text with nothing to say gives an empty plan, not an error.
 * Malformed SSML throws EngineError INVALID_REQUEST for `engine`.
 */
export function planUtterance(
  request: UtteranceText,
  engine: string,
  options: SplitSentencesOptions = {},
): SpeechSegment[] {
  const rate = request.rate ?? 1;
  const segments: readonly SpeechSegment[] = request.ssml
    ? parseSsml(request.text, engine)
    : [{ kind: 'text', text: request.text, rate: 1 }];
  const plan: SpeechSegment[] = [];
  for (const segment of segments) {
    if (segment.kind === 'break') {
      plan.push(segment);
      continue;
    }
    for (const sentence of splitSentences(segment.text, options)) {
      // A sentence of nothing but punctuation ("...") makes some engines emit a click or fail.
      if (/[\p{L}\p{N}]/u.test(sentence))
        plan.push({ kind: 'text', text: sentence, rate: segment.rate * rate });
    }
  }
  // Leading and trailing pauses stay: a prompt author may want silence before the first word.
  return plan;
}
