/*
 * SIP over a stream, RFC 3261 §18.3 and §7.5:
 *
 *   stream  = *( keep-alive / SIP-message )
 *   keep-alive = CRLF CRLF (ping) / CRLF (pong)            ; RFC 5626 §3.5.1
 *   SIP-message = start-line *( message-header ) CRLF message-body
 *                 ; the body is exactly Content-Length octets, and on a stream
 *                 ; Content-Length MUST be present (RFC 3261 §18.3, §20.14)
 *
 * The framer cuts a byte stream into whole messages without parsing them; parseMessage does the
 * rest. It holds at most one message (bounded by maxMessageBytes) plus one chunk in memory.
 */
import { ParseError } from '../../core/index.js';

const CR = 0x0d;
const LF = 0x0a;

export const SIP_STREAM_MAX_MESSAGE_BYTES = 65536;

export interface SipStreamFramerOptions {
  /** Largest message (headers and body) accepted; default 64 KB. */
  readonly maxMessageBytes?: number;
}

export interface SipFramedChunk {
  /** Whole messages, in stream order, each its own copy. */
  readonly messages: Uint8Array[];
  /** RFC 5626 §3.5.1 pings (CRLFCRLF between messages) seen; each is owed a CRLF pong. */
  readonly pings: number;
  /** Set once the stream cannot be framed any more; the connection must be closed. */
  readonly error?: ParseError;
}

const latin1 = new TextDecoder('latin1');

/** Cuts a SIP byte stream into whole messages by Content-Length. */
export class SipStreamFramer {
  readonly #maxBytes: number;
  #buffer: Uint8Array = new Uint8Array(0);
  /** Where the CRLFCRLF search resumes, so that tiny chunks do not rescan the headers. */
  #scanFrom = 0;
  /** Stream offset of #buffer[0], for error offsets. */
  #consumed = 0;
  /** CRLFs seen in a row between messages. */
  #crlfRun = 0;
  #error: ParseError | undefined;

  constructor(options: SipStreamFramerOptions = {}) {
    this.#maxBytes = options.maxMessageBytes ?? SIP_STREAM_MAX_MESSAGE_BYTES;
  }

  /** Bytes held for a message not yet complete. */
  get bufferedBytes(): number {
    return this.#buffer.length;
  }

  /** Whether a framing error has ended this stream. */
  get failed(): boolean {
    return this.#error !== undefined;
  }

  push(chunk: Uint8Array): SipFramedChunk {
    if (this.#error) return { messages: [], pings: 0, error: this.#error };
    this.#append(chunk);
    const messages: Uint8Array[] = [];
    let pings = 0;
    for (;;) {
      // RFC 5626 §3.5.1 / RFC 3261 §7.5: CRLFs between messages are keep-alives, not messages.
      let skip = 0;
      while (this.#buffer[skip] === CR && this.#buffer[skip + 1] === LF) {
        skip += 2;
        this.#crlfRun++;
        if (this.#crlfRun === 2) {
          pings++;
          this.#crlfRun = 0;
        }
      }
      if (skip > 0) this.#drop(skip);
      if (this.#buffer.length === 0 || (this.#buffer.length === 1 && this.#buffer[0] === CR)) break;
      this.#crlfRun = 0;
      const framed = this.#next();
      if (framed === undefined) break;
      if (framed instanceof ParseError) return { messages, pings, error: framed };
      messages.push(framed);
    }
    return { messages, pings };
  }

  #append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    this.#buffer = joined;
  }

  #drop(n: number): void {
    this.#buffer = this.#buffer.subarray(n);
    this.#consumed += n;
    this.#scanFrom = Math.max(0, this.#scanFrom - n);
  }

  #fail(message: string, offset: number): ParseError {
    const error = new ParseError(message, this.#consumed + offset);
    this.#error = error;
    this.#buffer = new Uint8Array(0);
    return error;
  }

  /** One whole message from the front of the buffer, undefined when more bytes are needed. */
  #next(): Uint8Array | ParseError | undefined {
    const buf = this.#buffer;
    const headEnd = indexOfCrlfCrlf(buf, this.#scanFrom, this.#maxBytes);
    if (headEnd < 0) {
      if (buf.length >= this.#maxBytes) {
        return this.#fail(`headers longer than ${this.#maxBytes} bytes`, this.#maxBytes);
      }
      this.#scanFrom = Math.max(0, buf.length - 3);
      return undefined;
    }
    const length = contentLength(latin1.decode(buf.subarray(0, headEnd)));
    if (length === undefined) {
      // RFC 3261 §18.3: on a stream the Content-Length header field MUST be used.
      return this.#fail('message on a stream without Content-Length', 0);
    }
    if (length === 'bad') return this.#fail('bad Content-Length on a stream', 0);
    const total = headEnd + 4 + length;
    if (total > this.#maxBytes) return this.#fail(`message larger than ${this.#maxBytes} bytes`, 0);
    if (buf.length < total) {
      this.#scanFrom = headEnd;
      return undefined;
    }
    const message = buf.slice(0, total);
    this.#scanFrom = 0;
    this.#drop(total);
    return message;
  }
}

/** Index of the first CRLFCRLF at or after `from`, looking no further than `limit`; -1 if none. */
function indexOfCrlfCrlf(buf: Uint8Array, from: number, limit: number): number {
  const end = Math.min(buf.length, limit) - 3;
  for (let i = from; i < end; i++) {
    if (buf[i] === CR && buf[i + 1] === LF && buf[i + 2] === CR && buf[i + 3] === LF) return i;
  }
  return -1;
}

/**
 * The Content-Length of a header block (start line included): the first `Content-Length` or
 * compact `l` header, undefined when absent, 'bad' when not a decimal number.
 */
function contentLength(head: string): number | 'bad' | undefined {
  // Folded continuation lines (§7.3.1) join the header above them before we look.
  const lines = head.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name !== 'content-length' && name !== 'l') continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d{1,10}$/.test(value)) return 'bad';
    return Number(value);
  }
  return undefined;
}
