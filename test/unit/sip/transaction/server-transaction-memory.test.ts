/**
 * Issue 9: a server transaction kept the whole datagram for 32 s (1,500 × 60 KB OPTIONS held
 * 86 MB). It must keep only what re-answering needs: the key, the headers a response copies and
 * the last response.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { SipRequest } from '../../../../src/sip/message/index.js';
import { createResponse, parseMessage } from '../../../../src/sip/message/index.js';
import type { ServerTransaction } from '../../../../src/sip/transaction/index.js';
import { TransactionLayer } from '../../../../src/sip/transaction/index.js';
import { FakeScheduler } from '../../../../src/sip/transaction/testing.js';
import { UDP_PEER } from './support.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const BODY_BYTES = 60_000;
const enc = new TextEncoder();

/** A 60 KB OPTIONS as its own datagram buffer, parsed the way the transport parses it. */
function bigOptions(i: number): SipRequest {
  const head = [
    'OPTIONS sip:voxbridge@127.0.0.1 SIP/2.0',
    `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-mem-${i}`,
    'Max-Forwards: 70',
    'To: <sip:voxbridge@127.0.0.1>',
    'From: <sip:probe@192.0.2.10>;tag=probe',
    `Call-ID: mem-${i}@192.0.2.10`,
    'CSeq: 1 OPTIONS',
    `X-Padding: ${'x'.repeat(200)}`,
    'Content-Type: text/plain',
    `Content-Length: ${BODY_BYTES}`,
    '',
    '',
  ].join('\r\n');
  const bytes = new Uint8Array(head.length + BODY_BYTES);
  bytes.set(enc.encode(head));
  bytes.fill(0x62, head.length);
  const message = parseMessage(bytes);
  if (message.kind !== 'request') throw new Error('expected a request');
  return message;
}

function retainedBytes(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

describe('server transaction memory', () => {
  it('keeps the start line and the copied headers of its request, never the body', () => {
    const transactions: ServerTransaction[] = [];
    const layer = new TransactionLayer({
      scheduler: new FakeScheduler(),
      send: () => undefined,
      onRequest: (_request, tx) => transactions.push(tx),
    });
    layer.receive(bigOptions(1), UDP_PEER);
    const tx = transactions[0]!;
    assert.equal(tx.request.body.length, 0);
    assert.deepEqual(
      tx.request.headers.map((h) => h.name),
      ['Via', 'To', 'From', 'Call-ID', 'CSeq'],
    );
    assert.equal(tx.request.method, 'OPTIONS');
    // What it keeps is still enough to answer, with the same key headers.
    tx.respond(createResponse(tx.request, 200, undefined, { toTag: 't' }));
    assert.equal(tx.lastResponse?.status, 200);
  });

  it('holds well under 10 MB for 1,500 answered 60 KB OPTIONS still in Timer J', () => {
    const scheduler = new FakeScheduler();
    let live = 0;
    const layer = new TransactionLayer({
      scheduler,
      send: () => undefined,
      // The TU answers at once and keeps nothing, as the user agent does for OPTIONS.
      onRequest: (request, tx) => {
        live++;
        tx.respond(createResponse(request, 200, undefined, { toTag: 'mem' }));
      },
    });
    const before = retainedBytes();
    for (let i = 0; i < 1500; i++) layer.receive(bigOptions(i), UDP_PEER);
    const held = retainedBytes() - before;
    assert.equal(live, 1500);
    assert.equal(layer.size, 1500, 'every transaction is still in Timer J');
    console.log(`1,500 × 60 KB OPTIONS in Timer J retain ${(held / 2 ** 20).toFixed(1)} MB`);
    // The old transaction kept each datagram: 1,500 × 60 KB ≈ 86 MB.
    assert.ok(held < 10 * 2 ** 20, `retained ${(held / 2 ** 20).toFixed(1)} MB`);
    // Timer J (64·T1) ends them all, and the memory goes with them.
    scheduler.advance(64 * 500);
    assert.equal(layer.size, 0);
  });
});
