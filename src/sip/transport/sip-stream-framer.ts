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

/** How much work the framer did, for tests that check it stays linear in the bytes fed. */
export interface SipStreamFramerWork {
  /** Bytes copied into or within the buffer (appends and compactions; not the messages out). */
  readonly bytesCopied: number;
  /** Bytes examined while looking for the end of a header block. */
  readonly bytesScanned: number;
  /** Header blocks decoded to read Content-Length (once per message). */
  readonly headersRead: number;
}

const latin1 = new TextDecoder('latin1');

/**
 * Cuts a SIP byte stream into whole messages by Content-Length.
 *
 * Work is linear in the bytes fed, however they are split: the buffer grows by doubling (each
 * byte is copied O(1) times on average), the CRLFCRLF search resumes where it stopped, and a
 * message's header block is decoded once, when its end is first seen. A peer that feeds 64 KB a
 * byte at a time therefore costs no more than one that sends it in one write.
 */
export class SipStreamFramer {
  readonly #maxBytes: number;
  /** Storage; bytes [#start, #end) are held. */
  #buffer: Uint8Array = new Uint8Array(0);
  #start = 0;
  #end = 0;
  /** Where the CRLFCRLF search resumes, relative to #start. */
  #scanFrom = 0;
  /** Total size of the message at #start once its headers were read, else -1. */
  #pendingTotal = -1;
  /** Stream offset of #buffer[#start], for error offsets. */
  #consumed = 0;
  /** CRLFs seen in a row between messages. */
  #crlfRun = 0;
  #error: ParseError | undefined;
  readonly #work = { bytesCopied: 0, bytesScanned: 0, headersRead: 0 };

  constructor(options: SipStreamFramerOptions = {}) {
    this.#maxBytes = options.maxMessageBytes ?? SIP_STREAM_MAX_MESSAGE_BYTES;
  }

  /** Bytes held for a message not yet complete. */
  get bufferedBytes(): number {
    return this.#end - this.#start;
  }

  /** Whether a framing error has ended this stream. */
  get failed(): boolean {
    return this.#error !== undefined;
  }

  /** Cumulative work counters (a snapshot). */
  get work(): SipStreamFramerWork {
    return { ...this.#work };
  }

  push(chunk: Uint8Array): SipFramedChunk {
    if (this.#error) return { messages: [], pings: 0, error: this.#error };
    this.#append(chunk);
    const messages: Uint8Array[] = [];
    let pings = 0;
    for (;;) {
      // RFC 5626 §3.5.1 / RFC 3261 §7.5: CRLFs between messages are keep-alives, not messages.
      const buf = this.#buffer;
      let at = this.#start;
      while (at + 1 < this.#end && buf[at] === CR && buf[at + 1] === LF) {
        at += 2;
        this.#crlfRun++;
        if (this.#crlfRun === 2) {
          pings++;
          this.#crlfRun = 0;
        }
      }
      if (at > this.#start) this.#drop(at - this.#start);
      const held = this.#end - this.#start;
      if (held === 0 || (held === 1 && buf[this.#start] === CR)) break;
      this.#crlfRun = 0;
      const framed = this.#next();
      if (framed === undefined) break;
      if (framed instanceof ParseError) return { messages, pings, error: framed };
      messages.push(framed);
    }
    this.#compact();
    return { messages, pings };
  }

  #append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.#end + chunk.length > this.#buffer.length) {
      // Grow by doubling, keeping only the held bytes: amortized O(1) copies per byte.
      const held = this.#end - this.#start;
      const capacity = Math.max(2 * this.#buffer.length, held + chunk.length, 1024);
      const grown = new Uint8Array(capacity);
      grown.set(this.#buffer.subarray(this.#start, this.#end));
      this.#work.bytesCopied += held;
      this.#buffer = grown;
      this.#start = 0;
      this.#end = held;
    }
    this.#buffer.set(chunk, this.#end);
    this.#end += chunk.length;
    this.#work.bytesCopied += chunk.length;
  }

  /** Releases storage once nothing is held, so an idle connection keeps no large buffer. */
  #compact(): void {
    if (this.#start !== this.#end) return;
    this.#start = 0;
    this.#end = 0;
    if (this.#buffer.length > 4096) this.#buffer = new Uint8Array(0);
  }

  #drop(n: number): void {
    this.#start += n;
    this.#consumed += n;
    this.#scanFrom = Math.max(0, this.#scanFrom - n);
  }

  #fail(message: string, offset: number): ParseError {
    const error = new ParseError(message, this.#consumed + offset);
    this.#error = error;
    this.#buffer = new Uint8Array(0);
    this.#start = 0;
    this.#end = 0;
    return error;
  }

  /** One whole message from the front of the buffer, undefined when more bytes are needed. */
  #next(): Uint8Array | ParseError | undefined {
    const held = this.#end - this.#start;
    if (this.#pendingTotal < 0) {
      const view = this.#buffer.subarray(this.#start, this.#end);
      const headEnd = indexOfCrlfCrlf(view, this.#scanFrom, this.#maxBytes);
      // Positions the search loop visited (each compares at most four bytes).
      const scannedTo = headEnd < 0 ? Math.min(held, this.#maxBytes) - 3 : headEnd + 1;
      this.#work.bytesScanned += Math.max(0, scannedTo - this.#scanFrom);
      if (headEnd < 0) {
        // Never lenient on sizes: a header block that has not ended within the bound fails.
        if (held >= this.#maxBytes) {
          return this.#fail(`headers longer than ${this.#maxBytes} bytes`, this.#maxBytes);
        }
        this.#scanFrom = Math.max(0, held - 3);
        return undefined;
      }
      this.#work.headersRead++;
      const length = contentLength(latin1.decode(view.subarray(0, headEnd)));
      if (length === undefined) {
        // RFC 3261 §18.3: on a stream the Content-Length header field MUST be used.
        return this.#fail('message on a stream without Content-Length', 0);
      }
      if (length === 'bad') return this.#fail('bad Content-Length on a stream', 0);
      const total = headEnd + 4 + length;
      if (total > this.#maxBytes) return this.#fail(`message larger than ${this.#maxBytes} bytes`, 0);
      this.#pendingTotal = total;
    }
    const total = this.#pendingTotal;
    if (held < total) return undefined;
    const message = this.#buffer.slice(this.#start, this.#start + total);
    this.#pendingTotal = -1;
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
