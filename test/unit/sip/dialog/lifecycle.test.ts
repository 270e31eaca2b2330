import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { negotiateSessionTimer, sessionExpiryDelayMs } from '../../../../src/sip/dialog/index.js';
import { getCseq, getTo } from '../../../../src/sip/message/index.js';
import { ackFor, flush, harness, header, lastResponse, PEER, req, SDP_ANSWER } from './support.js';

const POLICY = { sessionExpiresS: 1800, minSessionExpiresS: 90 };

describe('RFC 4028 session timers', () => {
  it('negotiates the interval and refuses too small ones', () => {
    const st = (se?: string, minSe?: string, supported = true) =>
      negotiateSessionTimer(
        req({
          headers: [
            ...(se === undefined ? [] : [{ name: 'Session-Expires', value: se }]),
            ...(minSe === undefined ? [] : [{ name: 'Min-SE', value: minSe }]),
            ...(supported ? [{ name: 'Supported', value: 'replaces, timer' }] : []),
          ],
        }),
        POLICY,
      );
    assert.deepEqual(st('600;refresher=uac'), { kind: 'on', intervalS: 600 });
    assert.deepEqual(st('3600'), { kind: 'on', intervalS: 1800 });
    assert.deepEqual(st(undefined), { kind: 'on', intervalS: 1800 });
    assert.deepEqual(st(undefined, undefined, false), { kind: 'off' });
    assert.deepEqual(st('600', undefined, false), { kind: 'off' });
    assert.deepEqual(st('60'), { kind: 'too-small', minSeS: 90 });
    assert.deepEqual(st('3600', '2000'), { kind: 'on', intervalS: 2000 });
    assert.throws(() => st('soon'));
    assert.equal(sessionExpiryDelayMs(90), 60_000);
    assert.equal(sessionExpiryDelayMs(1800), 1_768_000);
  });

  it('answers with Session-Expires;refresher=uac and Require: timer, and 422 + Min-SE for too small', async () => {
    const h = harness({ minSessionExpiresS: 120 });
    h.handler.autoAnswer = { body: SDP_ANSWER };
    h.ua.receive(
      req({
        callId: 'small',
        headers: [
          { name: 'Session-Expires', value: '100' },
          { name: 'Supported', value: 'timer' },
        ],
      }),
      PEER,
    );
    const r = lastResponse(h.sent);
    assert.equal(r.status, 422);
    assert.equal(header(r, 'Min-SE'), '120');
    assert.equal(h.handler.calls.length, 0);
    h.ua.receive(
      req({
        headers: [
          { name: 'x', value: '300;refresher=uas' },
          { name: 'k', value: 'timer' },
        ],
      }),
      PEER,
    );
    await flush();
    const ok = lastResponse(h.sent, 200);
    assert.equal(header(ok, 'Session-Expires'), '300;refresher=uac');
    assert.equal(header(ok, 'Require'), 'timer');
  });

  it('with no refresh by expiry − min(32, SE/3): BYE and onEnded(session-expired); a refresh postpones it', async () => {
    const h = harness();
    h.handler.autoAnswer = { body: SDP_ANSWER };
    h.ua.receive(
      req({
        headers: [
          { name: 'Session-Expires', value: '90' },
          { name: 'Supported', value: 'timer' },
        ],
      }),
      PEER,
    );
    await flush();
    const ok = lastResponse(h.sent, 200);
    h.ua.receive(ackFor(ok), PEER);
    const tag = getTo(ok).tag!;
    h.scheduler.advance(50_000);
    h.ua.receive(
      req({
        method: 'UPDATE',
        toTag: tag,
        cseq: 2,
        body: '',
        headers: [
          { name: 'Session-Expires', value: '90' },
          { name: 'Supported', value: 'timer' },
        ],
      }),
      PEER,
    );
    assert.equal(header(lastResponse(h.sent), 'Session-Expires'), '90;refresher=uac');
    h.scheduler.advance(59_999);
    assert.equal(h.handler.ended.length, 0);
    h.scheduler.advance(1);
    assert.deepEqual(
      h.handler.ended.map((e) => e.reason),
      ['session-expired'],
    );
    const bye = h.requests().find((m) => m.method === 'BYE');
    assert.ok(bye);
    assert.equal(h.ua.stats.sessionExpired, 1);
    assert.equal(h.ua.activeCalls, 0);
  });
});

describe('hangup, drain and shutdown', () => {
  it('hangup sends BYE, fires onEnded(local-bye) and resolves on the BYE answer; unknown id resolves', async () => {
    const h = harness();
    h.handler.autoAnswer = { body: SDP_ANSWER };
    h.ua.receive(req(), PEER);
    await flush();
    h.ua.receive(ackFor(lastResponse(h.sent, 200)), PEER);
    const id = h.handler.calls[0]!.dialogId;
    let done = false;
    const p = h.ua.hangup(id).then(() => {
      done = true;
    });
    assert.deepEqual(
      h.handler.ended.map((e) => e.reason),
      ['local-bye'],
    );
    const bye = h.requests().find((m) => m.method === 'BYE')!;
    await flush();
    assert.equal(done, false);
    h.ua.receive(
      {
        kind: 'response',
        version: 'SIP/2.0',
        status: 200,
        reason: 'OK',
        headers: bye.headers,
        body: new Uint8Array(0),
      },
      PEER,
    );
    await p;
    assert.equal(done, true);
    await h.ua.hangup('no-such-dialog');
    await h.ua.hangup(id);
    assert.equal(h.handler.ended.length, 1);
  });

  it('hangup before the ACK waits for it before sending BYE (RFC 3261 §15); before the answer → 480', async () => {
    const h = harness();
    h.handler.autoAnswer = { body: SDP_ANSWER };
    h.ua.receive(req(), PEER);
    await flush();
    const ok = lastResponse(h.sent, 200);
    const p = h.ua.hangup(h.handler.calls[0]!.dialogId);
    assert.deepEqual(
      h.handler.ended.map((e) => e.reason),
      ['local-bye'],
    );
    assert.equal(h.requests().length, 0);
    assert.equal(h.ua.activeCalls, 0);
    h.ua.receive(ackFor(ok), PEER);
    const bye = h.requests().find((m) => m.method === 'BYE')!;
    assert.equal(getCseq(bye).method, 'BYE');
    assert.equal(h.handler.confirmed.length, 0);
    h.scheduler.advance(32_000);
    await p;
    assert.equal(h.ua.dialogCount, 0);

    const g = harness();
    g.ua.receive(req(), PEER);
    await g.ua.hangup(g.handler.calls[0]!.dialogId);
    assert.equal(lastResponse(g.sent).status, 480);
    assert.equal(g.handler.calls[0]!.signal.aborted, true);
    assert.deepEqual(
      g.handler.ended.map((e) => e.reason),
      ['local-bye'],
    );
  });

  it('shutdown: BYE to answered calls, 503 to unanswered ones, onEnded(shutdown) each, every timer stopped', async () => {
    const h = harness({ shutdownWaitMs: 1000 });
    h.ua.receive(req({ callId: 'ringing' }), PEER);
    h.ua.receive(req({ callId: 'up' }), PEER);
    h.handler.answer(h.handler.calls[1]!.dialogId);
    await flush();
    h.ua.receive(ackFor(lastResponse(h.sent, 200), { callId: 'up' }), PEER);
    const closing = h.ua.shutdown();
    assert.deepEqual(h.handler.ended.map((e) => e.reason).sort(), ['shutdown', 'shutdown']);
    assert.equal(lastResponse(h.sent, 503).status, 503);
    assert.equal(h.requests().filter((r) => r.method === 'BYE').length, 1);
    assert.equal(h.handler.calls[0]!.signal.aborted, true);
    await flush();
    h.scheduler.advance(1000);
    await closing;
    assert.equal(h.ua.activeCalls, 0);
    assert.equal(h.ua.dialogCount, 0);
    assert.equal(h.ua.pendingTimers, 0);
    assert.equal(h.scheduler.pending, 0);
    // A late answer to the ringing call and later traffic change nothing.
    h.handler.answer(h.handler.calls[0]!.dialogId);
    await flush();
    h.ua.receive(req({ callId: 'after' }), PEER);
    assert.equal(h.handler.calls.length, 2);
    assert.equal(h.handler.ended.length, 2);
  });
});

describe('bounded state', () => {
  it('after many calls on every path: onEnded exactly once per onInvite, no dialogs, no timers', async () => {
    const h = harness({ maxCalls: 1000 });
    const paths = ['bye', 'cancel', 'reject', 'no-ack', 'cancel-race', 'hangup'] as const;
    for (let i = 0; i < 120; i++) {
      const path = paths[i % paths.length]!;
      const callId = `leak-${i}`;
      const branch = `z9hG4bK-leak-${i}`;
      h.ua.receive(req({ callId, branch }), PEER);
      const call = h.handler.calls.at(-1)!;
      if (path === 'cancel' || path === 'cancel-race') {
        h.ua.receive(req({ method: 'CANCEL', callId, branch, body: '' }), PEER);
        if (path === 'cancel-race') h.handler.answer(call.dialogId);
        await flush();
        continue;
      }
      if (path === 'reject') {
        h.handler.reject(call.dialogId, new Error('no'));
        await flush();
        continue;
      }
      h.handler.answer(call.dialogId);
      await flush();
      const ok = lastResponse(h.sent, 200);
      if (path === 'no-ack') continue;
      h.ua.receive(ackFor(ok, { callId }), PEER);
      if (path === 'hangup') void h.ua.hangup(call.dialogId);
      else h.ua.receive(req({ method: 'BYE', callId, toTag: getTo(ok).tag!, cseq: 2, body: '' }), PEER);
    }
    h.scheduler.advance(120_000);
    await flush();
    assert.equal(h.handler.calls.length, 120);
    const counts = new Map<string, number>();
    for (const e of h.handler.ended) counts.set(e.dialogId, (counts.get(e.dialogId) ?? 0) + 1);
    assert.equal(counts.size, 120);
    assert.ok([...counts.values()].every((n) => n === 1));
    assert.deepEqual([...new Set(h.handler.ended.map((e) => e.reason))].sort(), [
      'cancelled',
      'error',
      'local-bye',
      'no-ack',
      'remote-bye',
    ]);
    assert.equal(h.ua.activeCalls, 0);
    assert.equal(h.ua.dialogCount, 0);
    assert.equal(h.ua.pendingTimers, 0);
    assert.equal(h.scheduler.pending, 0);
  });
});
