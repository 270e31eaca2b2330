export interface SplitSentencesOptions {
  /**
   * Longest piece handed to a synthesizer at once. A long run without sentence punctuation is cut
   * at clause punctuation (or, failing that, between words) so that the first audio of a long
   * prompt is not held back until the whole run has been synthesized. 200 unless given.
   */
  readonly maxChars?: number;
}

/** Abbreviations after which a period never ends a sentence: titles and Latin shorthands. */
const NEVER_FINAL = new Set([
  'dr',
  'mr',
  'mrs',
  'ms',
  'prof',
  'sr',
  'jr',
  'st',
  'mt',
  'no',
  'nos',
  'fig',
  'vs',
  'e.g',
  'i.e',
  'cf',
  'approx',
  'dept',
  'ext',
  'tel',
  'ave',
  'rd',
  'blvd',
  'gen',
  'col',
  'lt',
  'sgt',
  'capt',
  'rev',
  'hon',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
]);

/**
 * Abbreviations that often end a sentence too ("... at 5 p.m. Then ..."): the period ends the
 * sentence only when the next word is capitalised.
 */
const MAYBE_FINAL = new Set(['etc', 'inc', 'ltd', 'co', 'corp', 'a.m', 'p.m', 'u.s', 'u.k']);

const TERMINATORS = '.!?;';
const CLOSERS = '"\'”’)]}»';

/**
 * Splits plain text into sentences a synthesizer can be given one at a time: after . ! ? ; and at
 * line breaks, but not after abbreviations ("Dr.", "e.g."), initials ("J. R. Smith"), inside
 * numbers ("3.5") or before a lower-case word. Whitespace inside a sentence is collapsed; empty
 * sentences are dropped.
 */
export function splitSentences(text: string, options: SplitSentencesOptions = {}): string[] {
  const maxChars = Math.max(20, options.maxChars ?? 200);
  const sentences: string[] = [];
  for (const line of text.split(/\r?\n|\r/)) {
    let start = 0;
    let i = 0;
    while (i < line.length) {
      if (!TERMINATORS.includes(line[i]!)) {
        i++;
        continue;
      }
      // A run like "?!" or "..." plus closing quotes and brackets belongs to the sentence it ends.
      let end = i + 1;
      while (end < line.length && TERMINATORS.includes(line[end]!)) end++;
      while (end < line.length && CLOSERS.includes(line[end]!)) end++;
      if (end < line.length && !/\s/.test(line[end]!)) {
        i = end;
        continue;
      }
      if (endsSentence(line, i, end)) {
        pushSentence(sentences, line.slice(start, end), maxChars);
        start = end;
      }
      i = end;
    }
    pushSentence(sentences, line.slice(start), maxChars);
  }
  return sentences;
}

/** Decides whether the terminator run line[at..end) ends a sentence. */
function endsSentence(line: string, at: number, end: number): boolean {
  if (line[at] !== '.' || end - at > 1) return true;
  const next = /^\s*(\S)/.exec(line.slice(end))?.[1];
  // A lower-case word after a period continues the sentence ("approx. five minutes").
  if (next !== undefined && /\p{Ll}/u.test(next)) return false;
  const word = /(?:^|[\s("'“‘])([\p{L}.]+)$/u.exec(line.slice(0, at))?.[1];
  if (word === undefined) return true;
  const lower = word.toLowerCase();
  if (NEVER_FINAL.has(lower)) return false;
  // A single capital letter is an initial ("J. R. Smith", "U.S."), not a word ending a sentence.
  if (/^(\p{Lu}\.)*\p{Lu}$/u.test(word)) return false;
  if (MAYBE_FINAL.has(lower)) return next !== undefined && /\p{Lu}/u.test(next);
  return true;
}

function pushSentence(out: string[], raw: string, maxChars: number): void {
  const sentence = raw.replace(/\s+/g, ' ').trim();
  if (sentence.length === 0) return;
  if (sentence.length <= maxChars) {
    out.push(sentence);
    return;
  }
  // Pack whole clauses greedily; a clause that alone is too long is cut between words.
  let piece = '';
  for (const clause of sentence.split(/(?<=[,:—–])\s+/)) {
    for (const part of clause.length > maxChars ? cutBetweenWords(clause, maxChars) : [clause]) {
      if (piece.length > 0 && piece.length + 1 + part.length > maxChars) {
        out.push(piece);
        piece = part;
      } else {
        piece = piece.length > 0 ? `${piece} ${part}` : part;
      }
    }
  }
  if (piece.length > 0) out.push(piece);
}

function cutBetweenWords(text: string, maxChars: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > maxChars) {
    const space = rest.lastIndexOf(' ', maxChars);
    // A single "word" longer than the limit (a URL, a hash) is cut where the limit falls.
    const cut = space > 0 ? space : maxChars;
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}
