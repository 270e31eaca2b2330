import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InvalidArgumentError, ParseError } from '../../../../src/core/index.js';
import type { MultipartPart } from '../../../../src/sip/siprec/index.js';
import {
  buildMultipart,
  multipartBoundary,
  parseMediaType,
  parseMultipart,
  partHeader,
} from '../../../../src/sip/siprec/index.js';
import { readInviteFixture } from './invite-fixture.js';

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

function parseText(body: string, contentType = 'multipart/mixed;boundary=b1'): MultipartPart[] {
  return parseMultipart(bytes(body), contentType);
}

function throwsParseError(fn: () => unknown, offset?: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ParseError, `expected ParseError, got ${String(e)}`);
    if (offset !== undefined) assert.equal(e.offset, offset);
    return true;
  });
}

describe('parseMediaType', () => {
  it('reads type, subtype and parameters, quoted or token', () => {
    const t = parseMediaType('Multipart/Mixed ; boundary="a b\\"c" ;charset=UTF-8;');
    assert.equal(t.essence, 'multipart/mixed');
    assert.equal(t.parameters.get('boundary'), 'a b"c');
    assert.equal(t.parameters.get('charset'), 'UTF-8');
  });

  it('refuses malformed values with ParseError', () => {
    throwsParseError(() => parseMediaType('multipart'), 9);
    throwsParseError(() => parseMediaType('multipart/mixed; boundary="open'));
    throwsParseError(() => parseMediaType('a/b; =x'));
    throwsParseError(() => parseMediaType('a/b x'));
  });
});

describe('multipartBoundary', () => {
  it('accepts quoted and token boundaries', () => {
    assert.equal(multipartBoundary('multipart/mixed;boundary=foobar'), 'foobar');
    assert.equal(multipartBoundary('multipart/mixed; boundary="==_a b"'), '==_a b');
  });

  it('refuses a missing, empty, overlong or non-multipart boundary', () => {
    throwsParseError(() => multipartBoundary('multipart/mixed'));
    throwsParseError(() => multipartBoundary('multipart/mixed;boundary=""'));
    throwsParseError(() => multipartBoundary(`multipart/mixed;boundary=${'x'.repeat(71)}`));
    throwsParseError(() => multipartBoundary('application/sdp;boundary=x'));
  });
});

describe('parseMultipart', () => {
  it('ignores preamble and epilogue and reads part headers', () => {
    const parts = parseText(
      'preamble line\r\n--b1\r\nContent-Type: application/sdp\r\nContent-ID: <sdp@x>\r\n\r\nv=0\r\n\r\n' +
        '--b1\r\nContent-Type: application/rs-metadata+xml;charset=utf-8\r\n' +
        'Content-Disposition: recording-session\r\n\r\n<recording/>\r\n--b1--\r\nepilogue\r\n',
    );
    assert.equal(parts.length, 2);
    assert.equal(parts[0]?.contentType, 'application/sdp');
    assert.equal(text(parts[0]?.body ?? new Uint8Array()), 'v=0\r\n');
    assert.equal(partHeader(parts[0], 'content-id'), '<sdp@x>');
    assert.equal(parts[1]?.contentType, 'application/rs-metadata+xml');
    assert.equal(partHeader(parts[1], 'Content-Disposition'), 'recording-session');
    assert.equal(text(parts[1]?.body ?? new Uint8Array()), '<recording/>');
  });

  it('accepts bare LF, trailing whitespace on boundary lines, and a close delimiter at the end', () => {
    const parts = parseText('--b1 \t\nContent-Type: text/plain\n\nhello\n--b1\nX-A: 1\n\nworld\n--b1--');
    assert.deepEqual(
      parts.map((p) => [p.contentType, text(p.body)]),
      [
        ['text/plain', 'hello'],
        ['text/plain', 'world'],
      ],
    );
  });

  it('unfolds continued header lines and defaults the type to text/plain', () => {
    const [part] = parseText('--b1\r\nX-Long: one\r\n  two\r\n\r\nbody\r\n--b1--\r\n');
    assert.deepEqual(part?.headers, [{ name: 'X-Long', value: 'one two' }]);
    assert.equal(part?.contentType, 'text/plain');
  });

  it('does not take a longer boundary-prefixed line for a delimiter', () => {
    const [part] = parseText('--b1\r\n\r\n--b12 is not mine\r\n--b1--\r\n');
    assert.equal(text(part?.body ?? new Uint8Array()), '--b12 is not mine');
  });

  it('keeps a part with headers only and an empty part', () => {
    const parts = parseText('--b1\r\nContent-Type: a/b\r\n--b1\r\n\r\n--b1--\r\n');
    assert.deepEqual(
      parts.map((p) => [p.contentType, p.body.length]),
      [
        ['a/b', 0],
        ['text/plain', 0],
      ],
    );
  });

  it('returns views into the body, not copies', () => {
    const body = bytes('--b1\r\n\r\nabc\r\n--b1--');
    const [part] = parseMultipart(body, 'multipart/mixed;boundary=b1');
    assert.equal(part?.body.buffer, body.buffer);
    assert.equal(part?.body.byteOffset, 8);
  });

  it('reports malformed bodies with ParseError at the right offset', () => {
    throwsParseError(() => parseText('no boundary at all'), 0);
    throwsParseError(() => parseText('--b1\r\n\r\nunterminated'), 20);
    throwsParseError(() => parseText('--b1--\r\n'), 0);
    throwsParseError(() => parseText('--b1\r\nnot a header\r\n\r\nx\r\n--b1--'), 6);
    throwsParseError(() => parseText('--b1\r\n folded first\r\n\r\n--b1--'), 6);
    throwsParseError(() => parseText('--b1\r\nContent-Type: nonsense\r\n\r\n--b1--'), 28);
  });

  it('bounds the number of parts and headers', () => {
    const many = `${'--b1\r\n\r\nx\r\n'.repeat(17)}--b1--`;
    throwsParseError(() => parseText(many));
    assert.equal(parseMultipart(bytes(many), 'multipart/mixed;boundary=b1', { maxParts: 17 }).length, 17);
    const headers = `--b1\r\n${'X-A: 1\r\n'.repeat(33)}\r\n--b1--`;
    throwsParseError(() => parseText(headers));
  });

  it('splits every vendor fixture into SDP and metadata', () => {
    for (const name of ['rfc7865-complete.sip', 'oracle-acme-extension.sip', 'avaya-ucid.sip']) {
      const invite = readInviteFixture(name);
      const parts = parseMultipart(invite.body, invite.contentType);
      assert.deepEqual(
        parts.map((p) => p.contentType),
        ['application/sdp', 'application/rs-metadata+xml'],
        name,
      );
      assert.match(text(parts[0]?.body ?? new Uint8Array()), /^v=0\r?\n[\s\S]*a=sendonly\r?\n$/);
      assert.match(text(parts[1]?.body ?? new Uint8Array()), /^<\?xml[\s\S]*recording>\r?\n$/);
    }
  });
});

describe('buildMultipart', () => {
  it('writes CRLF parts with the given boundary', () => {
    const built = buildMultipart(
      [
        { contentType: 'application/sdp', body: bytes('v=0\r\n') },
        {
          contentType: 'application/rs-metadata+xml',
          headers: [{ name: 'Content-Disposition', value: 'recording-session' }],
          body: bytes('<recording/>'),
        },
      ],
      { boundary: 'xyz' },
    );
    assert.equal(built.contentType, 'multipart/mixed;boundary=xyz');
    assert.equal(
      text(built.body),
      '--xyz\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n\r\n' +
        '--xyz\r\nContent-Type: application/rs-metadata+xml\r\nContent-Disposition: recording-session\r\n\r\n' +
        '<recording/>\r\n--xyz--\r\n',
    );
  });

  it('quotes a boundary that is not a token and picks a fresh one otherwise', () => {
    const quoted = buildMultipart([{ contentType: 'a/b', body: bytes('x') }], { boundary: 'a b' });
    assert.equal(quoted.contentType, 'multipart/mixed;boundary="a b"');
    const fresh = buildMultipart([{ contentType: 'a/b', body: bytes('x') }]);
    assert.match(multipartBoundary(fresh.contentType), /^vb-[0-9a-f]{24}$/);
  });

  it('refuses invalid input with InvalidArgumentError', () => {
    const part = { contentType: 'a/b', body: bytes('--xyz inside') };
    assert.throws(() => buildMultipart([part], { boundary: 'xyz' }), InvalidArgumentError);
    assert.throws(() => buildMultipart([]), InvalidArgumentError);
    assert.throws(
      () => buildMultipart([{ contentType: 'a/b', body: bytes('') }], { boundary: 'bad\r\n' }),
      InvalidArgumentError,
    );
    assert.throws(
      () =>
        buildMultipart([
          { contentType: 'a/b', headers: [{ name: 'X', value: 'a\r\nB: c' }], body: bytes('') },
        ]),
      InvalidArgumentError,
    );
  });
});

describe('multipart properties', () => {
  const headerArb = fc.record({
    name: fc.stringMatching(/^X-[A-Za-z0-9-]{1,12}$/),
    value: fc.stringMatching(/^[ -~]{0,30}$/).map((v) => v.trim()),
  });
  const partArb = fc.record({
    contentType: fc.constantFrom('application/sdp', 'application/rs-metadata+xml', 'text/plain'),
    headers: fc.array(headerArb, { maxLength: 4 }),
    body: fc.uint8Array({ maxLength: 300 }),
  });

  it('parse(build(parts)) returns the parts', () => {
    fc.assert(
      fc.property(fc.array(partArb, { minLength: 1, maxLength: 6 }), (parts) => {
        const built = buildMultipart(parts);
        const parsed = parseMultipart(built.body, built.contentType);
        assert.equal(parsed.length, parts.length);
        parsed.forEach((p, i) => {
          const input = parts[i];
          assert.ok(input);
          assert.equal(p.contentType, input.contentType);
          // fast-check records have a null prototype; compare plain copies.
          assert.deepEqual(p.headers, [
            { name: 'Content-Type', value: input.contentType },
            ...input.headers.map((h) => ({ ...h })),
          ]);
          assert.deepEqual([...p.body], [...input.body]);
        });
        // Building from what was parsed gives the same bytes again.
        const again = buildMultipart(parsed, { boundary: multipartBoundary(built.contentType) });
        assert.deepEqual([...again.body], [...built.body]);
      }),
    );
  });

  it('random bytes only ever throw ParseError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.constantFrom('b1', 'x', '--'), (body, boundary) => {
        try {
          parseMultipart(body, `multipart/mixed;boundary="${boundary}"`);
        } catch (e) {
          assert.ok(e instanceof ParseError, String(e));
          assert.ok(Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= body.length);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated fixtures only ever throw ParseError', () => {
    const invite = readInviteFixture('rfc7865-complete.sip');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(invite.body.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat(invite.body.length),
        (edits, cut) => {
          const body = invite.body.slice(0, Math.max(cut, 1));
          for (const [at, value] of edits) if (at < body.length) body[at] = value;
          try {
            parseMultipart(body, invite.contentType);
          } catch (e) {
            assert.ok(e instanceof ParseError, String(e));
            assert.ok(Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= body.length);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('random content types only ever throw ParseError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (contentType) => {
        try {
          parseMultipart(bytes('--b\r\n\r\n--b--'), contentType);
        } catch (e) {
          assert.ok(e instanceof ParseError, String(e));
        }
      }),
    );
  });
});
