import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../../../../src/core/index.js';
import type { SipResponse } from '../../../../src/sip/message/index.js';
import {
  badRequestFor,
  getCseq,
  getHeader,
  getHeaders,
  getTo,
  parseMessage,
  requestProblem,
} from '../../../../src/sip/message/index.js';
import { readTorture } from './rfc4475-fixture.js';

function parseFailure(name: string): { bytes: Uint8Array; error: ParseError } {
  const bytes = readTorture(name);
  try {
    parseMessage(bytes);
  } catch (error) {
    assert.ok(error instanceof ParseError, `${name}: ${String(error)}`);
    assert.ok(error.offset >= 0 && error.offset <= bytes.length);
    return { bytes, error };
  }
  assert.fail(`${name} parsed`);
}

// Fixture, what the ParseError is about, and whether badRequestFor answers 400 or drops.
const REJECTED: readonly [string, RegExp, 400 | 'drop'][] = [
  ['badinv01', /parameter name/, 400],
  ['clerr', /Content-Length 9999 exceeds/, 400],
  ['ncl', /Content-Length/, 400],
  ['scalar02', /CSeq number is larger/, 400],
  ['scalarlg', /CSeq number is larger/, 'drop'],
  ['quotbal', /unterminated quoted string/, 400],
  ['ltgtruri', /scheme/, 400],
  ['lwsruri', /Request-Line/, 400],
  ['lwsstart', /Request-Line/, 400],
  ['trws', /Request-Line/, 400],
  ['regbadct', /enclosed in <>/, 400],
  ['badaspec', /scheme/, 400],
  // The archive's baddn.dat ends after `l: 0` CRLF, without the blank line that ends a header
  // block, so that is what the parser meets first; the display name is checked below.
  ['baddn', /headers not terminated by an empty line/, 400],
  ['bigcode', /Status-Code/, 'drop'],
  ['insuf', /missing From/, 'drop'],
  ['multi01', /appears more than once/, 400],
  ['mcl01', /Content-Length appears more than once/, 400],
];

describe('RFC 4475 invalid messages refused by the parser', () => {
  for (const [name, why, answer] of REJECTED) {
    it(`${name}: ParseError, then ${answer === 400 ? '400 Bad Request' : 'dropped'}`, () => {
      const { bytes, error } = parseFailure(name);
      assert.match(error.message, why);
      const response = badRequestFor(bytes, error, { toTag: 'x1' });
      if (answer === 'drop') {
        assert.equal(response, undefined);
        return;
      }
      assert.ok(response);
      assert.equal(response.status, 400);
      assertCopiedFrom(bytes, response);
    });
  }

  it('quotbal: the 400 copies the unparseable To and adds the caller tag', () => {
    const { bytes, error } = parseFailure('quotbal');
    const response = badRequestFor(bytes, error, { toTag: 'abc' });
    assert.equal(getHeader(response!, 'To'), '"Mr. J. User <sip:j.user@example.com>;tag=abc');
  });

  it('baddn, its header block closed: the unquoted display name is still refused', () => {
    // §3.1.2.15's defect: `Bell, Alexander <sip:...>` is not a display name (the comma is no
    // token character). Closing the header block shows the parser refuses it on its own.
    const archived = readTorture('baddn');
    const closed = new Uint8Array([...archived, 0x0d, 0x0a]);
    assert.throws(
      () => parseMessage(closed),
      (error: unknown) => error instanceof ParseError && /scheme/.test(error.message),
    );
    assert.equal(badRequestFor(closed, new ParseError('x', 0))?.status, 400);
  });

  it('multi01: the 400 copies the first of the duplicated headers', () => {
    const { bytes, error } = parseFailure('multi01');
    const response = badRequestFor(bytes, error)!;
    assert.equal(getHeader(response, 'Call-ID'), 'multi01.98asdh@192.0.2.1');
    assert.deepEqual(getCseq(response), { seq: 5, method: 'INVITE' });
  });
});

/** Every Via in order, and the first From, Call-ID and CSeq, are those of the request text. */
function assertCopiedFrom(bytes: Uint8Array, response: SipResponse): void {
  const text = new TextDecoder().decode(bytes);
  for (const name of ['From', 'Call-ID', 'CSeq']) {
    const value = getHeader(response, name);
    assert.ok(value !== undefined && text.includes(value), `${name} copied`);
  }
  assert.ok(getHeaders(response, 'Via').length >= 1);
  assert.equal(response.headers[0]!.name, 'Via');
}

// Fixtures that parse, and the problem requestProblem reports (undefined: accepted as is).
const ACCEPTED: readonly [string, number | undefined][] = [
  ['escruri', 400],
  ['baddate', undefined],
  ['badvers', 505],
  ['mismatch01', 400],
  ['mismatch02', 400],
  ['unkscm', 416],
  ['novelsc', 416],
];

describe('RFC 4475 invalid messages accepted and flagged', () => {
  for (const [name, status] of ACCEPTED) {
    it(`${name}: parses, requestProblem → ${status ?? 'none'}`, () => {
      const msg = parseMessage(readTorture(name));
      assert.ok(msg.kind === 'request');
      assert.equal(requestProblem(msg)?.status, status);
    });
  }

  it('badvers keeps the version as written; baddate keeps its Date text', () => {
    assert.equal(parseMessage(readTorture('badvers')).version, 'SIP/7.0');
    assert.equal(getHeader(parseMessage(readTorture('baddate')), 'Date'), 'Fri, 01 Jan 2010 16:00:00 EST');
    assert.equal(getTo(parseMessage(readTorture('badvers'))).displayName, 'T. Watson');
  });
});
