import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getCseq, getTo } from '../../../../src/sip/message/index.js';
import { ackFor, flush, harness, lastResponse, PEER, req, SDP_ANSWER } from './support.js';

describe('SipUserAgent: CANCEL', () => {
  it('200 to the CANCEL, 487 to the INVITE, signal aborted, onEnded(cancelled) once; a late answer is discarded', async () => {
    const h = harness();
    const invite = req({ branch: 'z9hG4bK-inv' });
    h.ua.receive(invite, PEER);
    const call = h.handler.calls[0]!;
    const tag = getTo(lastResponse(h.sent, 180)).tag;
    h.ua.receive(req({ method: 'CANCEL', branch: 'z9hG4bK-inv', body: '' }), PEER);
    assert.deepEqual(h.statuses(), ['180 INVITE', '200 CANCEL', '487 INVITE']);
    // RFC 3261 §9.2: the 200 to CANCEL carries the INVITE responses' To tag.
    assert.equal(getTo(lastResponse(h.sent, 200)).tag, tag);
    assert.equal(call.signal.aborted, true);
    assert.deepEqual(h.handler.ended, [{ dialogId: call.dialogId, reason: 'cancelled' }]);
    assert.equal(h.ua.activeCalls, 0);

    h.handler.answer(call.dialogId);
    await flush();
    assert.equal(h.responses().filter((r) => r.status === 200 && getCseq(r).method === 'INVITE').length, 0);
    // A retransmitted CANCEL is absorbed by its transaction; a second one changes nothing.
    h.ua.receive(req({ method: 'CANCEL', branch: 'z9hG4bK-inv', body: '' }), PEER);
    assert.equal(h.handler.ended.length, 1);
    // The 487 is ACKed by the transaction layer; nothing reaches the handler.
    h.ua.receive(req({ method: 'ACK', branch: 'z9hG4bK-inv', toTag: tag!, body: '' }), PEER);
    assert.equal(h.handler.confirmed.length, 0);
    assert.equal(h.ua.stats.cancelled, 1);
  });

  it('CANCEL after the 200: 200 to the CANCEL only, the call goes on', async () => {
    const h = harness();
    h.handler.autoAnswer = { body: SDP_ANSWER };
    h.ua.receive(req({ branch: 'z9hG4bK-inv2' }), PEER);
    await flush();
    h.ua.receive(req({ method: 'CANCEL', branch: 'z9hG4bK-inv2', body: '' }), PEER);
    assert.deepEqual(h.statuses(), ['180 INVITE', '200 INVITE', '200 CANCEL']);
    assert.deepEqual(h.handler.ended, []);
    assert.equal(h.ua.activeCalls, 1);
  });

  it('CANCEL matching no transaction → 481', () => {
    const h = harness();
    h.ua.receive(req({ method: 'CANCEL', branch: 'z9hG4bK-nothing', body: '' }), PEER);
    assert.equal(lastResponse(h.sent).status, 481);
    assert.equal(h.ua.stats.unmatched, 1);
  });
});

describe('SipUserAgent: BYE', () => {
  it('BYE in the dialog → 200 and onEnded(remote-bye); again → 481', async () => {
    const h = harness();
    h.handler.autoAnswer = { body: SDP_ANSWER };
    h.ua.receive(req(), PEER);
    await flush();
    const ok = lastResponse(h.sent, 200);
    const tag = getTo(ok).tag!;
    h.ua.receive(ackFor(ok), PEER);
    h.ua.receive(req({ method: 'BYE', toTag: tag, cseq: 2, body: '' }), PEER);
    assert.equal(lastResponse(h.sent).status, 200);
    assert.deepEqual(
      h.handler.ended.map((e) => e.reason),
      ['remote-bye'],
    );
    assert.equal(h.ua.activeCalls, 0);
    assert.equal(h.ua.dialogCount, 0);
    h.ua.receive(req({ method: 'BYE', toTag: tag, cseq: 3, body: '' }), PEER);
    assert.equal(lastResponse(h.sent).status, 481);
    assert.equal(h.handler.ended.length, 1);
  });

  it('BYE in the early dialog → 200 to BYE and 487 to the INVITE (RFC 3261 §15.1.2)', () => {
    const h = harness();
    h.ua.receive(req(), PEER);
    const tag = getTo(lastResponse(h.sent, 180)).tag!;
    h.ua.receive(req({ method: 'BYE', toTag: tag, cseq: 2, body: '' }), PEER);
    assert.deepEqual(h.statuses(), ['180 INVITE', '200 BYE', '487 INVITE']);
    assert.deepEqual(
      h.handler.ended.map((e) => e.reason),
      ['remote-bye'],
    );
    assert.equal(h.handler.calls[0]!.signal.aborted, true);
  });

  it('in-dialog requests for unknown dialogs → 481; BYE/INFO/UPDATE without a To tag → 481', () => {
    const h = harness();
    for (const method of ['BYE', 'INFO', 'UPDATE', 'INVITE', 'OPTIONS']) {
      h.ua.receive(req({ method, toTag: 'nope', body: '' }), PEER);
    }
    for (const method of ['BYE', 'INFO', 'UPDATE']) h.ua.receive(req({ method, body: '' }), PEER);
    assert.deepEqual(
      h.responses().map((r) => r.status),
      [481, 481, 481, 481, 481, 481, 481, 481],
    );
    assert.equal(h.handler.calls.length, 0);
  });

  it('recognized but unsupported methods → 405, unrecognized ones → 501, both with Allow', () => {
    const h = harness();
    h.ua.receive(req({ method: 'MESSAGE', body: '' }), PEER);
    h.ua.receive(req({ method: 'PRACK', toTag: 'x', body: '' }), PEER);
    // A method name no RFC defines, as in RFC 4475's torture messages.
    h.ua.receive(req({ method: 'NEWMETHOD', body: '' }), PEER);
    const r = lastResponse(h.sent);
    assert.deepEqual(
      h.responses().map((x) => x.status),
      [405, 405, 501],
    );
    assert.equal(
      r.headers.find((x) => x.name === 'Allow')?.value,
      'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE',
    );
  });
});
