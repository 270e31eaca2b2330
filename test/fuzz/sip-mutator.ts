import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../support/paths.js';

/** A small seeded PRNG (mulberry32) so a failing fuzz run can be replayed from its seed. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed corpus: RFC 4475 torture messages and the SIPREC vendor INVITEs, as real bytes. */
export function loadSipCorpus(): Uint8Array[] {
  const dirs = [fixture('sip/message/rfc4475'), fixture('sip/siprec')];
  const out: Uint8Array[] = [];
  for (const dir of dirs) {
    for (const name of readdirSync(dir).sort()) {
      if (name.endsWith('.sip')) out.push(new Uint8Array(readFileSync(join(dir, name))));
    }
  }
  return out;
}

const INTERESTING = [
  0x00, 0x0d, 0x0a, 0x20, 0x09, 0x3a, 0x3b, 0x3c, 0x3e, 0x22, 0x2c, 0x3d, 0xff, 0x7f, 0x25,
];
const CRLF = new TextEncoder().encode('\r\n');

function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

function int(rng: () => number, max: number): number {
  return Math.floor(rng() * max);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function lines(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      out.push(bytes.subarray(start, i));
      start = i + 2;
      i++;
    }
  }
  out.push(bytes.subarray(start));
  return out;
}

function joinLines(parts: Uint8Array[]): Uint8Array {
  return concat(...parts.flatMap((p, i) => (i === 0 ? [p] : [CRLF, p])));
}

type Mutation = (input: Uint8Array, rng: () => number, corpus: readonly Uint8Array[]) => Uint8Array;

/** Byte-, line- and header-level mutations, as a grammar-unaware fuzzer and a sloppy SBC make them. */
const MUTATIONS: readonly Mutation[] = [
  // Bit flips.
  (input, rng) => {
    const out = input.slice();
    for (let n = 1 + int(rng, 8); n > 0 && out.length > 0; n--)
      out[int(rng, out.length)]! ^= 1 << int(rng, 8);
    return out;
  },
  // Bytes that matter to a SIP parser, dropped in anywhere.
  (input, rng) => {
    const out = input.slice();
    for (let n = 1 + int(rng, 4); n > 0 && out.length > 0; n--)
      out[int(rng, out.length)] = pick(rng, INTERESTING);
    return out;
  },
  // Delete a span.
  (input, rng) => {
    const at = int(rng, input.length);
    return concat(input.subarray(0, at), input.subarray(at + 1 + int(rng, 64)));
  },
  // Duplicate a span in place.
  (input, rng) => {
    const at = int(rng, input.length);
    const span = input.subarray(at, at + 1 + int(rng, 128));
    return concat(input.subarray(0, at), span, span, input.subarray(at));
  },
  // Truncate.
  (input, rng) => input.subarray(0, int(rng, input.length)),
  // Swap two lines.
  (input, rng) => {
    const ls = lines(input);
    const a = int(rng, ls.length);
    const b = int(rng, ls.length);
    [ls[a], ls[b]] = [ls[b]!, ls[a]!];
    return joinLines(ls);
  },
  // Repeat one header line many times (header-count bound).
  (input, rng) => {
    const ls = lines(input);
    const at = 1 + int(rng, Math.max(1, ls.length - 1));
    const line = ls[at] ?? ls[0]!;
    ls.splice(at, 0, ...Array.from({ length: 1 + int(rng, 400) }, () => line));
    return joinLines(ls);
  },
  // A lying Content-Length.
  (input, rng) => {
    const text = new TextDecoder('latin1').decode(input);
    const value = pick(rng, ['0', '-1', '99999999999', '4294967296', 'abc', String(int(rng, 5000)), ' ']);
    return new Uint8Array(
      Buffer.from(text.replace(/(Content-Length|\nl)\s*:[^\r\n]*/i, `$1: ${value}`), 'latin1'),
    );
  },
  // Splice the head of one corpus message onto the tail of another.
  (input, rng, corpus) => {
    const other = pick(rng, corpus);
    return concat(input.subarray(0, int(rng, input.length)), other.subarray(int(rng, other.length)));
  },
  // Long lines.
  (input, rng) => {
    const at = int(rng, input.length);
    return concat(
      input.subarray(0, at),
      new Uint8Array(1000 + int(rng, 20000)).fill(0x61),
      input.subarray(at),
    );
  },
];

/** One mutated message: 1–3 mutations of a corpus message. */
export function mutateMessage(corpus: readonly Uint8Array[], rng: () => number): Uint8Array {
  let out = pick(rng, corpus);
  for (let n = 1 + int(rng, 3); n > 0; n--) out = pick(rng, MUTATIONS)(out, rng, corpus);
  // A UDP datagram cannot exceed 65,507 bytes of payload.
  return out.length > 65_000 ? out.subarray(0, 65_000) : out;
}
