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
  recordingSessionFromInvite,
  sdpOfRecordingBody,
} from '../../../../src/sip/siprec/index.js';
import { readInviteFixture, sdpLabels } from './invite-fixture.js';

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

describe('parseMultipart: a body without its close delimiter (issue 10)', () => {
  // Cisco, SEMS and Ribbon bodies as a widely used open-source SRS stores them in its tests end
  // their last part without "--boundary--"; the end of the body ends that part.
  const vendors: [string, string[], RegExp][] = [
    [
      'cisco-no-close-delimiter.sip',
      ['application/sdp', 'application/rs-metadata+xml', 'application/gtd'],
      /^IAM,\r\nGCI,8f3c2a1b4d5e11ef9a0b0c1d2e3f4a5b\r\n$/,
    ],
    [
      'sems-no-close-delimiter.sip',
      ['application/sdp', 'application/rs-metadata+xml'],
      /^<\?xml[\s\S]*<\/recording>$/,
    ],
    [
      'ribbon-no-close-delimiter.sip',
      ['application/sdp', 'application/rs-metadata+xml'],
      /^<\?xml[\s\S]*<\/tns:recording>\r\n$/,
    ],
  ];
  for (const [name, types, last] of vendors) {
    it(`splits ${name}, the end of the body ending the last part`, () => {
      const invite = readInviteFixture(name);
      const parts = parseMultipart(invite.body, invite.contentType);
      assert.deepEqual(
        parts.map((p) => p.contentType),
        types,
      );
      // The last part runs to the very last byte of the body, line break (if any) included.
      const final = parts[parts.length - 1]!;
      assert.equal(final.body.byteOffset + final.body.length, invite.body.byteOffset + invite.body.length);
      assert.match(text(final.body), last);
      assert.match(text(parts[0]!.body), /^v=0\r?\n[\s\S]*a=label:2\r?\n/);
      // The whole SIPREC body reads: both labelled m-lines map to metadata streams.
      const sdp = parts[0]!.body;
      const recording = recordingSessionFromInvite(invite.contentType, invite.body, sdpLabels(sdp));
      assert.deepEqual(
        recording.mLines.map((m) => m.label),
        ['1', '2'],
      );
      assert.ok(recording.metadata !== null, 'metadata read');
      assert.ok(
        recording.mLines.every((m) => !m.streamId.startsWith('m-line:')),
        'every m-line resolved to a metadata stream',
      );
      assert.equal(recording.session.participants.length, 2);
    });
  }

  it('keeps the Cisco part headers in order, Content-Disposition first', () => {
    const invite = readInviteFixture('cisco-no-close-delimiter.sip');
    const [sdp, , gtd] = parseMultipart(invite.body, invite.contentType);
    assert.deepEqual(sdp?.headers, [
      { name: 'Content-Disposition', value: 'session;handling=required' },
      { name: 'Content-Type', value: 'application/sdp' },
    ]);
    assert.equal(partHeader(gtd!, 'content-disposition'), 'signal;handling=optional');
  });

  it('ends the last part at the end of the body, with or without a final line break', () => {
    assert.deepEqual(
      parseText('--b1\r\nContent-Type: a/b\r\n\r\none\r\n--b1\r\n\r\nlast line').map((p) => text(p.body)),
      ['one', 'last line'],
    );
    assert.deepEqual(
      parseText('--b1\n\nonly part\n').map((p) => text(p.body)),
      ['only part\n'],
    );
  });

  it('takes a last delimiter without "--" and nothing after it as the close delimiter', () => {
    for (const tail of ['', '\r\n', '\r\n\r\n', ' \t\n']) {
      const parts = parseText(`--b1\r\nContent-Type: a/b\r\n\r\none\r\n--b1${tail}`);
      assert.deepEqual(
        parts.map((p) => [p.contentType, text(p.body)]),
        [['a/b', 'one']],
        JSON.stringify(tail),
      );
    }
  });

  it('still refuses a body with a boundary but no part after it', () => {
    throwsParseError(() => parseText('--b1\r\n'), 0);
    throwsParseError(() => parseText('preamble\r\n--b1'), 10);
  });

  it('stays strict on counts and sizes when the close delimiter is missing', () => {
    // The part cap counts an unterminated last part like any other.
    const many = '--b1\r\n\r\nx\r\n'.repeat(17);
    throwsParseError(() => parseText(many));
    assert.equal(parseMultipart(bytes(many), 'multipart/mixed;boundary=b1', { maxParts: 17 }).length, 17);
    // Folded continuation lines are not header lines, but they count toward the header bytes.
    const folded = `--b1\r\nX-Long: a\r\n${' b\r\n'.repeat(6000)}\r\nbody`;
    throwsParseError(() => parseText(folded), 6 + 11 + 4 * 4093);
    const small = `--b1\r\nX-A: 1\r\nX-B: 2\r\n\r\nbody`;
    assert.equal(parseText(small).length, 1);
    throwsParseError(
      () => parseMultipart(bytes(small), 'multipart/mixed;boundary=b1', { maxHeaderBytesPerPart: 10 }),
      14,
    );
  });

  it('never reads a size a part declares: the body is what is there, a view into the input', () => {
    const body = bytes('--b1\r\nContent-Length: 99999999999\r\n\r\nshort');
    const [part] = parseMultipart(body, 'multipart/mixed;boundary=b1');
    assert.equal(text(part!.body), 'short');
    assert.equal(part!.body.buffer, body.buffer);
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

describe('sdpOfRecordingBody', () => {
  const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
  const sdp =
    'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

  it('finds the SDP part without reading the metadata (which here is not even XML)', () => {
    const body = encode(
      `--b\r\nContent-Type: application/sdp\r\n\r\n${sdp}\r\n--b\r\n` +
        'Content-Type: application/rs-metadata+xml\r\n\r\n<recording <<< not xml\r\n--b--\r\n',
    );
    const found = sdpOfRecordingBody('multipart/mixed;boundary=b', body);
    assert.equal(new TextDecoder().decode(found ?? new Uint8Array()), sdp);
  });

  it('is the whole body for application/sdp, null for metadata alone, ParseError for other types', () => {
    assert.equal(
      new TextDecoder().decode(sdpOfRecordingBody('application/sdp', encode(sdp)) ?? undefined),
      sdp,
    );
    assert.equal(sdpOfRecordingBody('application/rs-metadata+xml', encode('<recording/>')), null);
    const metadataOnly = encode(
      '--b\r\nContent-Type: application/rs-metadata+xml\r\n\r\n<recording/>\r\n--b--\r\n',
    );
    assert.equal(sdpOfRecordingBody('multipart/mixed;boundary=b', metadataOnly), null);
    assert.throws(() => sdpOfRecordingBody('text/plain', encode('hello')), ParseError);
  });
});
