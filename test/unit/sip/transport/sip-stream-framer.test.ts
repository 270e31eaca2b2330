import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ParseError } from '../../../../src/core/index.js';
import { parseMessage } from '../../../../src/sip/message/index.js';
import { SipStreamFramer } from '../../../../src/sip/transport/index.js';
import { bytesOf, concat, optionsRequest, text } from './sip-fixtures.js';

function frameAll(chunks: readonly Uint8Array[]): { messages: string[]; pings: number; error?: ParseError } {
  const framer = new SipStreamFramer();
  const messages: string[] = [];
  let pings = 0;
  for (const chunk of chunks) {
    const out = framer.push(chunk);
    messages.push(...out.messages.map(text));
    pings += out.pings;
    if (out.error) return { messages, pings, error: out.error };
  }
  return { messages, pings };
}

describe('SipStreamFramer', () => {
  it('yields a message split into one-byte writes only once it is whole', () => {
    const msg = optionsRequest();
    const framer = new SipStreamFramer();
    for (let i = 0; i < msg.length - 1; i++)
      assert.deepEqual(framer.push(msg.subarray(i, i + 1)).messages, []);
    const last = framer.push(msg.subarray(msg.length - 1));
    assert.deepEqual(last.messages.map(text), [text(msg)]);
    assert.equal(framer.bufferedBytes, 0);
  });

  it('yields two messages from one write', () => {
    const a = optionsRequest({ callId: 'one' });
    const b = optionsRequest({ callId: 'two', body: 'hello' });
    const out = frameAll([concat(a, b)]);
    assert.deepEqual(out.messages, [text(a), text(b)]);
  });

  it('takes exactly Content-Length bytes of body, even when the body holds CRLFCRLF', () => {
    const body = 'v=0\r\n\r\nstill body';
    const msg = optionsRequest({ body });
    const out = frameAll([concat(msg, optionsRequest())]);
    assert.equal(out.messages.length, 2);
    assert.equal(text(parseMessage(bytesOf(out.messages[0]!)).body), body);
  });

  it('skips CRLF keep-alives between messages and counts CRLFCRLF pings (RFC 5626 §3.5.1)', () => {
    const msg = optionsRequest();
    const out = frameAll([
      bytesOf('\r\n\r\n'),
      msg,
      bytesOf('\r\n'),
      bytesOf('\r\n\r\n\r'),
      bytesOf('\n'),
      msg,
    ]);
    assert.deepEqual(out.messages, [text(msg), text(msg)]);
    assert.equal(out.pings, 3);
  });

  it('reads a compact Content-Length (l)', () => {
    const msg = bytesOf(text(optionsRequest({ body: 'abc' })).replace('Content-Length:', 'l:'));
    assert.deepEqual(frameAll([msg]).messages, [text(msg)]);
  });

  it('fails a message without Content-Length (RFC 3261 §18.3) and stays failed', () => {
    const framer = new SipStreamFramer();
    const out = framer.push(optionsRequest({ contentLength: false }));
    assert.ok(out.error instanceof ParseError);
    assert.match(out.error.message, /Content-Length/);
    assert.ok(framer.failed);
    assert.ok(framer.push(optionsRequest()).error);
  });

  it('fails a bad Content-Length', () => {
    const msg = bytesOf(text(optionsRequest()).replace('Content-Length: 0', 'Content-Length: -1'));
    assert.ok(frameAll([msg]).error);
  });

  it('does linear work for a 64 KB message fed one byte at a time (no copy per chunk)', () => {
    // Headers padded to 16 KB and a 48 KB body: both halves of the framer are exercised bytewise.
    const pad = `X-Pad: ${'p'.repeat(16_000)}`;
    const head = text(optionsRequest({ body: 'b'.repeat(48_000) })).replace(
      'Max-Forwards: 70',
      `Max-Forwards: 70\r\n${pad}`,
    );
    const msg = bytesOf(head);
    assert.ok(msg.length > 64_000 && msg.length <= 65_536, `message is ${msg.length} bytes`);
    const framer = new SipStreamFramer();
    const out: Uint8Array[] = [];
    for (let i = 0; i < msg.length; i++) out.push(...framer.push(msg.subarray(i, i + 1)).messages);
    assert.equal(out.length, 1);
    assert.deepEqual(out[0], msg);
    const work = framer.work;
    // The old framer copied the whole buffer on every byte: about n²/2 = 2·10⁹ bytes here.
    assert.ok(work.bytesCopied <= 3 * msg.length, `copied ${work.bytesCopied} bytes for ${msg.length}`);
    const headerBytes = head.indexOf('\r\n\r\n') + 4;
    assert.ok(
      work.bytesScanned <= headerBytes,
      `scanned ${work.bytesScanned} of ${headerBytes} header bytes`,
    );
    assert.equal(work.headersRead, 1, 'the header block is decoded once, not once per body byte');
    assert.equal(framer.bufferedBytes, 0);
  });

  it('does linear work for many small messages in one write', () => {
    const one = optionsRequest();
    const chunk = concat(...Array.from({ length: 200 }, () => one));
    const framer = new SipStreamFramer();
    assert.equal(framer.push(chunk).messages.length, 200);
    assert.ok(framer.work.bytesCopied <= chunk.length, `copied ${framer.work.bytesCopied}`);
    assert.ok(framer.work.bytesScanned <= chunk.length);
  });

  it('bounds headers without an end and bodies past 64 KB', () => {
    const endless = frameAll([bytesOf('OPTIONS sip:x SIP/2.0\r\n'), new Uint8Array(70000).fill(0x41)]);
    assert.match(endless.error?.message ?? '', /longer than 65536/);
    const huge = bytesOf(text(optionsRequest()).replace('Content-Length: 0', 'Content-Length: 70000'));
    assert.match(frameAll([huge]).error?.message ?? '', /larger than 65536/);
    const framer = new SipStreamFramer();
    for (let i = 0; i < 100; i++) framer.push(new Uint8Array(1000).fill(0x41));
    assert.ok(framer.failed);
    assert.equal(framer.bufferedBytes, 0);
  });

  it('yields the same messages for every split of a stream (property)', () => {
    const message = fc
      .record({ callId: fc.stringMatching(/^[a-z0-9]{1,12}$/), body: fc.string({ maxLength: 200 }) })
      .map(({ callId, body }) => optionsRequest({ callId, body }));
    const item = fc.oneof(
      { weight: 4, arbitrary: message.map((m) => ({ bytes: m, message: true })) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('\r\n', '\r\n\r\n').map((k) => ({ bytes: bytesOf(k), message: false })),
      },
    );
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 40 }),
        (items, cuts) => {
          const stream = concat(...items.map((i) => i.bytes));
          const chunks: Uint8Array[] = [];
          let at = 0;
          for (const cut of cuts) {
            if (at >= stream.length) break;
            chunks.push(stream.subarray(at, at + cut));
            at += cut;
          }
          chunks.push(stream.subarray(at));
          const out = frameAll(chunks);
          assert.equal(out.error, undefined);
          assert.deepEqual(
            out.messages,
            items.filter((i) => i.message).map((i) => text(i.bytes)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
