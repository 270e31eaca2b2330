import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../../../src/core/index.js';
import type { SipResponse } from '../../../../src/sip/message/index.js';
import { getHeader } from '../../../../src/sip/message/index.js';
import { newBranch, TransactionLimitError } from '../../../../src/sip/transaction/index.js';
import { FakeScheduler } from '../../../../src/sip/transaction/testing.js';
import { describeSent, harness, request, response, UDP_PEER } from './support.js';

describe('transaction matching (RFC 3261 §17.2.3)', () => {
  it('CANCEL is its own transaction and finds the INVITE it cancels', () => {
    const h = harness();
    h.layer.receive(request(), UDP_PEER);
    const cancel = request({ method: 'CANCEL' });
    h.layer.receive(cancel, UDP_PEER);
    assert.equal(h.requests.length, 2);
    const [inviteEntry, cancelEntry] = h.requests;
    assert.equal(cancelEntry!.tx.kind, 'non-invite');
    assert.equal(h.layer.findInviteFor(cancel), inviteEntry!.tx);
    assert.equal(h.layer.findInviteFor(request({ method: 'CANCEL', branch: 'z9hG4bK-other' })), undefined);
  });

  it('tells requests apart by branch and by method', () => {
    const h = harness();
    h.layer.receive(request({ branch: 'z9hG4bK-1' }), UDP_PEER);
    h.layer.receive(request({ branch: 'z9hG4bK-2' }), UDP_PEER);
    h.layer.receive(request({ method: 'OPTIONS', branch: 'z9hG4bK-1' }), UDP_PEER);
    assert.equal(h.requests.length, 3);
  });

  it('falls back to RFC 2543 matching without the magic cookie', () => {
    const h = harness();
    const invite = request({ branch: 'old2543' });
    h.layer.receive(invite, UDP_PEER);
    const tx = h.requests[0]!.tx;
    tx.respond(response(invite, 486, 'uas7'));
    // Same Request-URI, From tag, Call-ID, CSeq and top Via: a retransmission.
    h.layer.receive(request({ branch: 'old2543' }), UDP_PEER);
    assert.equal(h.requests.length, 1);
    assert.deepEqual(h.sent.map(describeSent), ['486', '486']);
    // A different CSeq is a new request.
    h.layer.receive(request({ branch: 'old2543', cseq: 2 }), UDP_PEER);
    assert.equal(h.requests.length, 2);
    // An ACK with the wrong To tag does not match; the right one confirms.
    h.layer.receive(request({ method: 'ACK', branch: 'old2543', toTag: 'wrong' }), UDP_PEER);
    assert.equal(tx.state, 'completed');
    assert.equal(h.acks.length, 1);
    h.layer.receive(request({ method: 'ACK', branch: 'old2543', toTag: 'uas7' }), UDP_PEER);
    assert.equal(tx.state, 'confirmed');
    // CANCEL finds its INVITE the 2543 way too.
    assert.equal(h.layer.findInviteFor(request({ method: 'CANCEL', branch: 'old2543' })), tx);
  });

  it('routes responses to client transactions by branch and CSeq method, others as stray', () => {
    const stray: SipResponse[] = [];
    const h = harness({ onStrayResponse: (r) => stray.push(r) });
    const got: number[] = [];
    const bye = request({ method: 'BYE', branch: newBranch(), toTag: 'x' });
    h.layer.sendRequest(bye, UDP_PEER, { onResponse: (r) => got.push(r.status) });
    h.layer.receive(response(request({ method: 'BYE', branch: 'z9hG4bK-nope', toTag: 'x' }), 200), UDP_PEER);
    h.layer.receive(response(bye, 200), UDP_PEER);
    assert.deepEqual(got, [200]);
    assert.equal(stray.length, 1);
  });

  it('drops messages whose transaction headers cannot be read', () => {
    const h = harness();
    const broken = { ...request(), headers: request().headers.filter((x) => x.name !== 'Via') };
    h.layer.receive(broken, UDP_PEER);
    assert.equal(h.layer.stats.dropped, 1);
    assert.equal(h.requests.length, 0);
  });
});

describe('TransactionLayer', () => {
  it('bounds the number of transactions: a stateless 503 beyond it, room again after termination', () => {
    const h = harness({ maxTransactions: 2 });
    h.layer.receive(request({ method: 'OPTIONS', branch: 'z9hG4bK-1' }), UDP_PEER);
    h.layer.receive(request({ method: 'OPTIONS', branch: 'z9hG4bK-2' }), UDP_PEER);
    h.layer.receive(request({ method: 'OPTIONS', branch: 'z9hG4bK-3' }), UDP_PEER);
    assert.equal(h.requests.length, 2);
    assert.equal(h.layer.stats.rejected, 1);
    const rejected = h.sent[0]!.message;
    assert.equal(describeSent(h.sent[0]!), '503');
    assert.equal(getHeader(rejected, 'Retry-After'), '5');
    // RFC 3261 §20.43 (issue 10): every 4xx/5xx says what was wrong.
    assert.equal(getHeader(rejected, 'Warning'), '399 voxbridge "transaction table full"');
    assert.throws(
      () => h.layer.sendRequest(request({ method: 'BYE', branch: 'z9hG4bK-4' }), UDP_PEER),
      TransactionLimitError,
    );
    const first = h.requests[0]!;
    first.tx.respond(response(first.request, 200));
    h.scheduler.advance(32_000);
    assert.equal(h.layer.size, 1);
    h.layer.receive(request({ method: 'OPTIONS', branch: 'z9hG4bK-5' }), UDP_PEER);
    assert.equal(h.requests.length, 3);
  });

  it('refuses client requests without an RFC 3261 branch, and ACKs', () => {
    const h = harness();
    assert.throws(() => h.layer.sendRequest(request({ branch: 'nocookie' }), UDP_PEER), InvalidArgumentError);
    assert.throws(() => h.layer.sendRequest(request({ method: 'ACK' }), UDP_PEER), InvalidArgumentError);
    assert.match(newBranch(), /^z9hG4bK[A-Za-z0-9_-]{16}$/);
  });

  it('validates its timer configuration', () => {
    assert.throws(() => harness({ timers: { t1Ms: 0 } }), InvalidArgumentError);
    assert.throws(() => harness({ timers: { t1Ms: 5000, t2Ms: 4000 } }), InvalidArgumentError);
  });
});

describe('FakeScheduler', () => {
  it('fires due timers in order, with the clock at each due time, including timers set while firing', () => {
    const s = new FakeScheduler();
    const log: string[] = [];
    s.set(300, () => log.push(`c@${s.clock.nowMs()}`));
    s.set(100, () => {
      log.push(`a@${s.clock.nowMs()}`);
      s.set(50, () => log.push(`b@${s.clock.nowMs()}`));
    });
    const cleared = s.set(200, () => log.push('never'));
    s.clear(cleared);
    s.advance(250);
    assert.deepEqual(log, ['a@100', 'b@150']);
    assert.equal(s.clock.nowMs(), 250);
    s.advance(50);
    assert.deepEqual(log, ['a@100', 'b@150', 'c@300']);
    assert.equal(s.pending, 0);
  });
});
