import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SipRejection } from '../../../../src/sip/dialog/index.js';
import { getCseq, getHeaders, getTo } from '../../../../src/sip/message/index.js';
import { ackFor, flush, harness, header, lastResponse, PEER, req, SDP_ANSWER } from './support.js';

describe('SipUserAgent: initial INVITE', () => {
  it('sends 180 with a To tag, offers the call, answers 200 with Contact/Allow/Supported/Server/Record-Route and body', async () => {
    const h = harness();
    const invite = req({
      headers: [
        { name: 'Record-Route', value: '<sip:10.0.0.1:5060;lr>' },
        { name: 'Record-Route', value: '<sip:10.0.0.2;lr>' },
      ],
    });
    h.ua.receive(invite, PEER);
    assert.deepEqual(h.statuses(), ['180 INVITE']);
    const ringing = lastResponse(h.sent, 180);
    const tag = getTo(ringing).tag;
    assert.match(tag ?? '', /^[0-9a-f]{16}$/);
    assert.equal(header(ringing, 'Contact'), '<sip:127.0.0.1:5060>');
    assert.deepEqual(h.sent[0]!.destination, PEER);
    assert.equal(h.handler.calls.length, 1);
    const call = h.handler.calls[0]!;
    assert.equal(call.sipCallId, 'call-1@test');
    assert.equal(call.request, invite);
    assert.deepEqual(call.source, PEER);
    assert.equal(call.signal.aborted, false);
    assert.equal(h.ua.activeCalls, 1);

    h.handler.answer(call.dialogId);
    await flush();
    const ok = lastResponse(h.sent, 200);
    assert.equal(getTo(ok).tag, tag);
    assert.equal(header(ok, 'Contact'), '<sip:127.0.0.1:5060>');
    assert.equal(header(ok, 'Allow'), 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE');
    assert.equal(header(ok, 'Supported'), 'timer');
    assert.equal(header(ok, 'Server'), 'voxbridge');
    assert.equal(header(ok, 'Content-Type'), 'application/sdp');
    assert.deepEqual(getHeaders(ok, 'Record-Route'), ['<sip:10.0.0.1:5060;lr>', '<sip:10.0.0.2;lr>']);
    assert.equal(new TextDecoder().decode(ok.body), SDP_ANSWER);
    assert.equal(header(ok, 'Session-Expires'), undefined);
    assert.equal(h.ua.stats.answered, 1);

    h.ua.receive(ackFor(ok), PEER);
    assert.deepEqual(h.handler.confirmed, [call.dialogId]);
    assert.equal(h.ua.activeCalls, 1);
    assert.deepEqual(h.handler.ended, []);
  });

  it('adds the answer headers and content type the handler gives', async () => {
    const h = harness({ userAgent: 'vb-test' });
    h.handler.autoAnswer = {
      body: 'x',
      contentType: 'multipart/mixed;boundary=b',
      headers: [{ name: 'X-Foo', value: '1' }],
    };
    h.ua.receive(req(), PEER);
    await flush();
    const ok = lastResponse(h.sent, 200);
    assert.equal(header(ok, 'Content-Type'), 'multipart/mixed;boundary=b');
    assert.equal(header(ok, 'X-Foo'), '1');
    assert.equal(header(ok, 'Server'), 'vb-test');
  });

  it('retransmits the 2xx at T1, 2T1, ... capped at T2 until the ACK (RFC 3261 §13.3.1.4)', async () => {
    const h = harness();
    h.handler.autoAnswer = { body: SDP_ANSWER };
    h.ua.receive(req(), PEER);
    await flush();
    const times: number[] = [];
    const start = h.scheduler.clock.nowMs();
    const count200 = (): number => h.responses().filter((r) => r.status === 200).length;
    let seen = count200();
    for (let t = 0; t < 20_000; t += 100) {
      h.scheduler.advance(100);
      if (count200() > seen) {
        seen = count200();
        times.push(h.scheduler.clock.nowMs() - start);
      }
    }
    assert.deepEqual(times, [500, 1500, 3500, 7500, 11500, 15500, 19500]);
    h.ua.receive(ackFor(lastResponse(h.sent, 200)), PEER);
    h.scheduler.advance(20_000);
    assert.equal(count200(), seen);
    assert.equal(h.handler.confirmed.length, 1);
  });

  it('without an ACK in 64*T1: BYE and onEnded(no-ack), once', async () => {
    const h = harness();
    h.handler.autoAnswer = { body: SDP_ANSWER };
    h.ua.receive(req({ headers: [{ name: 'Record-Route', value: '<sip:127.0.0.9:5099;lr>' }] }), PEER);
    await flush();
    h.scheduler.advance(31_999);
    assert.equal(h.handler.ended.length, 0);
    h.scheduler.advance(1);
    assert.deepEqual(
      h.handler.ended.map((e) => e.reason),
      ['no-ack'],
    );
    const bye = h.requests().find((r) => r.method === 'BYE');
    assert.ok(bye);
    // RFC 3261 §12.2.1.1: loose route → Request-URI is the remote target, Route the route set.
    assert.equal(bye.uri, 'sip:caller@127.0.0.1:5070');
    assert.deepEqual(getHeaders(bye, 'Route'), ['<sip:127.0.0.9:5099;lr>']);
    assert.match(header(bye, 'From') ?? '', /^<sip:bot@127\.0\.0\.1>;tag=[0-9a-f]{16}$/);
    assert.equal(header(bye, 'To'), '<sip:caller@127.0.0.1>;tag=peer1');
    assert.equal(header(bye, 'Call-ID'), 'call-1@test');
    assert.deepEqual(getCseq(bye), { seq: 1, method: 'BYE' });
    assert.match(header(bye, 'Via') ?? '', /^SIP\/2\.0\/UDP 127\.0\.0\.1:5060;branch=z9hG4bK/);
    // Next hop is the first route (IP literal with a port).
    assert.deepEqual(h.sent.find((s) => s.message === bye)!.destination, {
      transport: 'udp',
      address: '127.0.0.9',
      port: 5099,
    });
    assert.equal(h.ua.activeCalls, 0);
    assert.equal(h.ua.stats.noAck, 1);
    h.scheduler.advance(64_000);
    assert.equal(h.handler.ended.length, 1);
    assert.equal(h.ua.pendingTimers, 0);
  });

  it('SipRejection → that status and headers, onEnded(rejected); other errors → 500, onEnded(error)', async () => {
    const h = harness();
    h.ua.receive(req({ callId: 'a' }), PEER);
    h.ua.receive(req({ callId: 'b' }), PEER);
    const [a, b] = h.handler.calls;
    h.handler.reject(
      a!.dialogId,
      new SipRejection(486, 'Busy Here', [{ name: 'Warning', value: '399 vb "busy"' }]),
    );
    h.handler.reject(b!.dialogId, new Error('boom'));
    await flush();
    const busy = lastResponse(h.sent, 486);
    assert.equal(busy.reason, 'Busy Here');
    assert.equal(header(busy, 'Warning'), '399 vb "busy"');
    assert.equal(lastResponse(h.sent, 500).reason, 'Server Internal Error');
    assert.deepEqual(
      h.handler.ended.map((e) => e.reason),
      ['rejected', 'error'],
    );
    assert.equal(h.ua.activeCalls, 0);
    assert.equal(h.ua.dialogCount, 0);
  });

  it('a SipRejection with a non-error status is answered 500', async () => {
    const h = harness();
    h.ua.receive(req(), PEER);
    h.handler.reject(h.handler.calls[0]!.dialogId, new SipRejection(200));
    await flush();
    assert.equal(lastResponse(h.sent).status, 500);
  });

  it('Require with unknown option tags (100rel too) → 420 with Unsupported, no onInvite', () => {
    const h = harness();
    h.ua.receive(req({ headers: [{ name: 'Require', value: 'timer, 100rel, foo' }] }), PEER);
    const r = lastResponse(h.sent);
    assert.equal(r.status, 420);
    assert.equal(header(r, 'Unsupported'), '100rel, foo');
    assert.equal(h.handler.calls.length, 0);
    h.ua.receive(req({ callId: 'rec', headers: [{ name: 'Require', value: 'siprec' }] }), PEER);
    assert.equal(h.handler.calls.length, 1);
  });

  it('requestProblem statuses: 505, 416, 400 (CSeq mismatch)', () => {
    const h = harness();
    const wrongVersion = { ...req({ callId: 'v' }), version: 'SIP/3.0' };
    h.ua.receive(wrongVersion, PEER);
    h.ua.receive({ ...req({ callId: 'u' }), uri: 'http://example.com/' }, PEER);
    h.ua.receive(req({ callId: 'c', cseqMethod: 'BYE' }), PEER);
    assert.deepEqual(
      h.responses().map((r) => `${r.status} ${r.reason}`),
      ['505 Version Not Supported', '416 Unsupported URI Scheme', '400 CSeq Method Mismatch'],
    );
    assert.equal(h.handler.calls.length, 0);
    assert.equal(h.ua.stats.rejected, 3);
    assert.equal(h.ua.stats.invites, 3);
  });

  it('503 + Retry-After when full or draining, without onInvite; running calls continue', async () => {
    const h = harness({ maxCalls: 1, retryAfterS: 7 });
    h.handler.autoAnswer = { body: SDP_ANSWER };
    h.ua.receive(req({ callId: 'one' }), PEER);
    await flush();
    h.ua.receive(req({ callId: 'two' }), PEER);
    const busy = lastResponse(h.sent);
    assert.equal(busy.status, 503);
    assert.equal(header(busy, 'Retry-After'), '7');
    assert.equal(h.handler.calls.length, 1);
    assert.equal(h.ua.stats.overloaded, 1);

    const g = harness();
    g.ua.drain();
    assert.equal(g.ua.draining, true);
    g.ua.receive(req(), PEER);
    assert.equal(lastResponse(g.sent).status, 503);
    assert.equal(header(lastResponse(g.sent), 'Retry-After'), '5');
    assert.equal(g.handler.calls.length, 0);
    assert.deepEqual(g.handler.ended, []);
  });

  it('answers on TCP over the connection, with transport=tcp in Contact and no 2xx retransmissions', async () => {
    const h = harness();
    h.handler.autoAnswer = { body: SDP_ANSWER };
    const conn = { transport: 'tcp', connectionId: 'tcp-7' } as const;
    h.ua.receive(req(), conn);
    await flush();
    assert.deepEqual(
      h.sent.map((s) => s.destination),
      [conn, conn],
    );
    assert.equal(header(lastResponse(h.sent, 200), 'Contact'), '<sip:127.0.0.1:5060;transport=tcp>');
    h.scheduler.advance(20_000);
    assert.equal(h.responses().length, 2);
    // No ACK at all: the BYE goes back on the same connection.
    h.scheduler.advance(12_000);
    const bye = h.sent.find((s) => s.message.kind === 'request');
    assert.ok(bye);
    assert.deepEqual(bye.destination, conn);
    assert.match(header(bye.message, 'Via') ?? '', /^SIP\/2\.0\/TCP /);
  });

  it('a handler that throws synchronously is answered 500 and ended once', async () => {
    const h = harness();
    h.handler.onInvite = () => {
      throw new Error('sync');
    };
    h.ua.receive(req(), PEER);
    await flush();
    assert.deepEqual(h.statuses(), ['180 INVITE', '500 INVITE']);
    assert.deepEqual(
      h.handler.ended.map((e) => e.reason),
      ['error'],
    );
  });
});
