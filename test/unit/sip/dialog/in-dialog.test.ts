import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SipRejection } from '../../../../src/sip/dialog/index.js';
import type { SipRequest } from '../../../../src/sip/message/index.js';
import { getCseq, getTo } from '../../../../src/sip/message/index.js';
import { ackFor, flush, harness, header, lastResponse, PEER, req, SDP_ANSWER, SDP_OFFER } from './support.js';

async function established(options: Parameters<typeof harness>[0] = {}) {
  const h = harness(options);
  h.handler.autoAnswer = { body: SDP_ANSWER };
  h.ua.receive(req(), PEER);
  await flush();
  const ok = lastResponse(h.sent, 200);
  h.ua.receive(ackFor(ok), PEER);
  h.clear();
  return { ...h, tag: getTo(ok).tag!, dialogId: h.handler.calls[0]!.dialogId };
}

describe('SipUserAgent: re-INVITE and UPDATE', () => {
  it('re-INVITE → onReoffer → 200 with the answer; the 2xx is retransmitted until the ACK', async () => {
    const h = await established();
    const reinvite = req({ toTag: h.tag, cseq: 2 });
    h.ua.receive(reinvite, PEER);
    assert.equal(h.handler.reoffers[0], reinvite);
    await flush();
    const ok = lastResponse(h.sent, 200);
    assert.equal(getCseq(ok).seq, 2);
    assert.equal(new TextDecoder().decode(ok.body), SDP_ANSWER);
    assert.equal(header(ok, 'Contact'), '<sip:127.0.0.1:5060>');
    h.scheduler.advance(500);
    assert.equal(h.responses().length, 2);
    h.ua.receive(ackFor(ok), PEER);
    h.scheduler.advance(40_000);
    assert.equal(h.responses().length, 2);
    assert.deepEqual(h.handler.ended, []);
    assert.equal(h.handler.confirmed.length, 1);
  });

  it('SipRejection → that status and the dialog stays', async () => {
    const h = await established();
    h.handler.reofferAnswer = () => Promise.reject(new SipRejection(488, 'Not Acceptable Here'));
    h.ua.receive(req({ toTag: h.tag, cseq: 2 }), PEER);
    await flush();
    assert.equal(lastResponse(h.sent).status, 488);
    h.handler.reofferAnswer = () => Promise.resolve({ body: SDP_ANSWER });
    h.ua.receive(req({ toTag: h.tag, cseq: 3 }), PEER);
    await flush();
    assert.equal(lastResponse(h.sent).status, 200);
    assert.equal(h.ua.activeCalls, 1);
  });

  it('a second offer while one is being answered → 500 + Retry-After; while our offer awaits the ACK → 491', async () => {
    const h = await established();
    let release: (() => void) | undefined;
    h.handler.reofferAnswer = () =>
      new Promise((resolve) => {
        release = () => resolve({ body: SDP_ANSWER });
      });
    h.ua.receive(req({ toTag: h.tag, cseq: 2 }), PEER);
    h.ua.receive(req({ toTag: h.tag, cseq: 3 }), PEER);
    const busy = lastResponse(h.sent, 500);
    assert.equal(getCseq(busy).seq, 3);
    assert.match(header(busy, 'Retry-After') ?? '', /^([0-9]|10)$/);
    h.ua.receive(
      req({ method: 'UPDATE', toTag: h.tag, cseq: 4, body: SDP_OFFER, contentType: 'application/sdp' }),
      PEER,
    );
    assert.equal(lastResponse(h.sent).status, 500);
    release!();
    await flush();
    const ok = lastResponse(h.sent, 200);
    h.ua.receive(ackFor(ok), PEER);

    // An offerless re-INVITE: our 2xx carries an offer, whose answer comes in the ACK.
    h.handler.reofferAnswer = () => Promise.resolve({ body: SDP_ANSWER });
    h.ua.receive(req({ toTag: h.tag, cseq: 5, body: '' }), PEER);
    await flush();
    const offer = lastResponse(h.sent, 200);
    assert.equal(getCseq(offer).seq, 5);
    h.ua.receive(req({ toTag: h.tag, cseq: 6 }), PEER);
    assert.equal(lastResponse(h.sent).status, 491);
    h.ua.receive(ackFor(offer, { body: SDP_OFFER }), PEER);
    h.ua.receive(req({ toTag: h.tag, cseq: 7 }), PEER);
    await flush();
    assert.equal(getCseq(lastResponse(h.sent)).seq, 7);
    assert.equal(lastResponse(h.sent).status, 200);
  });

  it('a request with a lower CSeq than the last → 500 (RFC 3261 §12.2.2)', async () => {
    const h = await established();
    h.ua.receive(req({ method: 'INFO', toTag: h.tag, cseq: 5, body: '' }), PEER);
    h.ua.receive(req({ method: 'INFO', toTag: h.tag, cseq: 4, body: '' }), PEER);
    assert.deepEqual(
      h.responses().map((r) => `${r.status} ${r.reason}`),
      ['200 OK', '500 Out of Order'],
    );
  });

  it('UPDATE with an offer → onReoffer → 200 with the answer; without a body → 200 without the handler', async () => {
    const h = await established();
    h.ua.receive(req({ method: 'UPDATE', toTag: h.tag, cseq: 2, body: SDP_OFFER }), PEER);
    await flush();
    assert.equal(h.handler.reoffers.length, 1);
    assert.equal(new TextDecoder().decode(lastResponse(h.sent).body), SDP_ANSWER);
    h.ua.receive(req({ method: 'UPDATE', toTag: h.tag, cseq: 3, body: '' }), PEER);
    assert.equal(h.handler.reoffers.length, 1);
    const ok = lastResponse(h.sent);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.length, 0);
    // UPDATE needs no ACK: no retransmission.
    h.scheduler.advance(10_000);
    assert.equal(h.responses().length, 2);
  });

  it('a BYE while a re-INVITE is being answered: 487 to the re-INVITE, onEnded(remote-bye)', async () => {
    const h = await established();
    h.handler.reofferAnswer = () => new Promise(() => undefined);
    h.ua.receive(req({ toTag: h.tag, cseq: 2 }), PEER);
    h.ua.receive(req({ method: 'BYE', toTag: h.tag, cseq: 3, body: '' }), PEER);
    assert.deepEqual(h.statuses(), ['200 BYE', '487 INVITE']);
    assert.deepEqual(
      h.handler.ended.map((e) => e.reason),
      ['remote-bye'],
    );
  });
});

describe('SipUserAgent: INFO and OPTIONS', () => {
  it('INFO dtmf-relay and dtmf → 200 and onDtmf; other bodies → 200 only', async () => {
    const h = await established();
    const info = (cseq: number, body: string, contentType: string): SipRequest =>
      req({ method: 'INFO', toTag: h.tag, cseq, body, contentType });
    h.ua.receive(info(2, 'Signal=5\r\nDuration=160\r\n', 'application/dtmf-relay'), PEER);
    h.ua.receive(info(3, 'Signal= #\r\n', 'application/dtmf-relay'), PEER);
    h.ua.receive(info(4, '11', 'application/dtmf'), PEER);
    h.ua.receive(info(5, '*', 'application/dtmf'), PEER);
    h.ua.receive(info(6, 'Signal=Z\r\n', 'application/dtmf-relay'), PEER);
    h.ua.receive(info(7, '<xml/>', 'application/xml'), PEER);
    assert.deepEqual(
      h.responses().map((r) => r.status),
      [200, 200, 200, 200, 200, 200],
    );
    assert.deepEqual(h.handler.dtmf, [
      { digit: '5', durationMs: 160 },
      { digit: '#', durationMs: 0 },
      { digit: '#', durationMs: 0 },
      { digit: '*', durationMs: 0 },
    ]);
    assert.equal(h.ua.stats.dtmf, 4);
  });

  it('OPTIONS out of and in the dialog → 200 with Allow, Accept, Supported; 503 when draining (out of dialog)', async () => {
    const h = await established({ maxCalls: 1 });
    h.ua.receive(req({ method: 'OPTIONS', callId: 'ping', body: '' }), PEER);
    const ok = lastResponse(h.sent);
    // Full (1 of 1 calls): out-of-dialog OPTIONS says so.
    assert.equal(ok.status, 503);
    assert.equal(header(ok, 'Retry-After'), '5');
    h.ua.receive(req({ method: 'OPTIONS', toTag: h.tag, cseq: 2, body: '' }), PEER);
    const inDialog = lastResponse(h.sent);
    assert.equal(inDialog.status, 200);
    assert.equal(header(inDialog, 'Allow'), 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE');
    assert.equal(
      header(inDialog, 'Accept'),
      'application/sdp, multipart/mixed, application/dtmf-relay, application/dtmf',
    );
    assert.equal(header(inDialog, 'Supported'), 'timer');

    const g = harness();
    g.ua.receive(req({ method: 'OPTIONS', body: '' }), PEER);
    assert.equal(lastResponse(g.sent).status, 200);
    assert.equal(
      header(lastResponse(g.sent), 'Accept'),
      'application/sdp, multipart/mixed, application/dtmf-relay, application/dtmf',
    );
    g.ua.drain();
    g.ua.receive(req({ method: 'OPTIONS', callId: 'two', body: '' }), PEER);
    assert.equal(lastResponse(g.sent).status, 503);
  });
});
