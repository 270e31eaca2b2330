/*
 * Content-Type value, RFC 2045 §5.1:
 *
 *   content   := "Content-Type" ":" type "/" subtype *(";" parameter)
 *   parameter := attribute "=" value
 *   value     := token / quoted-string
 *
 * Type, subtype and attribute names are case-insensitive and returned in lower case; parameter
 * values keep their case (a multipart boundary is case-sensitive).
 */
import { ParseError } from '../../core/index.js';

/** A parsed `type/subtype; name=value` media type. */
export interface MediaType {
  /** Lower case, e.g. `multipart`. */
  readonly type: string;
  /** Lower case, e.g. `mixed`. */
  readonly subtype: string;
  /** `type/subtype` in lower case. */
  readonly essence: string;
  /** Parameter names in lower case; quoted values are unquoted. */
  readonly parameters: ReadonlyMap<string, string>;
}

/** A header value longer than this is not a media type anyone sends. */
const MAX_MEDIA_TYPE_CHARS = 4096;
const MAX_PARAMETERS = 32;
// RFC 2045 §5.1: token := 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials>.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses a Content-Type value. `offset` is added to error offsets so a caller can point into the
 * message the value came from.
 */
export function parseMediaType(value: string, offset = 0): MediaType {
  if (value.length > MAX_MEDIA_TYPE_CHARS) {
    throw new ParseError('media type too long', offset);
  }
  let i = 0;
  const skipSpace = (): void => {
    while (i < value.length && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < value.length && TOKEN.test(value[i] ?? '')) i++;
    return value.slice(start, i);
  };
  skipSpace();
  const type = readToken().toLowerCase();
  if (type === '' || value[i] !== '/') {
    throw new ParseError('media type without type/subtype', offset + i);
  }
  i++;
  const subtype = readToken().toLowerCase();
  if (subtype === '') {
    throw new ParseError('media type without subtype', offset + i);
  }
  const parameters = new Map<string, string>();
  skipSpace();
  while (i < value.length) {
    if (value[i] !== ';') {
      throw new ParseError('expected ";" between media type parameters', offset + i);
    }
    i++;
    skipSpace();
    // A trailing ";" is common in the wild and harmless.
    if (i >= value.length) break;
    const name = readToken().toLowerCase();
    if (name === '' || value[i] !== '=') {
      throw new ParseError('media type parameter without name=value', offset + i);
    }
    i++;
    let paramValue: string;
    if (value[i] === '"') {
      // RFC 822 §3.3 quoted-string: a backslash quotes the next character.
      i++;
      let text = '';
      for (;;) {
        const c = value[i];
        if (c === undefined) throw new ParseError('unterminated quoted string', offset + i);
        i++;
        if (c === '"') break;
        if (c === '\\') {
          const next = value[i];
          if (next === undefined) throw new ParseError('unterminated quoted string', offset + i);
          text += next;
          i++;
        } else {
          text += c;
        }
      }
      paramValue = text;
    } else {
      paramValue = readToken();
      if (paramValue === '') {
        throw new ParseError('media type parameter without value', offset + i);
      }
    }
    if (parameters.size >= MAX_PARAMETERS) {
      throw new ParseError('too many media type parameters', offset + i);
    }
    // The first occurrence wins, as in most MIME readers.
    if (!parameters.has(name)) parameters.set(name, paramValue);
    skipSpace();
  }
  return { type, subtype, essence: `${type}/${subtype}`, parameters };
}

/** Formats a parameter value as a token when it is one, else as a quoted string. */
export function formatParameterValue(value: string): string {
  if (TOKEN.test(value)) return value;
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
