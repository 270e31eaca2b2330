import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ParseError } from '../../../../src/core/index.js';
import {
  badRequestFor,
  getCallId,
  getContacts,
  getCseq,
  getFrom,
  getTo,
  getVias,
  parseMessage,
  serializeMessage,
} from '../../../../src/sip/message/index.js';
import { fixture } from '../../../support/paths.js';
import { readTorture } from './rfc4475-fixture.js';

const FIXTURES = readdirSync(fixture('sip/message/rfc4475'))
  .filter((f) => f.endsWith('.sip'))
  .map((f) => readTorture(f.slice(0, -4)));

/** Parses, and when that succeeds, exercises every accessor; only ParseError may escape. */
function parseOrParseError(bytes: Uint8Array): void {
  try {
    const msg = parseMessage(bytes);
    getVias(msg);
    getFrom(msg);
    getTo(msg);
    getCallId(msg);
    getCseq(msg);
    getContacts(msg);
    serializeMessage(msg);
  } catch (error) {
    assert.ok(error instanceof ParseError, `not a ParseError: ${String(error)}`);
    assert.ok(error.offset >= 0 && error.offset <= bytes.length, `offset ${error.offset} of ${bytes.length}`);
    badRequestFor(bytes, error);
  }
}

const mutation = fc.record({
  index: fc.nat(),
  pos: fc.nat(),
  kind: fc.constantFrom('flip', 'delete', 'insert', 'truncate', 'duplicate'),
  byte: fc.constantFrom(
    0x00,
    0x0d,
    0x0a,
    0x20,
    0x09,
    0x22,
    0x3c,
    0x3e,
    0x3b,
    0x2c,
    0x3a,
    0x25,
    0x5c,
    0x40,
    0xff,
    0x39,
  ),
});

function mutate(base: Uint8Array, m: { pos: number; kind: string; byte: number }): Uint8Array {
  const at = base.length === 0 ? 0 : m.pos % base.length;
  switch (m.kind) {
    case 'flip':
      return Uint8Array.from(base, (b, i) => (i === at ? m.byte : b));
    case 'delete':
      return Uint8Array.from([...base.subarray(0, at), ...base.subarray(at + 1)]);
    case 'insert':
      return Uint8Array.from([...base.subarray(0, at), m.byte, ...base.subarray(at)]);
    case 'truncate':
      return base.subarray(0, at);
    default:
      return Uint8Array.from([...base.subarray(0, at), ...base.subarray(at, at + 64), ...base.subarray(at)]);
  }
}

const token = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.!%*_+`'~-]{0,10}$/);
const userPart = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._~-]{0,10}$/);
const host = fc.oneof(fc.domain(), fc.ipV4());
const value = fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/);

/** Canonical messages: one SP after each colon, no folding, Content-Length equal to the body. */
const canonicalMessage = fc
  .record({
    request: fc.boolean(),
    method: fc.constantFrom('INVITE', 'BYE', 'OPTIONS', 'REGISTER', 'X-CUSTOM'),
    status: fc.integer({ min: 100, max: 699 }),
    reason: fc.stringMatching(/^[ -~]{0,20}$/),
    user: userPart,
    host,
    vias: fc.array(fc.tuple(fc.constantFrom('UDP', 'TCP', 'TLS'), host, token), {
      minLength: 1,
      maxLength: 3,
    }),
    tag: token,
    callId: token,
    seq: fc.integer({ min: 0, max: 0xffffffff }),
    extra: fc.array(fc.tuple(fc.stringMatching(/^X-[A-Za-z]{1,8}$/), value), { maxLength: 4 }),
    body: fc.uint8Array({ maxLength: 64 }),
  })
  .map((m) => {
    const start = m.request
      ? `${m.method} sip:${m.user}@${m.host} SIP/2.0`
      : `SIP/2.0 ${m.status} ${m.reason}`;
    const lines = [
      start,
      ...m.vias.map(([t, h, b]) => `Via: SIP/2.0/${t} ${h};branch=z9hG4bK${b}`),
      `From: <sip:${m.user}@${m.host}>;tag=${m.tag}`,
      `To: <sip:${m.user}@${m.host}>`,
      `Call-ID: ${m.callId}`,
      `CSeq: ${m.seq} ${m.method}`,
      ...m.extra.map(([n, v]) => `${n}: ${v}`),
      `Content-Length: ${m.body.length}`,
      '',
      '',
    ];
    const head = new TextEncoder().encode(lines.join('\r\n'));
    return Uint8Array.from([...head, ...m.body]);
  });

describe('parseMessage properties', () => {
  it('random bytes only ever throw ParseError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), parseOrParseError), { numRuns: 2000 });
  });

  it('random header-shaped text only ever throws ParseError', () => {
    const text = fc.array(
      fc.constantFrom(
        'INVITE ',
        'SIP/2.0',
        ' ',
        '\r\n',
        ':',
        ';',
        ',',
        '"',
        '<',
        '>',
        'sip:',
        'Via',
        'v',
        'a',
        '%',
        '\\',
        '=',
      ),
      {
        maxLength: 200,
      },
    );
    fc.assert(
      fc.property(text, (parts) => parseOrParseError(new TextEncoder().encode(parts.join('')))),
      { numRuns: 2000 },
    );
  });

  it('mutated RFC 4475 fixtures only ever throw ParseError', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        let bytes = FIXTURES[mutations[0]!.index % FIXTURES.length]!;
        for (const m of mutations) bytes = mutate(bytes, m);
        parseOrParseError(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  it('generated canonical messages round-trip byte for byte', () => {
    fc.assert(
      fc.property(canonicalMessage, (bytes) => {
        assert.deepEqual(serializeMessage(parseMessage(bytes)), bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('parses a hostile 64 KB message of tiny headers quickly', () => {
    const head = 'OPTIONS sip:a@b SIP/2.0\r\n' + 'a:,\r\n'.repeat(13000);
    const started = performance.now();
    assert.throws(() => parseMessage(new TextEncoder().encode(head)), ParseError);
    assert.ok(performance.now() - started < 1000);
  });
});
