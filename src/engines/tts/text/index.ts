export type { SpeechSegment } from './speech-segment.js';
export { MAX_BREAK_MS, parseSsml } from './parse-ssml.js';
export type { SplitSentencesOptions } from './split-sentences.js';
export { splitSentences } from './split-sentences.js';
export type { SayAsKind } from './expand-say-as.js';
export { SAY_AS_KINDS, expandSayAs } from './expand-say-as.js';
export type { UtteranceText } from './plan-utterance.js';
export { planUtterance } from './plan-utterance.js';
