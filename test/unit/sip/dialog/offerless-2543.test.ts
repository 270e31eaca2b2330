import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SipRejection } from '../../../../src/sip/dialog/index.js';
import type { SipRequest } from '../../../../src/sip/message/index.js';
import { getCseq, getHeaders, getTo, parseMessage } from '../../../../src/sip/message/index.js';
import { readTorture } from '../message/rfc4475-fixture.js';
import { ackFor, flush, harness, header, lastResponse, PEER, req, SDP_ANSWER, SDP_OFFER } from './support.js';

/** Our offer in the 200 (what the ingress would write); its content does not matter here. */
const OUR_OFFER = SDP_ANSWER;
const SIPREC_METADATA_ONLY =
  '--b1\r\nContent-Type: application/rs-metadata+xml\r\nContent-Disposition: recording-session\r\n\r\n' +
  '<?xml version="1.0" encoding="UTF-8"?><recording xmlns="urn:ietf:params:xml:ns:recording:1">' +
  '<datamode>complete</datamode></recording>\r\n--b1--\r\n';

function byes(requests: readonly SipRequest[]): SipRequest[] {
  return requests.filter((r) => r.method === 'BYE');
}

describe('SipUserAgent: offerless INVITE (RFC 3261 §13.2.1: offer in the 2xx, answer in the ACK)', () => {
  it('an ACK with the answer confirms the dialog and hands the ACK (with its SDP) to onConfirmed', async () => {
    const h = harness();
    const acks = h.handler.acks;
    h.ua.receive(req({ body: '' }), PEER);
    h.handler.answer(h.handler.calls[0]!.dialogId, { body: OUR_OFFER, offer: true });
    await flush();
    const ok = lastResponse(h.sent, 200);
    assert.equal(new TextDecoder().decode(ok.body), OUR_OFFER);
    // RFC 3261 §13.3.1.4: over UDP the 2xx with our offer is retransmitted (T1, 2·T1, ...) until the ACK.
    h.clear();
    h.scheduler.advance(1500);
    assert.deepEqual(h.statuses(), ['200 INVITE', '200 INVITE']);
    h.ua.receive(ackFor(ok, { body: SDP_OFFER }), PEER);
    h.clear();
    h.scheduler.advance(8000);
    assert.deepEqual(h.statuses(), [], 'no retransmission after the ACK');
    assert.equal(acks.length, 1);
    assert.equal(new TextDecoder().decode(acks[0]!.body), SDP_OFFER);
    assert.deepEqual(byes(h.requests()), []);
    assert.equal(h.ua.stats.badAnswers, 0);
    assert.deepEqual(h.handler.ended, []);
  });

  it('an ACK without SDP ends the dialog: BYE with a Reason, onEnded(bad-answer), counted, no timer left', async () => {
    const h = harness();
    h.ua.receive(req({ body: '' }), PEER);
    h.handler.answer(h.handler.calls[0]!.dialogId, { body: OUR_OFFER, offer: true });
    await flush();
    h.ua.receive(ackFor(lastResponse(h.sent, 200)), PEER);
    const [bye] = byes(h.requests());
    assert.ok(bye, 'a BYE was sent');
    assert.equal(bye.uri, 'sip:caller@127.0.0.1:5070');
    assert.match(header(bye, 'Reason') ?? '', /^SIP ;cause=488 ;text="the ACK carries no SDP answer/);
    assert.equal(h.handler.confirmed.length, 0);
    assert.deepEqual(
      h.handler.ended.map((e) => e.reason),
      ['bad-answer'],
    );
    assert.equal(h.ua.stats.badAnswers, 1);
    assert.equal(h.ua.activeCalls, 0);
    assert.equal(h.ua.unackedDialogs, 0);
    // The 2xx is no longer retransmitted once the ACK came.
    h.clear();
    h.scheduler.advance(4000);
    assert.deepEqual(
      h.sent.filter((s) => s.message.kind === 'response'),
      [],
    );
  });

  it('a SIPREC INVITE with metadata but no SDP: the handler marks its 200 as the offer; an empty ACK → BYE', async () => {
    const h = harness();
    h.ua.receive(
      req({
        body: SIPREC_METADATA_ONLY,
        contentType: 'multipart/mixed;boundary=b1',
        headers: [{ name: 'Require', value: 'siprec' }],
      }),
      PEER,
    );
    h.handler.answer(h.handler.calls[0]!.dialogId, { body: OUR_OFFER, offer: true });
    await flush();
    h.ua.receive(ackFor(lastResponse(h.sent, 200)), PEER);
    assert.equal(byes(h.requests()).length, 1);
    assert.deepEqual(
      h.handler.ended.map((e) => e.reason),
      ['bad-answer'],
    );
  });

  it('onConfirmed refusing the answer with SipRejection → BYE whose Reason carries its warning', async () => {
    const h = harness();
    h.handler.onConfirmedHook = () => {
      throw new SipRejection(488, 'Not Acceptable Here', [], 'm-line 0: no common codec');
    };
    h.ua.receive(req({ body: '' }), PEER);
    h.handler.answer(h.handler.calls[0]!.dialogId, { body: OUR_OFFER, offer: true });
    await flush();
    h.ua.receive(ackFor(lastResponse(h.sent, 200), { body: SDP_OFFER }), PEER);
    const [bye] = byes(h.requests());
    assert.equal(header(bye!, 'Reason'), 'SIP ;cause=488 ;text="m-line 0: no common codec"');
    assert.deepEqual(
      h.handler.ended.map((e) => e.reason),
      ['bad-answer'],
    );
  });

  it('an ACK without SDP is fine when the INVITE carried the offer', async () => {
    const h = harness();
    h.handler.autoAnswer = { body: SDP_ANSWER };
    h.ua.receive(req(), PEER);
    await flush();
    h.ua.receive(ackFor(lastResponse(h.sent, 200)), PEER);
    assert.deepEqual(byes(h.requests()), []);
    assert.equal(h.handler.confirmed.length, 1);
  });
});

describe('SipUserAgent: RFC 2543 compatibility', () => {
  it('an INVITE without Contact (RFC 4475 §3.4.1) is accepted; the From URI is the remote target of our BYE', async () => {
    const h = harness();
    h.handler.autoAnswer = { body: SDP_ANSWER };
    h.ua.receive(req({ contact: null }), PEER);
    await flush();
    assert.deepEqual(h.statuses(), ['180 INVITE', '200 INVITE']);
    assert.equal(h.ua.stats.rfc2543Invites, 1);
    h.ua.receive(ackFor(lastResponse(h.sent, 200)), PEER);
    assert.equal(h.handler.confirmed.length, 1);
    void h.ua.hangup(h.handler.calls[0]!.dialogId);
    const [bye] = byes(h.requests());
    assert.equal(bye!.uri, 'sip:caller@127.0.0.1');
    // No port in the From URI: the BYE goes back where the INVITE came from.
    assert.deepEqual(h.sent.find((s) => s.message === bye)!.destination, PEER);
  });

  it('a branch without the magic cookie: the retransmitted INVITE is absorbed (RFC 3261 §17.2.3, RFC 2543 rule)', () => {
    const h = harness();
    // Already implemented before issue 10 (transaction-key.ts); kept here as a regression test.
    h.ua.receive(req({ branch: 'old2543branch' }), PEER);
    h.ua.receive(req({ branch: 'old2543branch' }), PEER);
    assert.equal(h.handler.calls.length, 1);
    assert.deepEqual(h.statuses(), ['180 INVITE', '180 INVITE']);
  });

  it('RFC 4475 §3.4.1 inv2543 as stored (no Contact, no tags, no branch): 180 and 200, and our BYE targets its From', async () => {
    const h = harness();
    h.handler.autoAnswer = { body: SDP_ANSWER };
    const invite = parseMessage(readTorture('inv2543'));
    assert.equal(invite.kind, 'request');
    h.ua.receive(invite, PEER);
    await flush();
    assert.deepEqual(h.statuses(), ['180 INVITE', '200 INVITE']);
    const ok = lastResponse(h.sent, 200);
    assert.equal(getHeaders(ok, 'Warning').length, 0);
    // The RFC 2543 ACK: the INVITE's Via (no branch) and the To tag of our 200 (RFC 3261 §17.2.3).
    const text = new TextDecoder().decode(readTorture('inv2543'));
    const ackText = `${text.slice(0, text.indexOf('\r\n\r\n'))}\r\n\r\n`
      .replace('INVITE sip:', 'ACK sip:')
      .replace('CSeq: 56 INVITE', 'CSeq: 56 ACK')
      .replace('Content-Type: application/sdp\r\n', '')
      .replace(/^To: .*$/m, (to) => `${to};tag=${getTo(ok).tag!}`);
    h.ua.receive(parseMessage(new TextEncoder().encode(ackText)), PEER);
    assert.equal(h.handler.confirmed.length, 1, 'the ACK matched the dialog');
    void h.ua.hangup(h.handler.calls[0]!.dialogId);
    const [bye] = byes(h.requests());
    assert.ok(bye);
    // Strict routing (the Record-Route has no lr): the remote target, the From URI, is the last Route.
    assert.equal(getHeaders(bye, 'Route').at(-1), '<sip:+13035551111@ift.client.example.net;user=phone>');
  });

  it('Contact: * in an INVITE is still refused with 400 and a Warning', () => {
    const h = harness();
    h.ua.receive(req({ contact: '*' }), PEER);
    const r = lastResponse(h.sent, 400);
    assert.equal(header(r, 'Warning'), '399 127.0.0.1:5060 "Contact * in an INVITE"');
    assert.equal(getCseq(r).method, 'INVITE');
  });
});
