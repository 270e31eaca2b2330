import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SipResponse } from '../../../../src/sip/message/index.js';
import { getCseq, getHeader, getVias } from '../../../../src/sip/message/index.js';
import type { TransactionTimeoutError } from '../../../../src/sip/transaction/index.js';
import { describeSent, harness, request, response, TCP_PEER, UDP_PEER } from './support.js';

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('retransmits on Timer E (500, 1500, 3500, 7500, then every T2) and times out on Timer F', () => {
    const h = harness();
    const timeouts: TransactionTimeoutError[] = [];
    const tx = h.layer.sendRequest(request({ method: 'BYE', toTag: 'uas1' }), UDP_PEER, {
      onTimeout: (e) => timeouts.push(e),
    });
    h.scheduler.advance(31_999);
    assert.deepEqual(
      h.sent.map((s) => s.atMs),
      [0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500],
    );
    assert.equal(timeouts.length, 0);
    h.scheduler.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.equal(timeouts[0]?.timer, 'F');
    assert.equal(h.layer.size, 0);
    assert.equal(h.scheduler.pending, 0);
  });

  it('after a provisional retransmits every T2; a final completes it and Timer K (T4) ends it', () => {
    const h = harness();
    const responses: number[] = [];
    const bye = request({ method: 'BYE', toTag: 'uas1' });
    const tx = h.layer.sendRequest(bye, UDP_PEER, { onResponse: (r) => responses.push(r.status) });
    h.scheduler.advance(600);
    h.layer.receive(response(bye, 100), UDP_PEER);
    assert.equal(tx.state, 'proceeding');
    h.scheduler.advance(9000);
    // E was re-armed at 500 for 1000 ms (set while Trying); afterwards every T2.
    assert.deepEqual(
      h.sent.map((s) => s.atMs),
      [0, 500, 1500, 5500, 9500],
    );
    h.layer.receive(response(bye, 200), UDP_PEER);
    h.layer.receive(response(bye, 200), UDP_PEER);
    assert.deepEqual(responses, [100, 200], 'the retransmitted final is absorbed');
    assert.equal(tx.state, 'completed');
    h.scheduler.advance(5000);
    assert.equal(tx.state, 'terminated');
    assert.equal(h.sent.length, 5);
  });

  it('over TCP neither retransmits nor waits in Completed', () => {
    const h = harness();
    const bye = request({ method: 'BYE', transport: 'TCP', toTag: 'uas1' });
    const tx = h.layer.sendRequest(bye, TCP_PEER);
    h.scheduler.advance(10_000);
    assert.equal(h.sent.length, 1);
    h.layer.receive(response(bye, 200), TCP_PEER);
    assert.equal(tx.state, 'terminated');
  });
});

describe('INVITE client transaction (RFC 3261 §17.1.1)', () => {
  it('retransmits on Timer A (doubling) and times out on Timer B', () => {
    const h = harness();
    const timeouts: TransactionTimeoutError[] = [];
    h.layer.sendRequest(request(), UDP_PEER, { onTimeout: (e) => timeouts.push(e) });
    h.scheduler.advance(32_000);
    assert.deepEqual(
      h.sent.map((s) => s.atMs),
      [0, 500, 1500, 3500, 7500, 15_500, 31_500],
    );
    assert.equal(timeouts[0]?.timer, 'B');
  });

  it('generates the ACK for a 486, re-sends it for a retransmitted 486, and ends after Timer D', () => {
    const h = harness();
    const got: SipResponse[] = [];
    const invite = request({ cseq: 7 });
    const tx = h.layer.sendRequest(invite, UDP_PEER, { onResponse: (r) => got.push(r) });
    h.layer.receive(response(invite, 180), UDP_PEER);
    h.scheduler.advance(5000);
    assert.equal(h.sent.length, 1, 'no retransmission once Proceeding');
    h.layer.receive(response(invite, 486, 'busy9'), UDP_PEER);
    assert.equal(tx.state, 'completed');
    const ack = h.sent[1]!.message;
    assert.equal(ack.kind, 'request');
    assert.equal(describeSent(h.sent[1]!), 'ACK');
    if (ack.kind !== 'request') return;
    assert.equal(ack.uri, invite.uri);
    assert.deepEqual(getCseq(ack), { seq: 7, method: 'ACK' });
    assert.equal(getVias(ack)[0]?.branch, 'z9hG4bK-a1');
    assert.match(getHeader(ack, 'To') ?? '', /tag=busy9/);
    h.layer.receive(response(invite, 486, 'busy9'), UDP_PEER);
    assert.deepEqual(h.sent.map(describeSent), ['INVITE', 'ACK', 'ACK']);
    assert.deepEqual(
      got.map((r) => r.status),
      [180, 486],
    );
    h.scheduler.advance(31_999);
    assert.equal(tx.state, 'completed');
    h.scheduler.advance(1);
    assert.equal(tx.state, 'terminated');
  });

  it('passes a 2xx and its retransmissions to the TU without an ACK (RFC 6026 Accepted)', () => {
    const h = harness();
    const got: number[] = [];
    const invite = request();
    const tx = h.layer.sendRequest(invite, UDP_PEER, { onResponse: (r) => got.push(r.status) });
    h.layer.receive(response(invite, 200), UDP_PEER);
    h.layer.receive(response(invite, 200), UDP_PEER);
    assert.equal(tx.state, 'accepted');
    assert.deepEqual(got, [200, 200]);
    assert.deepEqual(h.sent.map(describeSent), ['INVITE']);
    h.scheduler.advance(32_000);
    assert.equal(tx.state, 'terminated');
  });
});
