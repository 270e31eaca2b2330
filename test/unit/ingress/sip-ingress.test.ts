// SipIngress as the user agent drives it (onInvite, onConfirmed, onReoffer, onEnded), with fake
// RTP endpoints and a fake clock: what it allocates when, the media timeout, the stream cap, and
// the one leg-wiring path for first answers and re-INVITEs (issue 9).
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { pcmFrames, streamFrames } from '../../../src/engines/spi/testing/index.js';
import { PCM16_8K } from '../../../src/media/audio/index.js';
import type { LegAddedEvent } from '../../../src/session/index.js';
import { SipRejection } from '../../../src/sip/dialog/index.js';
import { rig, request, rtp, sdp, settle } from './ingress-rig.js';

const BOUNDARY = 'vb-test-boundary';

interface Party {
  readonly id: string;
  readonly aor: string;
  readonly stream: string;
  readonly label: string;
}

const CALLER: Party = { id: 'p-caller', aor: 'sip:+15551230001@example.com', stream: 's-1', label: '1' };
const AGENT: Party = { id: 'p-agent', aor: 'sip:agent1001@example.com', stream: 's-2', label: '2' };
/** A second agent (a consult or a transfer target) whose stream a re-INVITE adds. */
const AGENT2: Party = { id: 'p-agent2', aor: 'sip:agent2002@example.com', stream: 's-3', label: '3' };

/** A SIPREC body (RFC 7866): one sendonly m-line per party, complete RFC 7865 metadata. */
function siprecBody(parties: readonly Party[]): string {
  const offer = sdp(parties.map((p) => [`a=label:${p.label}`, 'a=sendonly']));
  const xml = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<recording xmlns="urn:ietf:params:xml:ns:recording:1">',
    '<datamode>complete</datamode>',
    '<session session_id="sess-1"></session>',
    ...parties.map((p) => `<participant participant_id="${p.id}"><nameID aor="${p.aor}"/></participant>`),
    ...parties.map(
      (p) => `<stream stream_id="${p.stream}" session_id="sess-1"><label>${p.label}</label></stream>`,
    ),
    ...parties.map(
      (p) =>
        `<participantstreamassoc participant_id="${p.id}"><send>${p.stream}</send></participantstreamassoc>`,
    ),
    '</recording>',
  ].join('\r\n');
  return [
    `--${BOUNDARY}`,
    'Content-Type: application/sdp',
    '',
    offer,
    `--${BOUNDARY}`,
    'Content-Type: application/rs-metadata+xml',
    'Content-Disposition: recording-session',
    '',
    xml,
    `--${BOUNDARY}--`,
    '',
  ].join('\r\n');
}

function siprecInvite(callId: string, parties: readonly Party[], cseq = 1, toTag?: string) {
  return request({
    callId,
    cseq,
    ...(toTag === undefined ? {} : { toTag }),
    body: siprecBody(parties),
    contentType: `multipart/mixed;boundary=${BOUNDARY}`,
    headers: ['Require: siprec'],
  });
}

function legsAdded(events: readonly { type: string }[]): LegAddedEvent[] {
  return events.filter((e): e is LegAddedEvent => e.type === 'leg.added');
}

describe('SipIngress: nothing expensive before the ACK', () => {
  it('binds ports for the answer but creates no call, recognizer or recording until onConfirmed', async () => {
    const r = rig();
    try {
      const answer = await r.invite('d1', request({ callId: 'c1', body: sdp([[]]) }));
      assert.match(answer.body, /^m=audio 30000 RTP\/AVP 0/m);
      await settle();
      assert.equal(r.pool.inUse, 1, 'the answer names a bound port');
      assert.deepEqual(r.types(), [], 'no call.started before the ACK');
      assert.equal(r.ingress.calls.length, 0);
      assert.equal(r.ticker.legCount, 0);
      assert.equal(r.recognizersBuilt(), 0);
      assert.deepEqual(readdirSync(r.recordDir), []);

      // Never ACKed: the dialog ends (no-ack) and only the ports were ever held.
      r.ingress.onEnded(r.info('d1'), 'no-ack');
      await r.ingress.idle();
      await settle();
      assert.equal(r.pool.inUse, 0);
      assert.deepEqual(r.types(), []);
      assert.deepEqual(readdirSync(r.recordDir), []);
      assert.equal(r.recognizersBuilt(), 0);

      // ACKed: now the call, its leg, its recognizer and its recording exist. A packet that
      // overtook the ACK has nowhere to go yet: it is counted, not silently lost.
      await r.invite('d2', request({ callId: 'c2', body: sdp([[]]) }));
      r.pool.endpoints[1]?.onPacket?.(rtp(1), r.scheduler.clock.nowMs());
      assert.equal(r.ingress.rtpBeforeAck, 1);
      r.ingress.onConfirmed(r.info('d2'));
      await settle();
      assert.deepEqual(r.types(), ['call.started', 'leg.added']);
      assert.equal(r.ingress.calls.length, 1);
      assert.equal(r.ticker.legCount, 1);
      assert.ok(r.recognizersBuilt() >= 1);
      r.ingress.onEnded(r.info('d2'), 'remote-bye');
      await r.ingress.idle();
      assert.equal(readdirSync(r.recordDir).length, 1, 'one recording for the confirmed leg');
      assert.equal(r.pool.inUse, 0);
      assert.equal(r.ticker.legCount, 0);
    } finally {
      rmSync(r.recordDir, { recursive: true, force: true });
    }
  });
});

describe('SipIngress: media timeout', () => {
  it('hangs up after rtpTimeoutSec without RTP and ends the call as media-timeout', async () => {
    const r = rig({ rtpTimeoutSec: 30, stt: undefined, recordDir: undefined });
    await r.invite('d1', request({ callId: 'c1', body: sdp([[]]) }));
    r.ingress.onConfirmed(r.info('d1'));
    const endpoint = r.pool.endpoints[0]!;
    // 20 s of packets, one a second: the call lives on past 30 s from the ACK.
    for (let s = 1; s <= 20; s++) {
      r.scheduler.advance(1000);
      endpoint.onPacket?.(rtp(s), r.scheduler.clock.nowMs());
    }
    r.scheduler.advance(29_900);
    assert.deepEqual(r.hangups, [], 'silent for 29.9 s: still up');
    r.scheduler.advance(100);
    assert.deepEqual(r.hangups, ['d1'], 'silent for 30 s: BYE');
    assert.equal(r.ingress.mediaTimeouts, 1);
    // The user agent's BYE ends the dialog with local-bye; the call says why.
    r.ingress.onEnded(r.info('d1'), 'local-bye');
    await r.ingress.idle();
    await settle();
    const ended = r.events.at(-1);
    assert.equal(ended?.type, 'call.ended');
    assert.equal(ended.type === 'call.ended' ? ended.reason : '', 'media-timeout');
    assert.equal(r.pool.inUse, 0);
    assert.equal(r.ticker.legCount, 0);
    assert.equal(r.scheduler.pending, 0, 'no timer left behind');
  });

  it('times out a call that never sent a packet, counting from the ACK', async () => {
    const r = rig({ rtpTimeoutSec: 5, stt: undefined, recordDir: undefined });
    await r.invite('d1', request({ callId: 'c1', body: sdp([[]]) }));
    r.scheduler.advance(20_000);
    assert.deepEqual(r.hangups, [], 'not watched before the ACK (Timer H / no-ack covers that)');
    r.ingress.onConfirmed(r.info('d1'));
    r.scheduler.advance(4999);
    assert.deepEqual(r.hangups, []);
    r.scheduler.advance(1);
    assert.deepEqual(r.hangups, ['d1']);
  });

  it('uses the hold timeout while the peer holds the call, and the normal one after resume', async () => {
    const r = rig({ rtpTimeoutSec: 30, rtpHoldTimeoutSec: 300, stt: undefined, recordDir: undefined });
    const answer = await r.invite('d1', request({ callId: 'c1', body: sdp([['a=sendrecv']]) }));
    const toTag = 'ours';
    assert.ok(answer.body.length > 0);
    r.ingress.onConfirmed(r.info('d1'));
    r.scheduler.advance(10_000);
    // RFC 3264 §8.4: hold by a=sendonly.
    await r.ingress.onReoffer(
      r.info('d1'),
      request({ callId: 'c1', cseq: 2, toTag, body: sdp([['a=sendonly']]) }),
    );
    r.scheduler.advance(299_000);
    assert.deepEqual(r.hangups, [], 'on hold: 299 s of silence is fine');
    await r.ingress.onReoffer(
      r.info('d1'),
      request({ callId: 'c1', cseq: 3, toTag, body: sdp([['a=sendrecv']]) }),
    );
    r.scheduler.advance(29_000);
    assert.deepEqual(r.hangups, []);
    r.scheduler.advance(1000);
    assert.deepEqual(r.hangups, ['d1'], 'resumed: 30 s of silence ends it');
  });

  it('treats an inactive SIPREC stream set as on hold', async () => {
    const r = rig({ rtpTimeoutSec: 10, rtpHoldTimeoutSec: 100, stt: undefined, recordDir: undefined });
    const invite = siprecInvite('c1', [CALLER, AGENT]);
    await r.invite('d1', invite);
    r.ingress.onConfirmed(r.info('d1'));
    // RFC 7866 §8.2: the recording client pauses the recording with a=inactive.
    const paused = request({
      callId: 'c1',
      cseq: 2,
      toTag: 'ours',
      body: sdp([
        ['a=label:1', 'a=inactive'],
        ['a=label:2', 'a=inactive'],
      ]),
      headers: ['Require: siprec'],
    });
    await r.ingress.onReoffer(r.info('d1'), paused);
    r.scheduler.advance(99_000);
    assert.deepEqual(r.hangups, []);
    r.scheduler.advance(1000);
    assert.deepEqual(r.hangups, ['d1']);
  });

  it('rtpTimeoutSec 0 turns the watchdog off', async () => {
    const r = rig({ rtpTimeoutSec: 0, stt: undefined, recordDir: undefined });
    await r.invite('d1', request({ callId: 'c1', body: sdp([[]]) }));
    r.ingress.onConfirmed(r.info('d1'));
    r.scheduler.advance(3_600_000);
    assert.deepEqual(r.hangups, []);
    assert.equal(r.scheduler.pending, 0);
  });
});

describe('SipIngress: audio stream cap', () => {
  it('answers an INVITE with more audio m-lines than maxAudioStreams with 488, binding nothing', async () => {
    const r = rig({ maxAudioStreams: 4, stt: undefined, recordDir: undefined });
    const five = sdp([[], [], [], [], []]);
    await assert.rejects(r.invite('d1', request({ callId: 'c1', body: five })), (error: unknown) => {
      assert.ok(error instanceof SipRejection);
      assert.equal(error.status, 488);
      // The user agent writes it as the Warning, with our host as the agent (RFC 3261 §20.43).
      assert.match(error.warning ?? '', /5 audio streams.*at most 4/);
      return true;
    });
    assert.equal(r.pool.opened, 0);
    assert.equal(r.ingress.tooManyStreams, 1);
    // Four is fine.
    await r.invite('d2', request({ callId: 'c2', body: sdp([[], [], [], []]) }));
    assert.equal(r.pool.inUse, 4);
  });

  it('refuses a re-INVITE that grows the call past the cap, keeping the call as it was', async () => {
    const r = rig({ maxAudioStreams: 2, stt: undefined, recordDir: undefined });
    await r.invite('d1', request({ callId: 'c1', body: sdp([[]]) }));
    r.ingress.onConfirmed(r.info('d1'));
    const grown = request({ callId: 'c1', cseq: 2, toTag: 'ours', body: sdp([[], [], []]) });
    await assert.rejects(r.ingress.onReoffer(r.info('d1'), grown), (error: unknown) => {
      assert.ok(error instanceof SipRejection);
      assert.equal(error.status, 488);
      return true;
    });
    assert.equal(r.pool.opened, 1);
    assert.equal(r.ingress.calls[0]?.legs.length, 1);
  });

  it('binds no ports for non-audio m-lines a re-INVITE adds, and bounds their number', async () => {
    const r = rig({ maxAudioStreams: 4, stt: undefined, recordDir: undefined });
    await r.invite('d1', request({ callId: 'c1', body: sdp([[]]) }));
    r.ingress.onConfirmed(r.info('d1'));
    const video = (n: number): string =>
      Array.from({ length: n }, (_, i) => `m=video ${50000 + 2 * i} RTP/AVP 96\r\n`).join('');
    const padded = request({ callId: 'c1', cseq: 2, toTag: 'ours', body: sdp([[]]) + video(11) });
    const answer = await r.ingress.onReoffer(r.info('d1'), padded);
    assert.equal((answer.body.match(/^m=video 0 /gm) ?? []).length, 11);
    assert.equal(r.pool.opened, 1, 'no pair bound for a rejected m-line');
    // 1 audio + 12 others is past 4 + 8 m-lines: refused, even though no port would be bound.
    const flood = request({ callId: 'c1', cseq: 3, toTag: 'ours', body: sdp([[]]) + video(12) });
    await assert.rejects(r.ingress.onReoffer(r.info('d1'), flood), (error: unknown) => {
      assert.ok(error instanceof SipRejection);
      assert.equal(error.status, 488);
      assert.match(error.warning ?? '', /13 m-lines offered; at most 12/);
      return true;
    });
    await assert.rejects(
      r.invite('d2', request({ callId: 'c2', body: sdp([[]]) + video(200) })),
      (error: unknown) => error instanceof SipRejection && error.status === 488,
    );
    assert.equal(r.pool.opened, 1);
  });
});

describe('SipIngress: one leg-wiring path', () => {
  it('a SIPREC stream added by re-INVITE gets its role and participant like the first ones', async () => {
    const r = rig({ stt: undefined, recordDir: undefined, agentMatcher: { aorPrefix: 'sip:agent' } });
    await r.invite('d1', siprecInvite('c1', [CALLER, AGENT]));
    r.ingress.onConfirmed(r.info('d1'));
    await r.ingress.onReoffer(r.info('d1'), siprecInvite('c1', [CALLER, AGENT, AGENT2], 2, 'ours'));
    await settle();
    const legs = legsAdded(r.events);
    assert.deepEqual(
      legs.map((l) => [l.role, l.label, l.participant?.aor]),
      [
        ['caller', '1', CALLER.aor],
        ['agent', '2', AGENT.aor],
        ['agent', '3', AGENT2.aor],
      ],
    );
    assert.equal(r.pool.inUse, 3);
    // Packets on the new stream's port reach the new leg, and no leg has a pacer (RFC 7866 §6.1.2).
    const third = r.pool.endpoints[2]!;
    third.onPacket?.(rtp(1), r.scheduler.clock.nowMs());
    assert.equal(r.ingress.calls[0]?.legs[2]?.stats.packets, 1);
    await assert.rejects(r.ingress.calls[0].legs[2].play((async function* () {})()), /no outbound pacer/);
  });

  it('an audio stream added to a plain call by re-INVITE gets a pacer and can play', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    await r.invite('d1', request({ callId: 'c1', body: sdp([[]]) }));
    r.ingress.onConfirmed(r.info('d1'));
    await r.ingress.onReoffer(
      r.info('d1'),
      request({ callId: 'c1', cseq: 2, toTag: 'ours', body: sdp([[], []]) }),
    );
    const legs = r.ingress.calls[0]!.legs;
    assert.equal(legs.length, 2);
    for (const leg of legs) {
      // An empty prompt: resolves with a pacer, rejects with NO_PACER without one.
      await leg.play((async function* () {})());
    }
    assert.equal(r.pool.endpoints[1]?.remote?.port, 40002, 'the new leg sends where the SDP says');
  });

  it('a stream disabled and enabled again moves its leg to new ports, packets and pacer alike', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    await r.invite('d1', request({ callId: 'c1', body: sdp([[], []]) }));
    r.ingress.onConfirmed(r.info('d1'));
    const disabled = sdp([[], []]).replace('m=audio 40002 ', 'm=audio 0 ');
    await r.ingress.onReoffer(
      r.info('d1'),
      request({ callId: 'c1', cseq: 2, toTag: 'ours', body: disabled }),
    );
    const answer = await r.ingress.onReoffer(
      r.info('d1'),
      request({ callId: 'c1', cseq: 3, toTag: 'ours', body: sdp([[], []]) }),
    );
    // RFC 3264 §8.3.3 lets the answerer pick new ports for a re-enabled stream; ours does.
    assert.match(answer.body, /^m=audio 30004 /m);
    await settle();
    const [first, second, third] = r.pool.endpoints;
    assert.equal(second?.closed, true, 'the old pair went back');
    assert.equal(r.pool.inUse, 2);
    const leg = r.ingress.calls[0]!.legs[1]!;
    assert.equal(r.ingress.calls[0]!.legs.length, 2, 'the same leg, not a new one');
    third!.onPacket?.(rtp(1), r.scheduler.clock.nowMs());
    assert.equal(leg.stats.packets, 1);
    // 40 ms of silence through the pacer, which runs on the ingress's (fake) scheduler.
    const playing = leg.play(streamFrames(pcmFrames(PCM16_8K, new Int16Array(320), 20)));
    for (let i = 0; i < 10; i++) {
      await settle();
      r.scheduler.advance(20);
    }
    await playing;
    assert.ok(third!.sent.length > 0, 'the pacer sends from the new pair');
    assert.equal(second.sent.length, 0);
    assert.equal(first!.sent.length, 0);
  });

  it('a re-INVITE before the ACK changes the answer; the legs follow it at the ACK', async () => {
    const r = rig({ stt: undefined, recordDir: undefined });
    await r.invite('d1', request({ callId: 'c1', body: sdp([[]]) }));
    await r.ingress.onReoffer(
      r.info('d1'),
      request({ callId: 'c1', cseq: 2, toTag: 'ours', body: sdp([[], []]) }),
    );
    await settle();
    assert.deepEqual(r.types(), []);
    r.ingress.onConfirmed(r.info('d1'));
    await settle();
    assert.deepEqual(r.types(), ['call.started', 'leg.added', 'leg.added']);
  });
});

describe('SipIngress: admission hook', () => {
  it('is asked before any port is bound; a SipRejection refuses the call with nothing allocated', async () => {
    const asked: Array<{ siprec: boolean; audioStreams: number }> = [];
    const r = rig({
      admit: ({ siprec, audioStreams }) => {
        asked.push({ siprec, audioStreams });
        throw new SipRejection(503, 'Service Unavailable', [{ name: 'Retry-After', value: '5' }]);
      },
    });
    try {
      await assert.rejects(
        r.invite('d1', request({ callId: 'c1', body: sdp([[], []]) })),
        (error: unknown) => {
          assert.ok(error instanceof SipRejection);
          assert.equal(error.status, 503);
          return true;
        },
      );
      assert.deepEqual(asked, [{ siprec: false, audioStreams: 2 }]);
      assert.equal(r.pool.opened, 0);
      assert.equal(r.ingress.activeCalls, 0);
    } finally {
      rmSync(r.recordDir, { recursive: true, force: true });
    }
  });

  it('admits without recognition, and releases once whether the call was confirmed or not', async () => {
    let released = 0;
    const r = rig({ admit: () => ({ transcribe: false, release: () => released++ }) });
    try {
      await r.invite('d1', request({ callId: 'c1', body: sdp([[]]) }));
      r.ingress.onConfirmed(r.info('d1'));
      await settle();
      assert.equal(r.ingress.calls[0]?.legs.length, 1);
      assert.equal(r.ingress.calls[0]?.legs[0]?.stats.recognizer, 'off');
      assert.equal(r.recognizersBuilt(), 0);
      r.ingress.onEnded(r.info('d1'), 'remote-bye');
      await r.invite('d2', request({ callId: 'c2', body: sdp([[]]) }));
      r.ingress.onEnded(r.info('d2'), 'no-ack');
      await r.ingress.idle();
      // Ending waits for the recording to be opened and closed, so it is there now.
      assert.equal(readdirSync(r.recordDir).length, 1, 'still recorded');
      assert.equal(released, 2);
    } finally {
      rmSync(r.recordDir, { recursive: true, force: true });
    }
  });
});
