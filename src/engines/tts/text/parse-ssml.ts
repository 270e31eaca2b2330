import { EngineError } from '../../spi/index.js';
import type { SayAsKind } from './expand-say-as.js';
import { expandSayAs } from './expand-say-as.js';
import type { SpeechSegment } from './speech-segment.js';

/** Longest pause one `<break>` may ask for; a typo like time="3000s" should fail, not stall a call. */
export const MAX_BREAK_MS = 10_000;

/** SSML 1.1 §3.2.3: break strengths, as pauses typical engines use for them. */
const BREAK_STRENGTH_MS: Readonly<Record<string, number>> = {
  none: 0,
  'x-weak': 100,
  weak: 250,
  medium: 500,
  strong: 750,
  'x-strong': 1000,
};

/** SSML 1.1 §3.2.4: prosody rate keywords, as multipliers of the normal rate. */
const RATE_KEYWORDS: Readonly<Record<string, number>> = {
  'x-slow': 0.5,
  slow: 0.75,
  medium: 1,
  default: 1,
  fast: 1.25,
  'x-fast': 1.5,
};

/** interpret-as values we expand, with the aliases other vendors use for the same reading. */
const SAY_AS: Readonly<Record<string, SayAsKind>> = {
  digits: 'digits',
  characters: 'characters',
  'spell-out': 'characters',
  telephone: 'telephone',
  cardinal: 'cardinal',
  number: 'cardinal',
};

/** Marks the padding around say-as and sub replacements; a private-use character no prompt contains. */
const PAD = '\uE000';

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

interface OpenElement {
  readonly name: string;
  readonly offset: number;
  readonly rate: number;
  /** Set on `<say-as>` and `<sub>`: their content is collected and replaced when they close. */
  readonly replace?: { readonly sayAs?: SayAsKind; readonly alias?: string; content: string };
}

/**
 * Parses the SSML subset voxbridge supports into speech segments: `<speak>`, `<break>` (time or
 * strength), `<say-as interpret-as="digits|characters|telephone|cardinal">`, `<prosody rate>`,
 * `<sub alias>`, and `<p>`/`<s>` as sentence boundaries. Nested prosody rates multiply. Tags we
 * do not know are dropped but their text is kept, so SSML written for a richer engine still
 * speaks its words. Whitespace is collapsed as XML text would be.
 *
 * Malformed markup (unbalanced or unterminated tags, bad attributes or entities, unreadable break
 * times or rates) is an EngineError INVALID_REQUEST whose message gives the line, column and
 * character offset, because a caller has to find the mistake in a prompt they wrote.
 */
export function parseSsml(ssml: string, engine: string): SpeechSegment[] {
  return new SsmlParser(ssml, engine).parse();
}

class SsmlParser {
  private readonly segments: SpeechSegment[] = [];
  private readonly stack: OpenElement[] = [];
  private text = '';
  private textRate = 1;
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly engine: string,
  ) {}

  parse(): SpeechSegment[] {
    const src = this.src;
    while (this.pos < src.length) {
      const lt = src.indexOf('<', this.pos);
      const end = lt === -1 ? src.length : lt;
      if (end > this.pos) this.addText(this.decode(this.pos, end));
      this.pos = end;
      if (lt !== -1) this.markup();
    }
    const open = this.stack.at(-1);
    if (open !== undefined) this.fail(`<${open.name}> is never closed`, open.offset);
    this.flushText();
    return this.segments;
  }

  private markup(): void {
    const src = this.src;
    const at = this.pos;
    if (src.startsWith('<!--', at)) {
      this.pos = this.skipPast('-->', at, 'comment');
    } else if (src.startsWith('<![CDATA[', at)) {
      const close = this.skipPast(']]>', at, 'CDATA section');
      this.addText(src.slice(at + 9, close - 3));
      this.pos = close;
    } else if (src.startsWith('<?', at)) {
      this.pos = this.skipPast('?>', at, 'processing instruction');
    } else if (src.startsWith('<!', at)) {
      // A DOCTYPE carries nothing we speak.
      this.pos = this.skipPast('>', at, 'declaration');
    } else if (src.startsWith('</', at)) {
      this.endTag(at);
    } else {
      this.startTag(at);
    }
  }

  private startTag(at: number): void {
    this.pos = at + 1;
    const name = this.name('tag name');
    const attributes = new Map<string, string>();
    for (;;) {
      const hadSpace = this.skipSpace();
      const ch = this.src[this.pos];
      if (ch === undefined) this.fail(`<${name}> is not terminated`, at);
      if (ch === '>' || (ch === '/' && this.src[this.pos + 1] === '>')) {
        this.pos += ch === '>' ? 1 : 2;
        this.open(name, attributes, at, ch === '/');
        return;
      }
      if (!hadSpace) this.fail(`expected whitespace, ">" or "/>" in <${name}>`, this.pos);
      const attrAt = this.pos;
      const attr = this.name('attribute name');
      this.skipSpace();
      if (this.src[this.pos] !== '=') this.fail(`attribute ${attr} has no value`, this.pos);
      this.pos++;
      this.skipSpace();
      const quote = this.src[this.pos];
      if (quote !== '"' && quote !== "'") this.fail(`value of ${attr} must be quoted`, this.pos);
      const close = this.src.indexOf(quote, this.pos + 1);
      if (close === -1) this.fail(`value of ${attr} is not terminated`, this.pos);
      if (attributes.has(attr)) this.fail(`duplicate attribute ${attr}`, attrAt);
      const valueAt = this.pos + 1;
      if (this.src.slice(valueAt, close).includes('<')) this.fail(`"<" in the value of ${attr}`, valueAt);
      attributes.set(attr, this.decode(valueAt, close));
      this.pos = close + 1;
    }
  }

  private endTag(at: number): void {
    this.pos = at + 2;
    const name = this.name('tag name');
    this.skipSpace();
    if (this.src[this.pos] !== '>') this.fail(`</${name}> is not terminated`, at);
    this.pos++;
    const open = this.stack.pop();
    if (open === undefined) this.fail(`</${name}> closes nothing`, at);
    if (open.name !== name) this.fail(`</${name}> closes <${open.name}> opened at offset ${open.offset}`, at);
    if (open.replace !== undefined) {
      const { sayAs, alias, content } = open.replace;
      const spoken = alias ?? (sayAs === undefined ? content : expandSayAs(content, sayAs));
      this.addText(`${PAD}${spoken}${PAD}`);
    }
    if (name === 'p' || name === 's') this.flushText();
  }

  private open(name: string, attributes: Map<string, string>, at: number, selfClosing: boolean): void {
    const parentRate = this.stack.at(-1)?.rate ?? 1;
    if (this.inReplacedContent()) {
      // Markup inside <say-as> or <sub> has no meaning for us; its text still counts.
      if (!selfClosing) this.stack.push({ name, offset: at, rate: parentRate });
      return;
    }
    let element: OpenElement = { name, offset: at, rate: parentRate };
    switch (name) {
      case 'break':
        this.addBreak(this.breakMs(attributes, at));
        break;
      case 'prosody': {
        const rate = attributes.get('rate');
        if (rate !== undefined) element = { ...element, rate: parentRate * this.rate(rate, at) };
        break;
      }
      case 'say-as': {
        const sayAs = SAY_AS[(attributes.get('interpret-as') ?? '').toLowerCase()];
        // An interpret-as we do not expand (date, time…) is left to the engine's own reading.
        if (sayAs !== undefined) element = { ...element, replace: { sayAs, content: '' } };
        break;
      }
      case 'sub': {
        const alias = attributes.get('alias');
        if (alias !== undefined) element = { ...element, replace: { alias, content: '' } };
        break;
      }
      case 'p':
      case 's':
        this.flushText();
        break;
    }
    if (!selfClosing) this.stack.push(element);
  }

  private breakMs(attributes: Map<string, string>, at: number): number {
    const time = attributes.get('time');
    if (time !== undefined) {
      const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/i.exec(time);
      if (match === null) this.fail(`break time "${time}" is not like "300ms" or "1.5s"`, at);
      const ms = Number(match[1]) * (match[2]!.toLowerCase() === 's' ? 1000 : 1);
      if (ms > MAX_BREAK_MS) this.fail(`break time "${time}" is over ${MAX_BREAK_MS} ms`, at);
      return Math.round(ms);
    }
    const strength = attributes.get('strength') ?? 'medium';
    const ms = BREAK_STRENGTH_MS[strength.toLowerCase()];
    if (ms === undefined) this.fail(`break strength "${strength}" is unknown`, at);
    return ms;
  }

  private rate(value: string, at: number): number {
    const v = value.trim().toLowerCase();
    const keyword = RATE_KEYWORDS[v];
    if (keyword !== undefined) return keyword;
    const percent = /^([+-]?)(\d+(?:\.\d+)?)%$/.exec(v);
    let rate = NaN;
    if (percent !== null) {
      // SSML 1.1: a signed percentage is a change ("+10%"), an unsigned one a ratio ("80%").
      const p = Number(percent[2]) / 100;
      rate = percent[1] === '+' ? 1 + p : percent[1] === '-' ? 1 - p : p;
    } else if (/^\d+(\.\d+)?$/.test(v)) {
      rate = Number(v);
    }
    if (!(rate > 0)) this.fail(`prosody rate "${value}" is not a keyword, percentage or positive number`, at);
    return rate;
  }

  private inReplacedContent(): boolean {
    return this.stack.some((e) => e.replace !== undefined);
  }

  private addText(text: string): void {
    const replaced = this.stack.findLast((e) => e.replace !== undefined);
    if (replaced !== undefined) {
      replaced.replace!.content += text;
      return;
    }
    const rate = this.stack.at(-1)?.rate ?? 1;
    if (rate !== this.textRate) {
      this.flushText();
      this.textRate = rate;
    }
    this.text += text;
  }

  private flushText(): void {
    // Replacements are padded so "PIN<say-as…>12</say-as>" does not run words together, but a
    // pad before punctuation would detach it from the last word ("four two ."), so that one goes.
    const text = this.text
      .replace(new RegExp(`${PAD}+(?=[.,!?;:])`, 'g'), '')
      .replaceAll(PAD, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    this.text = '';
    if (text.length > 0) this.segments.push({ kind: 'text', text, rate: this.textRate });
  }

  private addBreak(durationMs: number): void {
    this.flushText();
    const last = this.segments.at(-1);
    // Adjacent pauses are one pause; keeping them apart would only add frame bookkeeping.
    if (last?.kind === 'break')
      this.segments[this.segments.length - 1] = { kind: 'break', durationMs: last.durationMs + durationMs };
    else if (durationMs > 0) this.segments.push({ kind: 'break', durationMs });
  }

  /** Replaces entities in src[from, to); text itself may not contain a bare "&". */
  private decode(from: number, to: number): string {
    const raw = this.src.slice(from, to);
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;&\s]{0,12});?/g, (match, name: string, index: number) => {
      const at = from + index;
      if (!match.endsWith(';')) this.fail('"&" must start an entity like &amp;', at);
      const named = ENTITIES[name];
      if (named !== undefined) return named;
      const numeric = /^#(?:x([0-9a-f]{1,6})|([0-9]{1,7}))$/i.exec(name);
      const code =
        numeric === null ? NaN : numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
      if (!(code > 0 && code <= 0x10ffff)) this.fail(`unknown entity &${name};`, at);
      return String.fromCodePoint(code);
    });
  }

  private name(what: string): string {
    const match = /^[A-Za-z_][\w.:-]*/.exec(this.src.slice(this.pos, this.pos + 100));
    if (match === null) this.fail(`expected a ${what}`, this.pos);
    this.pos += match[0].length;
    // SSML is case-sensitive XML, but hand-written prompts say <Break> too; being lenient costs
    // nothing because no two tags we know differ only in case.
    return match[0].toLowerCase();
  }

  private skipSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
    return this.pos > start;
  }

  private skipPast(terminator: string, at: number, what: string): number {
    const end = this.src.indexOf(terminator, at);
    if (end === -1) this.fail(`${what} is not terminated`, at);
    return end + terminator.length;
  }

  private fail(message: string, offset: number): never {
    const before = this.src.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    throw new EngineError(
      this.engine,
      'INVALID_REQUEST',
      `invalid SSML: ${message} at line ${line}, column ${column} (offset ${offset})`,
    );
  }
}
