/*
 * multipart body, RFC 2046 §5.1.1 (simplified):
 *
 *   multipart-body := [preamble CRLF]
 *                     dash-boundary transport-padding CRLF
 *                     body-part *encapsulation
 *                     close-delimiter transport-padding
 *                     [CRLF epilogue]
 *   dash-boundary  := "--" boundary
 *   encapsulation  := delimiter transport-padding CRLF body-part
 *   delimiter      := CRLF dash-boundary
 *   close-delimiter := delimiter "--"
 *   body-part      := MIME-part-headers [CRLF *OCTET]
 *
 * The CRLF before a delimiter belongs to the delimiter, not to the part before it. We also
 * accept a bare LF wherever CRLF is required, because SIP stacks and hand-written test tools
 * emit them.
 *
 * Lenient where deployed SIPREC clients need it (issue 10): a body that ends without the close
 * delimiter (Cisco, SEMS and Ribbon/Sonus bodies as an open-source SRS stores them in its tests)
 * ends its last part at the end of the body, as lenient MIME readers do; so does a body whose last
 * delimiter lacks the closing "--" and has nothing after it. Never lenient on what costs memory or
 * time: the number of parts, header lines per part and bytes of each part's header section are
 * capped, and no size a part declares (a Content-Length inside a part, say) is ever read, so
 * every part body is a view into the bytes we were given.
 */
import { ParseError } from '../../core/index.js';
import { parseMediaType } from './parse-media-type.js';

/** One header line of a body part, name as sent, value with folding undone and trimmed. */
export interface MultipartHeader {
  readonly name: string;
  readonly value: string;
}

/** One body part. */
export interface MultipartPart {
  /** In the order sent, for round trips. */
  readonly headers: readonly MultipartHeader[];
  /**
   * Lower-case `type/subtype` of the part's Content-Type, without parameters; `text/plain` when
   * the part has none (RFC 2046 §5.1: the default in multipart/mixed).
   */
  readonly contentType: string;
  /** The part's octets: a view into the parsed body, never a copy. */
  readonly body: Uint8Array;
}

export interface ParseMultipartOptions {
  /** Parts beyond this are a ParseError. Default 16: a SIPREC offer has 2. */
  readonly maxParts?: number;
  /** Header lines per part beyond this are a ParseError. Default 32. */
  readonly maxHeadersPerPart?: number;
  /**
   * Bytes of one part's header section (folded continuation lines included) beyond this are a
   * ParseError. Default 16384: a SIPREC part has two or three short headers.
   */
  readonly maxHeaderBytesPerPart?: number;
}

const DEFAULT_MAX_PARTS = 16;
const DEFAULT_MAX_HEADERS = 32;
const DEFAULT_MAX_HEADER_BYTES = 16384;
const MAX_HEADER_LINE_BYTES = 8192;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const DASH = 0x2d;

/** Returns the boundary of a `multipart/*` Content-Type value, or throws ParseError. */
export function multipartBoundary(contentType: string): string {
  const mediaType = parseMediaType(contentType);
  if (mediaType.type !== 'multipart') {
    throw new ParseError(`not a multipart body: ${mediaType.essence}`, 0);
  }
  const boundary = mediaType.parameters.get('boundary');
  // RFC 2046 §5.1.1: boundary := 0*69<bchars> bcharsnospace, so 1..70 characters.
  if (boundary === undefined || boundary.length === 0 || boundary.length > 70) {
    throw new ParseError('multipart Content-Type without a valid boundary', 0);
  }
  if (!/^[\x20-\x7e]+$/.test(boundary)) {
    throw new ParseError('multipart boundary with non-printable characters', 0);
  }
  return boundary;
}

/**
 * Splits a `multipart/*` body into its parts. Preamble and epilogue are ignored. Nested multipart
 * parts are returned as they are (call parseMultipart again on their body).
 */
export function parseMultipart(
  body: Uint8Array,
  contentType: string,
  options: ParseMultipartOptions = {},
): MultipartPart[] {
  const boundary = multipartBoundary(contentType);
  const maxParts = options.maxParts ?? DEFAULT_MAX_PARTS;
  const limits: PartLimits = {
    maxHeaders: options.maxHeadersPerPart ?? DEFAULT_MAX_HEADERS,
    maxHeaderBytes: options.maxHeaderBytesPerPart ?? DEFAULT_MAX_HEADER_BYTES,
  };
  const dashBoundary = Uint8Array.from(`--${boundary}`, (c) => c.charCodeAt(0));

  const first = findDelimiter(body, dashBoundary, 0);
  if (first === null) {
    throw new ParseError('multipart body without its boundary', 0);
  }
  if (first.close) {
    throw new ParseError('multipart body closes before its first part', first.lineStart);
  }
  if (onlyWhitespaceFrom(body, first.next)) {
    throw new ParseError('multipart body without a part after its boundary', first.lineStart);
  }
  const parts: MultipartPart[] = [];
  let partStart = first.next;
  for (;;) {
    const delimiter = findDelimiter(body, dashBoundary, partStart);
    if (parts.length >= maxParts) {
      throw new ParseError(`more than ${maxParts} multipart parts`, partStart);
    }
    // No close delimiter (RFC 2046 §5.1.1 requires one): the end of the body ends the last part.
    // Its final line break is kept, because without a delimiter nothing says it is not content.
    parts.push(parsePart(body, partStart, delimiter?.partEnd ?? body.length, limits));
    if (delimiter === null || delimiter.close) return parts;
    partStart = delimiter.next;
    // A delimiter without "--" followed by nothing (or only line breaks and padding) is taken as
    // the close delimiter: an empty part after it would be an artifact, not content.
    if (onlyWhitespaceFrom(body, partStart)) return parts;
  }
}

interface PartLimits {
  readonly maxHeaders: number;
  readonly maxHeaderBytes: number;
}

function onlyWhitespaceFrom(body: Uint8Array, from: number): boolean {
  for (let i = from; i < body.length; i++) {
    const b = body[i];
    if (b !== CR && b !== LF && b !== SPACE && b !== TAB) return false;
  }
  return true;
}

interface Delimiter {
  /** Offset of the "--boundary" text. */
  readonly lineStart: number;
  /** End of the preceding part: the line break before the delimiter is not part of it. */
  readonly partEnd: number;
  /** First octet after the delimiter line. */
  readonly next: number;
  readonly close: boolean;
}

/** Finds the next delimiter line at or after `from`, or null. */
function findDelimiter(body: Uint8Array, dashBoundary: Uint8Array, from: number): Delimiter | null {
  let i = from;
  while (i + dashBoundary.length <= body.length) {
    const at = indexOf(body, dashBoundary, i);
    if (at < 0) return null;
    // RFC 2046 §5.1.1: a delimiter starts a line (or the body).
    const atLineStart = at === 0 || body[at - 1] === LF;
    if (atLineStart) {
      const parsed = delimiterLine(body, at, dashBoundary.length);
      if (parsed !== null) {
        let partEnd = at;
        if (at > from && body[at - 1] === LF) {
          partEnd = at - 1;
          if (partEnd > from && body[partEnd - 1] === CR) partEnd--;
        }
        return { lineStart: at, partEnd: Math.max(partEnd, from), ...parsed };
      }
    }
    i = at + 1;
  }
  return null;
}

/**
 * Checks the rest of a line that starts with the dash-boundary: optional "--", transport padding
 * (we also accept trailing whitespace of any kind the RFC calls LWSP), then a line break or the
 * end of the body (a close delimiter may end the body without CRLF; so, leniently, may a
 * delimiter without its "--", which parseMultipart then takes as the close).
 */
function delimiterLine(
  body: Uint8Array,
  at: number,
  length: number,
): { next: number; close: boolean } | null {
  let i = at + length;
  let close = false;
  if (body[i] === DASH && body[i + 1] === DASH) {
    close = true;
    i += 2;
  }
  while (body[i] === SPACE || body[i] === TAB) i++;
  if (i >= body.length) return { next: i, close };
  if (body[i] === CR && body[i + 1] === LF) return { next: i + 2, close };
  if (body[i] === LF) return { next: i + 1, close };
  // A close delimiter followed by anything is still a close delimiter: the rest is epilogue.
  return close ? { next: i, close } : null;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  const last = haystack.length - needle.length;
  outer: for (let i = haystack.indexOf(first ?? 0, from); i >= 0 && i <= last;) {
    for (let j = 1; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) {
        i = haystack.indexOf(first ?? 0, i + 1);
        continue outer;
      }
    }
    return i;
  }
  return -1;
}

/** RFC 2046 §5.1: body-part := MIME-part-headers [CRLF *OCTET]. */
function parsePart(body: Uint8Array, start: number, end: number, limits: PartLimits): MultipartPart {
  const { maxHeaders, maxHeaderBytes } = limits;
  const headers: MultipartHeader[] = [];
  // Where each header's value starts, so a bad Content-Type is reported where it is.
  const valueOffsets: number[] = [];
  let i = start;
  let bodyStart = end;
  while (i < end) {
    let lineEnd = body.indexOf(LF, i);
    if (lineEnd < 0 || lineEnd >= end) lineEnd = end;
    const contentEnd = lineEnd > i && body[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    if (contentEnd === i) {
      // The empty line that ends the headers.
      bodyStart = Math.min(lineEnd + 1, end);
      break;
    }
    if (contentEnd - i > MAX_HEADER_LINE_BYTES) {
      throw new ParseError('part header line too long', i);
    }
    // Folded lines do not count as header lines, so the section's bytes are capped as well: this
    // bounds the unfolded values we build (and the time spent building them).
    if (contentEnd - start > maxHeaderBytes) {
      throw new ParseError(`part header section longer than ${maxHeaderBytes} bytes`, i);
    }
    const line = latin1(body, i, contentEnd);
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // RFC 5322 §2.2.3: a line starting with whitespace continues the previous header.
      const previous = headers.pop();
      if (previous === undefined) throw new ParseError('part starts with a folded line', i);
      headers.push({ name: previous.name, value: `${previous.value} ${line.trim()}`.trim() });
    } else {
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon).trim() : '';
      if (name === '' || !/^[!-9;-~]+$/.test(name)) {
        throw new ParseError('malformed part header line', i);
      }
      if (headers.length >= maxHeaders) {
        throw new ParseError(`more than ${maxHeaders} part headers`, i);
      }
      const rawValue = line.slice(colon + 1);
      valueOffsets.push(i + colon + 1 + (rawValue.length - rawValue.trimStart().length));
      headers.push({ name, value: rawValue.trim() });
    }
    i = lineEnd + 1;
    bodyStart = end;
  }
  const contentTypeIndex = headers.findIndex((h) => h.name.toLowerCase() === 'content-type');
  const contentTypeHeader = headers[contentTypeIndex];
  const contentType =
    contentTypeHeader === undefined
      ? 'text/plain'
      : parseMediaType(contentTypeHeader.value, valueOffsets[contentTypeIndex] ?? start).essence;
  return { headers, contentType, body: body.subarray(bodyStart, end) };
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i] ?? 0);
  return s;
}

/** The value of the first header called `name` (case-insensitive), or null. */
export function partHeader(part: MultipartPart, name: string): string | null {
  const wanted = name.toLowerCase();
  return part.headers.find((h) => h.name.toLowerCase() === wanted)?.value ?? null;
}
