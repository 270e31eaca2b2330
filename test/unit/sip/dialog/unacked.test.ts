// Issue 9: a source (spoofable over UDP) must not hold any number of answered-but-never-ACKed
// dialogs, each with RTP ports and a 2xx retransmitted for 32 s.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SipDestination } from '../../../../src/sip/transport/index.js';
import { ackFor, flush, harness, header, lastResponse, PEER, req, SDP_ANSWER } from './support.js';

const OTHER: SipDestination = { transport: 'udp', address: '127.0.0.2', port: 5070 };

describe('SipUserAgent: unacknowledged dialogs per source', () => {
  it('refuses the INVITE past the limit from one source with 503 + Retry-After, counted', async () => {
    const h = harness({ maxUnackedPerSource: 3, retryAfterS: 9 });
    h.handler.autoAnswer = { body: SDP_ANSWER };
    for (let i = 0; i < 3; i++) h.ua.receive(req({ callId: `c${i}`, fromTag: `t${i}` }), PEER);
    await flush();
    assert.equal(h.ua.unackedDialogs, 3);
    // Another port of the same address counts against the same source.
    h.ua.receive(req({ callId: 'c3', fromTag: 't3' }), { ...PEER, port: 5999 });
    const refused = lastResponse(h.sent);
    assert.equal(refused.status, 503);
    assert.equal(header(refused, 'Retry-After'), '9');
    assert.equal(h.ua.stats.unackedRefused, 1);
    assert.equal(h.handler.calls.length, 3, 'the refused INVITE never reaches the handler');

    // Another source is not affected.
    h.ua.receive(req({ callId: 'o1', fromTag: 'o1' }), OTHER);
    await flush();
    assert.equal(h.handler.calls.length, 4);
    assert.equal(lastResponse(h.sent).status, 200);
  });

  it('an ACK frees the slot: the source may place another call', async () => {
    const h = harness({ maxUnackedPerSource: 1 });
    h.handler.autoAnswer = { body: SDP_ANSWER };
    h.ua.receive(req({ callId: 'a', fromTag: 'a' }), PEER);
    await flush();
    const ok = lastResponse(h.sent, 200);
    h.ua.receive(req({ callId: 'b', fromTag: 'b' }), PEER);
    assert.equal(lastResponse(h.sent).status, 503);
    h.ua.receive(ackFor(ok, { callId: 'a', fromTag: 'a' }), PEER);
    assert.deepEqual(h.handler.confirmed.length, 1);
    assert.equal(h.ua.unackedDialogs, 0);
    h.ua.receive(req({ callId: 'c', fromTag: 'c' }), PEER);
    await flush();
    assert.equal(lastResponse(h.sent).status, 200);
    assert.equal(h.ua.activeCalls, 2);
    assert.equal(h.ua.stats.unackedRefused, 1);
  });

  it('a dialog that ends unacknowledged (no ACK in 64*T1) frees its slot', async () => {
    const h = harness({ maxUnackedPerSource: 1 });
    h.handler.autoAnswer = { body: SDP_ANSWER };
    h.ua.receive(req({ callId: 'a', fromTag: 'a' }), PEER);
    await flush();
    h.scheduler.advance(64 * 500);
    assert.deepEqual(
      h.handler.ended.map((e) => e.reason),
      ['no-ack'],
    );
    assert.equal(h.ua.unackedDialogs, 0);
    h.ua.receive(req({ callId: 'b', fromTag: 'b' }), PEER);
    await flush();
    assert.equal(lastResponse(h.sent).status, 200);
    assert.equal(h.ua.stats.unackedRefused, 0);
  });

  it('counts TCP dialogs per connection', async () => {
    const h = harness({ maxUnackedPerSource: 1 });
    h.handler.autoAnswer = { body: SDP_ANSWER };
    h.ua.receive(req({ callId: 'a', fromTag: 'a' }), { transport: 'tcp', connectionId: 'k1' });
    h.ua.receive(req({ callId: 'b', fromTag: 'b' }), { transport: 'tcp', connectionId: 'k1' });
    h.ua.receive(req({ callId: 'c', fromTag: 'c' }), { transport: 'tcp', connectionId: 'k2' });
    await flush();
    assert.equal(h.handler.calls.length, 2);
    assert.equal(h.ua.stats.unackedRefused, 1);
  });

  it('rejects a limit below 1', () => {
    assert.throws(() => harness({ maxUnackedPerSource: 0 }), /maxUnackedPerSource/);
  });
});
