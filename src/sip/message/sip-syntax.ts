/*
 * Lexical rules shared by the SIP header and URI parsers, RFC 3261 §25.1:
 *
 *   token       = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
 *   LWS         = [*WSP CRLF] 1*WSP        ; folded lines are unfolded before we get here
 *   SWS         = [LWS]
 *   quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE
 *   qdtext      = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII
 *   quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
 *   generic-param = token [ EQUAL gen-value ]
 *   gen-value   = token / host / quoted-string
 *
 * Every function here works on one unfolded header value and reports problems as ParseError at
 * `base + index`, clamped to `limit`, so that offsets stay inside the message being parsed.
 */
import { ParseError } from '../../core/index.js';

/** A `;name=value` parameter. `value` is undefined for a bare name such as `;lr` or `;rport`. */
export interface SipParam {
  readonly name: string;
  readonly value?: string;
}

const TOKEN_MARKS = "-.!%*_+`'~";

export function isTokenChar(c: string): boolean {
  const code = c.charCodeAt(0);
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    (c.length === 1 && TOKEN_MARKS.includes(c))
  );
}

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (const c of s) if (!isTokenChar(c)) return false;
  return true;
}

export function isWsp(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** A position in one header value, with the byte offset of the value inside the message. */
export class Cursor {
  pos = 0;

  constructor(
    readonly text: string,
    private readonly base = 0,
    private readonly limit = Number.MAX_SAFE_INTEGER,
  ) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.pos];
  }

  fail(message: string, at = this.pos): never {
    throw new ParseError(message, Math.min(this.base + at, this.limit));
  }

  skipWs(): void {
    while (isWsp(this.text[this.pos])) this.pos++;
  }

  /** Consumes `c` (after optional whitespace) or fails. */
  expect(c: string, what: string): void {
    this.skipWs();
    if (this.text[this.pos] !== c) this.fail(`expected ${what}`);
    this.pos++;
  }

  token(what: string): string {
    const start = this.pos;
    while (this.pos < this.text.length && isTokenChar(this.text[this.pos]!)) this.pos++;
    if (this.pos === start) this.fail(`expected ${what}`);
    return this.text.slice(start, this.pos);
  }

  /** Reads a quoted-string at the cursor (which is on the opening quote) and returns its content. */
  quoted(): string {
    const open = this.pos;
    this.pos++;
    let out = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') {
        const next = this.text[this.pos + 1];
        // RFC 3261 §25.1: quoted-pair escapes any octet except CR and LF.
        if (next === undefined || next === '\r' || next === '\n') this.fail('bad quoted-pair');
        out += next;
        this.pos += 2;
        continue;
      }
      if (c === '\r' || c === '\n') this.fail('line break inside a quoted string');
      out += c;
      this.pos++;
    }
    return this.fail('unterminated quoted string', open);
  }

  /**
   * Reads `*( SEMI generic-param )`. Parameter values are token, host (IPv6 brackets and colons
   * included) or quoted-string; quoted values are returned without quotes and escapes.
   */
  params(): SipParam[] {
    const params: SipParam[] = [];
    for (;;) {
      const save = this.pos;
      this.skipWs();
      if (this.text[this.pos] !== ';') {
        this.pos = save;
        return params;
      }
      this.pos++;
      this.skipWs();
      const name = this.token('a parameter name');
      const afterName = this.pos;
      this.skipWs();
      if (this.text[this.pos] !== '=') {
        this.pos = afterName;
        params.push({ name });
        continue;
      }
      this.pos++;
      this.skipWs();
      if (this.text[this.pos] === '"') {
        params.push({ name, value: this.quoted() });
        continue;
      }
      const start = this.pos;
      while (this.pos < this.text.length) {
        const c = this.text[this.pos]!;
        if (!isTokenChar(c) && c !== ':' && c !== '[' && c !== ']') break;
        this.pos++;
      }
      if (this.pos === start) this.fail(`empty value for parameter ${name}`);
      params.push({ name, value: this.text.slice(start, this.pos) });
    }
  }

  /** Fails unless only whitespace is left. */
  end(what: string): void {
    this.skipWs();
    if (!this.done) this.fail(`unexpected characters after ${what}`);
  }
}

/** The value of the first parameter called `name` (case-insensitive); null for a bare name. */
export function paramValue(params: readonly SipParam[], name: string): string | null | undefined {
  const lower = name.toLowerCase();
  for (const p of params) if (p.name.toLowerCase() === lower) return p.value ?? null;
  return undefined;
}

/** Quotes `s` as a quoted-string when it is not a token sequence that can stand bare. */
export function quoteString(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export function serializeParams(params: readonly SipParam[]): string {
  let out = '';
  for (const p of params) {
    out += `;${p.name}`;
    if (p.value !== undefined) out += `=${needsQuotes(p.value) ? quoteString(p.value) : p.value}`;
  }
  return out;
}

function needsQuotes(value: string): boolean {
  if (value.length === 0) return true;
  for (const c of value) if (!isTokenChar(c) && c !== ':' && c !== '[' && c !== ']') return true;
  return false;
}

/** Parses a decimal run of at most `maxDigits` digits; fails on anything else. */
export function parseDecimal(cur: Cursor, what: string, max: number): number {
  const start = cur.pos;
  while (cur.pos < cur.text.length) {
    const code = cur.text.charCodeAt(cur.pos);
    if (code < 0x30 || code > 0x39) break;
    cur.pos++;
  }
  if (cur.pos === start) cur.fail(`expected ${what}`);
  // Leading zeros are legal (RFC 4475 §3.1.1.1 sends "0068"); strip them before the length check
  // so that huge values are rejected without building a huge number.
  const digits = cur.text.slice(start, cur.pos).replace(/^0+(?=\d)/, '');
  if (digits.length > 16 || Number(digits) > max) cur.fail(`${what} is larger than ${max}`, start);
  return Number(digits);
}
