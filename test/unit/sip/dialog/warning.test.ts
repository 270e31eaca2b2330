import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../../../../src/core/index.js';
import { SipRejection } from '../../../../src/sip/dialog/index.js';
import type { SipResponse } from '../../../../src/sip/message/index.js';
import { badRequestFor, getHeaders, parseMessage } from '../../../../src/sip/message/index.js';
import { ackFor, flush, harness, header, lastResponse, PEER, req, SDP_ANSWER } from './support.js';

/** RFC 3261 §20.43: `399 <our host:port> "<text>"`; returns the text. */
function warningText(response: SipResponse): string {
  const values = getHeaders(response, 'Warning');
  assert.equal(values.length, 1, `${response.status} carries exactly one Warning`);
  const match = /^399 127\.0\.0\.1:5060 "([^"\\]*)"$/.exec(values[0]!);
  assert.ok(match, `Warning of the ${response.status} is well formed: ${values[0]}`);
  return match[1]!;
}

describe('Warning on every 4xx/5xx the user agent sends (RFC 3261 §20.43)', () => {
  it('validation refusals say what was wrong', () => {
    const h = harness();
    h.ua.receive({ ...req({ callId: 'v' }), version: 'SIP/3.0' }, PEER);
    h.ua.receive({ ...req({ callId: 'u' }), uri: 'http://example.com/' }, PEER);
    h.ua.receive({ ...req({ callId: 'h' }), uri: 'sip:bot@127.0.0.1?Subject=x' }, PEER);
    h.ua.receive(req({ callId: 'c', cseqMethod: 'BYE' }), PEER);
    h.ua.receive(req({ callId: 'x', method: 'FOO' }), PEER);
    h.ua.receive(req({ callId: 'r', method: 'REGISTER' }), PEER);
    h.ua.receive(req({ callId: 'q', headers: [{ name: 'Require', value: 'timer, 100rel, foo' }] }), PEER);
    h.ua.receive(req({ callId: 'b', method: 'BYE' }), PEER);
    h.ua.receive(req({ callId: 'd', method: 'BYE', toTag: 'nosuch' }), PEER);
    h.ua.receive(req({ callId: 'k', method: 'CANCEL' }), PEER);
    h.ua.receive(req({ callId: 's', headers: [{ name: 'Session-Expires', value: '60' }] }), PEER);
    h.ua.receive(req({ callId: 'e', headers: [{ name: 'Session-Expires', value: 'soon' }] }), PEER);
    const got = h.responses().map((r) => `${r.status} ${warningText(r)}`);
    assert.deepEqual(got, [
      '505 only SIP/2.0 is supported',
      '416 the Request-URI scheme is not sip or sips',
      '400 the Request-URI carries headers',
      '400 the CSeq method differs from the request method',
      '501 method FOO is not implemented; see Allow',
      '405 method REGISTER is not supported here; see Allow',
      '420 unsupported Require option tag(s): 100rel, foo',
      '481 a BYE without a To tag matches no dialog',
      '481 no dialog matches Call-ID, From tag and To tag',
      '481 the CANCEL matches no INVITE transaction',
      '422 Session-Expires is below our Min-SE of 90 s',
      '400 the Session-Expires or Min-SE header could not be parsed',
    ]);
    // 501 and 405 keep their Allow (RFC 3261 §8.2.1, §21.5.2).
    for (const r of h.responses().filter((x) => x.status === 501 || x.status === 405)) {
      assert.match(header(r, 'Allow') ?? '', /INVITE/);
    }
  });

  it('overload, drain and the unacked-per-source cap: 503 with Retry-After and a Warning', async () => {
    const h = harness({ maxCalls: 1, maxUnackedPerSource: 1 });
    h.ua.receive(req({ callId: 'one' }), PEER);
    h.ua.receive(req({ callId: 'two' }), PEER);
    h.ua.drain();
    h.ua.receive(req({ callId: 'opt', method: 'OPTIONS' }), PEER);
    const refusals = h.responses().filter((r) => r.status >= 400);
    assert.deepEqual(
      refusals.map((r) => `${r.status} ${warningText(r)}`),
      ['503 the gateway is at its call limit', '503 the gateway is draining'],
    );
    const h2 = harness({ maxUnackedPerSource: 1 });
    h2.ua.receive(req({ callId: 'a' }), PEER);
    h2.ua.receive(req({ callId: 'b' }), PEER);
    assert.equal(warningText(lastResponse(h2.sent, 503)), 'too many calls from this source await their ACK');
    await flush();
  });

  it("the handler's rejections carry its warning text, with our host as the agent; other errors 500", async () => {
    const h = harness();
    h.ua.receive(req({ callId: 'a' }), PEER);
    h.handler.reject(
      h.handler.calls[0]!.dialogId,
      new SipRejection(488, 'Not Acceptable Here', [], 'm-line 1 (video): media type video'),
    );
    h.ua.receive(req({ callId: 'b' }), PEER);
    h.handler.reject(h.handler.calls[1]!.dialogId, new SipRejection(486));
    h.ua.receive(req({ callId: 'c' }), PEER);
    h.handler.reject(h.handler.calls[2]!.dialogId, new Error('boom'));
    await flush();
    assert.deepEqual(
      h
        .responses()
        .filter((r) => r.status >= 400)
        .map((r) => `${r.status} ${warningText(r)}`),
      ['488 m-line 1 (video): media type video', '486 Busy Here', '500 internal error while answering'],
    );
  });

  it('a Warning the handler puts among its headers is sent as it is, not doubled', async () => {
    const h = harness();
    h.ua.receive(req(), PEER);
    h.handler.reject(
      h.handler.calls[0]!.dialogId,
      new SipRejection(503, undefined, [{ name: 'Warning', value: '399 elsewhere "full"' }]),
    );
    await flush();
    assert.deepEqual(getHeaders(lastResponse(h.sent, 503), 'Warning'), ['399 elsewhere "full"']);
  });

  it('487 after CANCEL, in-dialog 491 and 500 (out of order) say why', async () => {
    const h = harness();
    h.ua.receive(req({ callId: 'x', branch: 'z9hG4bK-cancelme' }), PEER);
    h.ua.receive(req({ callId: 'x', method: 'CANCEL', branch: 'z9hG4bK-cancelme' }), PEER);
    assert.equal(warningText(lastResponse(h.sent, 487)), 'the INVITE was cancelled by a CANCEL');

    h.handler.autoAnswer = { body: SDP_ANSWER };
    h.ua.receive(req({ callId: 'y', cseq: 5 }), PEER);
    await flush();
    const ok = lastResponse(h.sent, 200);
    h.ua.receive(ackFor(ok), PEER);
    const toTag = ackFor(ok)
      .headers.find((x) => x.name === 'To')!
      .value.split('tag=')[1]!;
    h.ua.receive(req({ callId: 'y', method: 'INFO', toTag, cseq: 3 }), PEER);
    assert.equal(
      warningText(lastResponse(h.sent, 500)),
      'CSeq 3 is lower than 5, the last one in this dialog',
    );
  });

  it('re-offer conflicts (491, 500 + Retry-After) and early hang-ups (480, 503 at shutdown) say why', async () => {
    const h = harness();
    // An offerless INVITE: our 200 holds the offer, so a re-INVITE before the ACK is glare (491).
    h.ua.receive(req({ callId: 'g', body: '' }), PEER);
    h.handler.answer(h.handler.calls[0]!.dialogId, { body: SDP_ANSWER, offer: true });
    await flush();
    const ok = lastResponse(h.sent, 200);
    const toTag = ok.headers.find((x) => x.name === 'To')!.value.split('tag=')[1]!;
    h.ua.receive(req({ callId: 'g', toTag, cseq: 2 }), PEER);
    assert.equal(warningText(lastResponse(h.sent, 491)), 'our offer awaits your answer (glare)');
    h.ua.receive(ackFor(ok, { callId: 'g', body: SDP_ANSWER }), PEER);
    // Their re-INVITE is being answered: a second one gets 500 + Retry-After (RFC 3261 §14.2).
    h.handler.reofferAnswer = () => new Promise(() => undefined);
    h.ua.receive(req({ callId: 'g', toTag, cseq: 3 }), PEER);
    h.ua.receive(req({ callId: 'g', toTag, cseq: 4, method: 'UPDATE', body: SDP_ANSWER }), PEER);
    const busy = lastResponse(h.sent, 500);
    assert.ok(header(busy, 'Retry-After') !== undefined);
    assert.equal(warningText(busy), 'an earlier offer of yours is still being answered');

    h.ua.receive(req({ callId: 'early1' }), PEER);
    void h.ua.hangup(h.handler.calls[1]!.dialogId);
    assert.equal(warningText(lastResponse(h.sent, 480)), 'the call was ended before it was answered');
    h.ua.receive(req({ callId: 'early2' }), PEER);
    const shutdown = h.ua.shutdown();
    h.scheduler.advance(5000);
    await shutdown;
    assert.equal(warningText(lastResponse(h.sent, 503)), 'the gateway is shutting down');
  });

  it('badRequestFor: the 400 for an unparsable request names the header that failed', () => {
    const text =
      'INVITE sip:bot@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\n' +
      'From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:bot@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n' +
      'Max-Forwards: ten\r\nContent-Length: 0\r\n\r\n';
    const bytes = new TextEncoder().encode(text);
    let error: ParseError | undefined;
    try {
      parseMessage(bytes);
    } catch (e) {
      if (e instanceof ParseError) error = e;
    }
    assert.ok(error, 'the request does not parse');
    const response = badRequestFor(bytes, error, { warnAgent: '127.0.0.1:5060' });
    assert.ok(response);
    assert.equal(response.status, 400);
    assert.match(
      getHeaders(response, 'Warning')[0] ?? '',
      /^399 127\.0\.0\.1:5060 "the Max-Forwards header could not be parsed: [^"]+"$/,
    );
  });
});
