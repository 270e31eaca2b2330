/*
 * Writes a multipart/mixed body (RFC 2046 §5.1.1): no preamble, CRLF line breaks, each part's
 * headers, an empty line, its octets, and the close delimiter followed by CRLF.
 */
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../../core/index.js';
import { formatParameterValue } from './parse-media-type.js';
import type { MultipartHeader } from './parse-multipart.js';

/** A part to write. Without a Content-Type header in `headers`, one is written from `contentType`. */
export interface MultipartPartInput {
  readonly headers?: readonly MultipartHeader[];
  /** Content-Type value, parameters allowed (e.g. `application/sdp`). */
  readonly contentType: string;
  readonly body: Uint8Array;
}

export interface BuiltMultipart {
  /** The Content-Type header value for the message: `multipart/mixed;boundary=...`. */
  readonly contentType: string;
  readonly body: Uint8Array;
}

export interface BuildMultipartOptions {
  /** Use this boundary instead of a random one; it must not occur in any part. */
  readonly boundary?: string;
}

const encoder = new TextEncoder();

/** Builds a multipart/mixed body whose parts parseMultipart returns unchanged. */
export function buildMultipart(
  parts: readonly MultipartPartInput[],
  options: BuildMultipartOptions = {},
): BuiltMultipart {
  if (parts.length === 0) {
    throw new InvalidArgumentError('a multipart body needs at least one part');
  }
  const boundary = options.boundary ?? freshBoundary(parts);
  if (!/^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(boundary)) {
    // RFC 2046 §5.1.1 bchars, 1..70 characters, not ending in a space.
    throw new InvalidArgumentError(`invalid multipart boundary: ${JSON.stringify(boundary)}`);
  }
  if (parts.some((part) => containsDelimiter(part.body, boundary))) {
    throw new InvalidArgumentError('the boundary occurs inside a part');
  }
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\n`;
    const headers = part.headers ?? [];
    if (!headers.some((h) => h.name.toLowerCase() === 'content-type')) {
      head += headerLine('Content-Type', part.contentType);
    }
    for (const header of headers) head += headerLine(header.name, header.value);
    chunks.push(encoder.encode(`${head}\r\n`), part.body, encoder.encode('\r\n'));
  }
  chunks.push(encoder.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return { contentType: `multipart/mixed;boundary=${formatParameterValue(boundary)}`, body };
}

function headerLine(name: string, value: string): string {
  if (!/^[!-9;-~]+$/.test(name) || /[\r\n]/.test(value)) {
    throw new InvalidArgumentError(`invalid part header: ${JSON.stringify(name)}`);
  }
  return `${name}: ${value}\r\n`;
}

function freshBoundary(parts: readonly MultipartPartInput[]): string {
  // 96 random bits make a collision with part content practically impossible; the loop makes it
  // impossible.
  for (;;) {
    const boundary = `vb-${randomBytes(12).toString('hex')}`;
    if (!parts.some((part) => containsDelimiter(part.body, boundary))) return boundary;
  }
}

/** True when "--boundary" occurs in the part at all (stricter than a line start check). */
function containsDelimiter(body: Uint8Array, boundary: string): boolean {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).includes(`--${boundary}`, 0, 'latin1');
}
