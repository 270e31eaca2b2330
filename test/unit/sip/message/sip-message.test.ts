import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError, ParseError } from '../../../../src/core/index.js';
import type { SipRequest } from '../../../../src/sip/message/index.js';
import {
  badRequestFor,
  createResponse,
  getCallId,
  getContacts,
  getContentLength,
  getCseq,
  getExpires,
  getHeader,
  getHeaders,
  getTo,
  getVias,
  parseMessage,
  serializeMessage,
  SIP_MAX_HEADER_LINES,
  SIP_MAX_MESSAGE_BYTES,
} from '../../../../src/sip/message/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

const INVITE = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport',
  'Via: SIP/2.0/TCP proxy.example.com:5061;branch=z9hG4bK1;received=192.0.2.9;rport=6000',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: "Alice A." <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.example.com>',
  'Expires: 120',
  'Content-Type: application/sdp',
  'Content-Length: 4',
  '',
  'v=0\n',
].join('\r\n');

function req(text: string): SipRequest {
  const msg = parseMessage(enc.encode(text));
  assert.equal(msg.kind, 'request');
  return msg;
}

function throwsParse(text: string | Uint8Array, pattern: RegExp): void {
  const bytes = typeof text === 'string' ? enc.encode(text) : text;
  assert.throws(
    () => parseMessage(bytes),
    (e: unknown) => e instanceof ParseError && pattern.test(e.message) && e.offset <= bytes.length,
  );
}

describe('parseMessage and serializeMessage', () => {
  it('parses a canonical INVITE and serializes it back byte for byte', () => {
    const bytes = enc.encode(INVITE);
    const msg = req(INVITE);
    assert.equal(msg.method, 'INVITE');
    assert.equal(msg.uri, 'sip:bob@biloxi.example.com');
    assert.equal(dec.decode(msg.body), 'v=0\n');
    const vias = getVias(msg);
    assert.deepEqual(
      vias.map((v) => [v.transport, v.host, v.port, v.branch, v.received, v.rport]),
      [
        ['UDP', 'pc33.atlanta.example.com', undefined, 'z9hG4bK776asdhds', undefined, null],
        ['TCP', 'proxy.example.com', 5061, 'z9hG4bK1', '192.0.2.9', 6000],
      ],
    );
    assert.equal(getExpires(msg), 120);
    assert.deepEqual(serializeMessage(msg), bytes);
  });

  it('reads compact forms and any whitespace around values (SIPp writes "Content-Length:  123")', () => {
    const text = INVITE.replace('Call-ID:', 'i:')
      .replace('Content-Length: 4', 'l:   4  ')
      .replace('To:', 't :');
    const msg = req(text);
    assert.equal(getCallId(msg), 'a84b4c76e66710@pc33.atlanta.example.com');
    assert.equal(getContentLength(msg), 4);
    assert.equal(getTo(msg).displayName, 'Bob');
    assert.equal(getHeader(msg, 'content-length'), '4');
  });

  it('unfolds continuation lines into one SP', () => {
    const msg = req(INVITE.replace('CSeq: 314159 INVITE', 'CSeq: 314159\r\n\t INVITE'));
    assert.deepEqual(getCseq(msg), { seq: 314159, method: 'INVITE' });
  });

  it('splits list headers across commas and lines, never inside quotes or <>', () => {
    const msg = req(
      INVITE.replace(
        'Contact: <sip:alice@pc33.atlanta.example.com>',
        'Contact: "a, b" <sip:a@x.example.com;p=1,2>, <sip:b@y.example.com>\r\nm: sip:c@z.example.com\r\nAllow: INVITE, ACK,BYE\r\nAllow: CANCEL',
      ),
    );
    assert.equal(getContacts(msg).length, 3);
    assert.deepEqual(getHeaders(msg, 'allow'), ['INVITE', 'ACK', 'BYE', 'CANCEL']);
    assert.deepEqual(getHeaders(msg, 'm'), [
      '"a, b" <sip:a@x.example.com;p=1,2>',
      '<sip:b@y.example.com>',
      'sip:c@z.example.com',
    ]);
  });

  it('takes the rest of a datagram as body without Content-Length, and truncates to a smaller one', () => {
    const without = req(INVITE.replace('Content-Length: 4\r\n', ''));
    assert.equal(dec.decode(without.body), 'v=0\n');
    assert.equal(dec.decode(req(INVITE.replace('Content-Length: 4', 'Content-Length: 2')).body), 'v=');
    // Serialization writes the real length, in place.
    const out = dec.decode(serializeMessage(without));
    assert.ok(out.endsWith('Content-Length: 4\r\n\r\nv=0\n'));
  });

  it('refuses a Content-Length larger than the body, and malformed framing', () => {
    throwsParse(INVITE.replace('Content-Length: 4', 'Content-Length: 5'), /exceeds/);
    throwsParse(INVITE.replace('\r\n\r\n', '\r\n'), /not terminated|":"/);
    throwsParse('INVITE sip:a@b SIP/2.0\nVia: x\r\n\r\n', /bare CR or LF|CRLF/);
    throwsParse('', /CRLF|terminated/);
    throwsParse('SIP/2.0 99 Too low\r\n\r\n', /Status-Code/);
    throwsParse(INVITE.replace('SIP/2.0\r\n', 'HTTP/1.1\r\n'), /SIP-Version/);
    throwsParse(INVITE.replace('Max-Forwards: 70', 'Max-Forwards: 256'), /Max-Forwards/);
    throwsParse(INVITE.replace('Via: SIP/2.0/UDP pc33', 'Via: SIP/2.0 pc33'), /"\/"/);
    throwsParse(INVITE.replace('SIP/2.0\r\nVia', 'SIP/2.0\r\n Via'), /continuation/);
  });

  it('enforces the message, header-count and line-length bounds', () => {
    const big = new Uint8Array(SIP_MAX_MESSAGE_BYTES + 1).fill(0x41);
    throwsParse(big, /larger than/);
    const many = INVITE.replace(
      'Expires: 120',
      Array.from({ length: SIP_MAX_HEADER_LINES }, () => 'X: y').join('\r\n'),
    );
    throwsParse(many, /more than 256 header lines/);
    throwsParse(INVITE.replace('Expires: 120', `X-Long: ${'a'.repeat(20000)}`), /too long/);
  });
});

describe('createResponse (RFC 3261 §8.2.6)', () => {
  it('copies Via in order, From, To with a new tag, Call-ID and CSeq', () => {
    const request = req(INVITE);
    const response = createResponse(request, 180, undefined, { toTag: 'a6c85cf' });
    assert.equal(response.reason, 'Ringing');
    assert.deepEqual(
      response.headers.map((h) => h.name),
      ['Via', 'Via', 'From', 'To', 'Call-ID', 'CSeq'],
    );
    assert.equal(getTo(response).tag, 'a6c85cf');
    assert.equal(getHeader(response, 'From'), getHeader(request, 'From'));
    const bytes = serializeMessage(response);
    const again = parseMessage(bytes);
    assert.equal(getVias(again)[1]!.received, '192.0.2.9');
    assert.equal(getContentLength(again), 0);
  });

  it('leaves To untagged on 100 and keeps an existing tag', () => {
    assert.equal(getTo(createResponse(req(INVITE), 100)).tag, undefined);
    const tagged = req(
      INVITE.replace('To: Bob <sip:bob@biloxi.example.com>', 'To: <sip:bob@b.example.com>;tag=x'),
    );
    assert.equal(getTo(createResponse(tagged, 200)).tag, 'x');
  });

  it('adds extra headers and a body, and refuses a missing tag or a bad status', () => {
    const r = createResponse(req(INVITE), 200, 'OK', {
      toTag: 't',
      headers: [{ name: 'Content-Type', value: 'application/sdp' }],
      body: enc.encode('v=0\r\n'),
    });
    assert.match(
      dec.decode(serializeMessage(r)),
      /Content-Type: application\/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n$/,
    );
    assert.throws(() => createResponse(req(INVITE), 200), InvalidArgumentError);
    assert.throws(() => createResponse(req(INVITE), 700, 'x', { toTag: 't' }), InvalidArgumentError);
  });
});

describe('badRequestFor', () => {
  it('answers a salvageable request with 400 and drops responses, ACKs and fragments', () => {
    const bad = INVITE.replace('Max-Forwards: 70', 'Max-Forwards: many');
    const bytes = enc.encode(bad);
    const error = new ParseError('test', 0);
    const response = badRequestFor(bytes, error, { toTag: 'z' });
    assert.equal(response?.status, 400);
    assert.equal(getVias(response).length, 2);
    assert.equal(
      badRequestFor(enc.encode(bad.replace(/^INVITE/, 'ACK').replace('314159 INVITE', '314159 ACK')), error),
      undefined,
    );
    assert.equal(badRequestFor(enc.encode('SIP/2.0 200 OK\r\nVia: x\r\n\r\n'), error), undefined);
    assert.equal(badRequestFor(enc.encode(bad.replace(/Call-ID: .*\r\n/, '')), error), undefined);
    assert.equal(badRequestFor(new Uint8Array([0xff, 0x00, 0x0d]), error), undefined);
  });
});
