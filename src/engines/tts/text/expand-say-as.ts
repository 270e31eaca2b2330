/** The `interpret-as` values of `<say-as>` that voxbridge expands itself. */
export type SayAsKind = 'digits' | 'characters' | 'telephone' | 'cardinal';

export const SAY_AS_KINDS: readonly SayAsKind[] = ['digits', 'characters', 'telephone', 'cardinal'];

const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TEENS = [
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion'];

/**
 * Symbols that a synthesizer would otherwise skip or read inconsistently when they stand alone
 * (engines differ on "#" and "*", which callers read out on IVR menus).
 */
const SYMBOL_WORDS: Readonly<Record<string, string>> = {
  '+': 'plus',
  '#': 'pound',
  '*': 'star',
  '@': 'at',
  '&': 'and',
  '-': 'dash',
  '.': 'dot',
  '/': 'slash',
  _: 'underscore',
};

/**
 * Rewrites `text` so that any synthesizer reads it as `<say-as interpret-as=kind>` asks: digits
 * and characters one by one, a telephone number digit by digit in its groups (the commas between
 * groups give the pauses a listener expects), a cardinal number as words. Text that does not fit
 * the kind (letters inside a cardinal) is left for the engine to read as it would anyway.
 */
export function expandSayAs(text: string, kind: SayAsKind): string {
  switch (kind) {
    case 'digits':
      return spellOut(text, false);
    case 'characters':
      return spellOut(text, true);
    case 'telephone':
      return telephone(text);
    case 'cardinal':
      return text.replace(/-?\d[\d,]*(\.\d+)?/g, (match) => cardinal(match));
  }
}

function spellOut(text: string, symbols: boolean): string {
  const words: string[] = [];
  for (const ch of text) {
    if (/\s/.test(ch)) continue;
    if (ch >= '0' && ch <= '9') words.push(DIGIT_WORDS[ch.charCodeAt(0) - 48]!);
    else if (/\p{L}/u.test(ch)) words.push(ch.toUpperCase());
    else if (symbols) words.push(SYMBOL_WORDS[ch] ?? ch);
  }
  return words.join(' ');
}

function telephone(text: string): string {
  // Groups are what the caller wrote between separators: "+1 (555) 123-4567" has four. A number
  // written without separators is read as one group, which is still one digit at a time.
  const groups: string[] = [];
  const plus = text.trimStart().startsWith('+');
  for (const group of text.split(/[^0-9A-Za-z#*]+/)) {
    if (group.length > 0) groups.push(spellOut(group, true));
  }
  if (plus && groups.length > 0) groups[0] = `plus ${groups[0]!}`;
  return groups.join(', ');
}

/** "1,234" → "one thousand two hundred thirty-four"; decimals read digit by digit after "point". */
function cardinal(number: string): string {
  const negative = number.startsWith('-');
  const [whole = '', fraction] = number.replace(/^-/, '').replaceAll(',', '').split('.');
  // Beyond the trillions nobody reads a number as words; digits are clearer.
  if (whole.length > 15) return spellOut(number, true);
  const words: string[] = [];
  if (negative) words.push('minus');
  words.push(integerWords(Number(whole)));
  if (fraction !== undefined) words.push('point', spellOut(fraction, false));
  return words.join(' ');
}

function integerWords(n: number): string {
  if (n === 0) return 'zero';
  const parts: string[] = [];
  for (let scale = 0; n > 0; scale++, n = Math.floor(n / 1000)) {
    const chunk = n % 1000;
    if (chunk === 0) continue;
    const words = belowThousand(chunk);
    parts.unshift(scale === 0 ? words : `${words} ${SCALES[scale]!}`);
  }
  return parts.join(' ');
}

function belowThousand(n: number): string {
  const words: string[] = [];
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds > 0) words.push(`${DIGIT_WORDS[hundreds]!} hundred`);
  if (rest >= 20) {
    const ones = rest % 10;
    words.push(
      ones === 0 ? TENS[Math.floor(rest / 10)]! : `${TENS[Math.floor(rest / 10)]!}-${DIGIT_WORDS[ones]!}`,
    );
  } else if (rest >= 10) {
    words.push(TEENS[rest - 10]!);
  } else if (rest > 0) {
    words.push(DIGIT_WORDS[rest]!);
  }
  return words.join(' ');
}
