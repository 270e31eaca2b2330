import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransactionStateError } from '../../../../src/sip/transaction/index.js';
import { describeSent, harness, request, response, TCP_PEER, UDP_PEER } from './support.js';

describe('INVITE server transaction (RFC 3261 §17.2.1)', () => {
  it('retransmits a 486 over UDP at 500, 1500, 3500, 7500 ms and then every T2, until ACK; Timer I ends it', () => {
    const h = harness();
    const invite = request();
    h.layer.receive(invite, UDP_PEER);
    const tx = h.requests[0]!.tx;
    tx.respond(response(invite, 486));
    assert.equal(tx.state, 'completed');
    h.scheduler.advance(16_000);
    const times = h.sent.filter((s) => describeSent(s) === '486').map((s) => s.atMs);
    assert.deepEqual(times, [0, 500, 1500, 3500, 7500, 11_500, 15_500]);
    h.layer.receive(request({ method: 'ACK', toTag: 'uas1' }), UDP_PEER);
    assert.equal(tx.state, 'confirmed');
    const before = h.sent.length;
    h.layer.receive(request({ method: 'ACK', toTag: 'uas1' }), UDP_PEER);
    h.scheduler.advance(4999);
    assert.equal(h.sent.length, before, 'no retransmission after ACK, ACK retransmission absorbed');
    assert.equal(tx.state, 'confirmed');
    h.scheduler.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.equal(h.layer.size, 0);
    assert.equal(h.acks.length, 0);
    assert.equal(h.scheduler.pending, 0);
  });

  it('times out with Timer H (64·T1) when no ACK comes', () => {
    const h = harness();
    const invite = request();
    h.layer.receive(invite, UDP_PEER);
    const tx = h.requests[0]!.tx;
    tx.respond(response(invite, 486));
    h.scheduler.advance(31_999);
    assert.equal(tx.state, 'completed');
    assert.deepEqual(h.timeouts, []);
    h.scheduler.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.deepEqual(h.timeouts, ['SIP_TRANSACTION_TIMEOUT']);
    const last = h.sent.at(-1)!;
    assert.ok(last.atMs < 32_000);
    assert.equal(h.scheduler.pending, 0);
  });

  it('honours configured T1/T2', () => {
    const h = harness({ timers: { t1Ms: 100, t2Ms: 300 } });
    const invite = request();
    h.layer.receive(invite, UDP_PEER);
    h.requests[0]!.tx.respond(response(invite, 603));
    h.scheduler.advance(1000);
    assert.deepEqual(
      h.sent.map((s) => s.atMs),
      [0, 100, 300, 600, 900],
    );
  });

  it('over TCP sends no retransmissions and ends at once on ACK (Timer I = 0)', () => {
    const h = harness();
    const invite = request({ transport: 'TCP' });
    h.layer.receive(invite, TCP_PEER);
    const tx = h.requests[0]!.tx;
    tx.respond(response(invite, 486));
    h.scheduler.advance(10_000);
    assert.equal(h.sent.length, 1);
    h.layer.receive(request({ method: 'ACK', transport: 'TCP', toTag: 'uas1' }), TCP_PEER);
    assert.equal(tx.state, 'terminated');
  });

  it('sends 100 Trying after 200 ms only when the TU is slow', () => {
    const slow = harness();
    slow.layer.receive(request(), UDP_PEER);
    slow.scheduler.advance(199);
    assert.equal(slow.sent.length, 0);
    slow.scheduler.advance(1);
    assert.deepEqual(slow.sent.map(describeSent), ['100']);
    assert.equal(slow.sent[0]!.atMs, 200);

    const fast = harness();
    const invite = request();
    fast.layer.receive(invite, UDP_PEER);
    fast.scheduler.advance(50);
    fast.requests[0]!.tx.respond(response(invite, 180));
    fast.scheduler.advance(1000);
    assert.deepEqual(fast.sent.map(describeSent), ['180']);
  });

  it('absorbs INVITE retransmissions, re-sending the last provisional and then the final', () => {
    const h = harness();
    const invite = request();
    h.layer.receive(invite, UDP_PEER);
    h.layer.receive(request(), UDP_PEER);
    assert.equal(h.sent.length, 0, 'nothing to re-send before any response');
    const tx = h.requests[0]!.tx;
    tx.respond(response(invite, 180));
    h.layer.receive(request(), UDP_PEER);
    assert.deepEqual(h.sent.map(describeSent), ['180', '180']);
    tx.respond(response(invite, 486));
    h.layer.receive(request(), UDP_PEER);
    assert.deepEqual(h.sent.map(describeSent), ['180', '180', '486', '486']);
    assert.equal(h.requests.length, 1, 'the TU saw one request');
  });

  it('after a 2xx goes to Accepted, re-sends the 2xx for retransmitted INVITEs, and ends after Timer L', () => {
    const h = harness();
    const invite = request();
    h.layer.receive(invite, UDP_PEER);
    const tx = h.requests[0]!.tx;
    tx.respond(response(invite, 200));
    assert.equal(tx.state, 'accepted');
    h.scheduler.advance(1000);
    assert.equal(h.sent.length, 1, 'the transaction itself does not retransmit a 2xx');
    h.layer.receive(request(), UDP_PEER);
    assert.deepEqual(h.sent.map(describeSent), ['200', '200']);
    // The ACK for a 2xx is the TU's (RFC 6026).
    h.layer.receive(request({ method: 'ACK', toTag: 'uas1' }), UDP_PEER);
    assert.equal(h.acks.length, 1);
    assert.throws(() => tx.respond(response(invite, 486)), TransactionStateError);
    h.scheduler.advance(31_000);
    assert.equal(tx.state, 'terminated');
    assert.equal(h.requests.length, 1);
  });
});

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('answers a retransmitted request with the same final response and ends after Timer J', () => {
    const h = harness();
    const bye = request({ method: 'BYE', branch: 'z9hG4bK-bye', toTag: 'uas1' });
    h.layer.receive(bye, UDP_PEER);
    const tx = h.requests[0]!.tx;
    h.layer.receive(bye, UDP_PEER);
    assert.equal(h.sent.length, 0, 'retransmission in Trying is dropped');
    const ok = response(bye, 200);
    tx.respond(ok);
    h.scheduler.advance(10_000);
    h.layer.receive(bye, UDP_PEER);
    assert.equal(h.sent.length, 2);
    assert.equal(h.sent[1]!.message, ok);
    assert.equal(h.requests.length, 1);
    h.scheduler.advance(21_999);
    assert.equal(tx.state, 'completed');
    h.scheduler.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.equal(h.layer.size, 0);
  });

  it('re-sends the last provisional in Proceeding', () => {
    const h = harness();
    const options = request({ method: 'OPTIONS', branch: 'z9hG4bK-o' });
    h.layer.receive(options, UDP_PEER);
    h.requests[0]!.tx.respond(response(options, 100));
    h.layer.receive(options, UDP_PEER);
    assert.deepEqual(h.sent.map(describeSent), ['100', '100']);
  });

  it('over TCP ends as soon as the final is sent (Timer J = 0)', () => {
    const h = harness();
    const bye = request({ method: 'BYE', transport: 'TCP', toTag: 'uas1' });
    h.layer.receive(bye, TCP_PEER);
    const tx = h.requests[0]!.tx;
    tx.respond(response(bye, 200));
    assert.equal(tx.state, 'terminated');
    assert.equal(h.layer.size, 0);
    assert.throws(() => tx.respond(response(bye, 200)), TransactionStateError);
  });
});
