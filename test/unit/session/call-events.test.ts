import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SttEngine, SttEvent } from '../../../src/engines/spi/index.js';
import { EngineError } from '../../../src/engines/spi/index.js';
import { ScriptedStt } from '../../../src/engines/spi/testing/index.js';
import { PCM16_16K } from '../../../src/media/audio/index.js';
import {
  PCMA,
  PCMU,
  SessionRig,
  WALL_EPOCH_MS,
  dtmfPackets,
  failingStt,
  g711Payloads,
  rtpPacket,
} from './session-rig.js';

const iso = (ms: number): string => new Date(WALL_EPOCH_MS + ms).toISOString();

describe('Call: lifecycle events', () => {
  it('emits call.started, leg.added and call.ended with every field', async () => {
    const rig = new SessionRig({ kind: 'siprec' });
    const { call } = rig;
    assert.match(call.id, /^[0-9a-f-]{36}$/);
    assert.equal(call.startedAtWallMs, WALL_EPOCH_MS);
    const leg = call.addLeg({
      role: 'agent',
      codec: PCMA,
      label: '2',
      participant: { aor: 'sip:agent@example.com', name: 'Agent Smith' },
    });
    assert.equal(leg.id, 'leg-1');
    assert.equal(call.legs.length, 1);
    await rig.advance(1500);
    await call.end('bye');
    assert.deepEqual(rig.events, [
      {
        type: 'call.started',
        callId: call.id,
        sipCallId: 'a84b4c76e66710@pc33.example.com',
        kind: 'siprec',
        transcription: 'off',
        timestamp: iso(0),
      },
      {
        type: 'leg.added',
        callId: call.id,
        sipCallId: 'a84b4c76e66710@pc33.example.com',
        legId: 'leg-1',
        role: 'agent',
        label: '2',
        codec: 'PCMA/8000',
        participant: { aor: 'sip:agent@example.com', name: 'Agent Smith' },
      },
      {
        type: 'call.ended',
        callId: call.id,
        sipCallId: 'a84b4c76e66710@pc33.example.com',
        reason: 'bye',
        durationMs: 1500,
        timestamp: iso(1500),
      },
    ]);
  });

  it('is idempotent: a second end returns the same promise and emits nothing more', async () => {
    const rig = new SessionRig();
    rig.call.addLeg({ role: 'caller', codec: PCMU });
    const first = rig.call.end('bye');
    const second = rig.call.end('timeout');
    assert.equal(first, second);
    await first;
    await rig.call.end('again');
    assert.deepEqual(
      rig.events.map((e) => e.type),
      ['call.started', 'leg.added', 'call.ended'],
    );
    assert.equal(rig.of('call.ended')[0]?.reason, 'bye');
    assert.equal(rig.ticker.legCount, 0);
    assert.throws(() => rig.call.addLeg({ role: 'caller', codec: PCMU }), { code: 'CALL_ENDED' });
  });

  it('keeps going when a listener throws', async () => {
    const rig = new SessionRig();
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    rig.call.on('event', () => {
      throw new Error('listener bug');
    });
    const after: string[] = [];
    rig.call.on('event', (e) => after.push(e.type));
    rig.call.addLeg({ role: 'caller', codec: PCMU });
    await rig.call.end('bye');
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    assert.deepEqual(after, ['call.started', 'leg.added', 'call.ended']);
    assert.equal(warnings.filter((w) => w.includes('listener bug')).length, 3);
  });
});

describe('Call: transcripts', () => {
  it('reports offsets from call start for a leg added 2 s into the call', async () => {
    const rig = new SessionRig({ stt: new ScriptedStt({ utterances: ['hello there'] }) });
    await rig.advance(2000);
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU });
    // 0.5 s silence, 1 s of tone (speech to ScriptedStt), 1 s silence: the final comes after
    // 500 ms of trailing silence.
    await rig.stream(leg, [
      ...g711Payloads('mulaw', 0, 500),
      ...g711Payloads('mulaw', 440, 1000),
      ...g711Payloads('mulaw', 0, 1000),
    ]);
    await rig.advance(200);
    const finals = rig.of('transcript.final');
    assert.equal(finals.length, 1);
    assert.deepEqual(finals[0], {
      type: 'transcript.final',
      callId: rig.call.id,
      sipCallId: 'a84b4c76e66710@pc33.example.com',
      legId: 'leg-1',
      role: 'caller',
      text: 'hello there',
      startMs: 2500,
      endMs: 3500,
      timestamp: finals[0]!.timestamp,
      confidence: 0.9,
    });
    // Reported when the frame that completes 500 ms of trailing silence (call time 3980..4000)
    // plays, one 60 ms playout delay after it arrived.
    assert.equal(finals[0].timestamp, iso(4040));
    const partials = rig.of('transcript.partial');
    assert.ok(partials.length >= 3, `${partials.length} partials`);
    for (const p of partials) {
      assert.equal(p.startMs, 2500);
      // ScriptedStt keeps sending partials through the trailing silence, up to the final.
      assert.ok(p.endMs > 2500 && p.endMs <= 4000, `${p.endMs}`);
      assert.equal('confidence' in p, false);
      assert.equal(p.legId, 'leg-1');
    }
    assert.ok(rig.events.indexOf(partials[0]!) < rig.events.indexOf(finals[0]));
    await rig.call.end('bye');
    assert.equal(leg.stats.recognizerDrops, 0);
    assert.equal(leg.stats.recognizer, 'ended');
  });

  it('flushes the last final on end, before call.ended', async () => {
    const rig = new SessionRig({ stt: new ScriptedStt({ utterances: ['cut short'] }) });
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU });
    await rig.stream(leg, [...g711Payloads('mulaw', 0, 200), ...g711Payloads('mulaw', 700, 600)]);
    await rig.advance(60);
    assert.equal(rig.of('transcript.final').length, 0);
    await rig.call.end('bye');
    const types = rig.events.map((e) => e.type);
    assert.equal(types.at(-1), 'call.ended');
    assert.equal(types.at(-2), 'transcript.final');
    const final = rig.of('transcript.final')[0]!;
    assert.equal(final.text, 'cut short');
    assert.equal(final.startMs, 200);
    assert.equal(final.endMs, 800);
  });

  it('resamples to 16 kHz for an engine that takes only 16 kHz, keeping call-time offsets', async () => {
    const formats: string[] = [];
    const inner = new ScriptedStt({ utterances: ['wideband'] });
    const stt: SttEngine = {
      name: 'wide-only',
      capabilities: { ...inner.capabilities, inputFormats: [PCM16_16K] },
      transcribe: (frames, options) =>
        inner.transcribe(
          (async function* () {
            for await (const f of frames) {
              formats.push(`${f.format.sampleRateHz}`);
              yield f;
            }
          })(),
          options,
        ),
      close: () => Promise.resolve(),
    };
    const rig = new SessionRig({ stt });
    await rig.advance(1000);
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU });
    await rig.stream(leg, [
      ...g711Payloads('mulaw', 0, 300),
      ...g711Payloads('mulaw', 500, 700),
      ...g711Payloads('mulaw', 0, 800),
    ]);
    await rig.call.end('bye');
    assert.ok(formats.length > 0 && formats.every((f) => f === '16000'));
    const final = rig.of('transcript.final')[0]!;
    assert.equal(final.text, 'wideband');
    assert.equal(final.startMs, 1300);
    // The half-band filter's delay (a few samples) carries the tone's tail into the next 20 ms
    // frame, which ScriptedStt's frame-level detector then counts as speech.
    assert.ok(final.endMs === 2000 || final.endMs === 2020, `${final.endMs}`);
  });

  it('turns recognition off after a non-retryable engine error, without a wrong event', async () => {
    const stt = failingStt({ name: 'broken', message: 'decoder crashed', lives: [5] });
    const rig = new SessionRig({ stt });
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU });
    await rig.stream(leg, g711Payloads('mulaw', 440, 400));
    assert.equal(leg.stats.recognizer, 'failed');
    assert.equal(leg.stats.recognizerErrors, 1);
    assert.equal(leg.stats.recognizerRestarts, 0);
    assert.equal(leg.stats.recognizerError, 'ENGINE_FAILED: broken: decoder crashed');
    await rig.stream(leg, g711Payloads('mulaw', 440, 200));
    await rig.call.end('bye');
    // No transcript, but never silence: what the engine lost at the failure is reported at once,
    // and the audio after it (nobody hears it) when the leg ends.
    assert.deepEqual(
      rig.events.map((e) => e.type),
      ['call.started', 'leg.added', 'transcript.gap', 'transcript.gap', 'call.ended'],
    );
    const gaps = rig.of('transcript.gap');
    assert.deepEqual(
      gaps.map((g) => g.reason),
      ['engine-failed', 'engine-failed'],
    );
    assert.equal(gaps[1]!.startMs, gaps[0]!.endMs, 'the second gap continues the first');
    // Every frame the leg produced after its first is in one of them (the first frame's time is
    // the gap's start, so the sum is the leg's audio from there to its end).
    assert.equal(gaps[0]!.lostMs + gaps[1]!.lostMs, gaps[1]!.endMs - gaps[0]!.startMs);
    assert.ok(gaps[1]!.lostMs >= 200, `after the failure ${gaps[1]!.lostMs} ms`);
  });

  it('restarts the stream once after a retryable error and maps offsets across the restart', async () => {
    let streams = 0;
    const scripted = new ScriptedStt({ utterances: ['after restart'] });
    const stt: SttEngine = {
      name: 'flaky',
      capabilities: scripted.capabilities,
      transcribe(frames, options) {
        streams++;
        if (streams > 1) return scripted.transcribe(frames, options);
        return (async function* (): AsyncGenerator<SttEvent> {
          yield { type: 'started' };
          for await (const _ of frames) {
            throw new EngineError('flaky', 'ENGINE_UNAVAILABLE', 'connection reset', { retryable: true });
          }
        })();
      },
      close: () => Promise.resolve(),
    };
    const rig = new SessionRig({ stt });
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU });
    await rig.stream(leg, [
      ...g711Payloads('mulaw', 0, 400),
      ...g711Payloads('mulaw', 300, 400),
      ...g711Payloads('mulaw', 0, 700),
    ]);
    await rig.call.end('bye');
    assert.equal(streams, 2);
    assert.equal(leg.stats.recognizerRestarts, 1);
    assert.equal(leg.stats.recognizerErrors, 1);
    const final = rig.of('transcript.final')[0]!;
    assert.equal(final.text, 'after restart');
    assert.equal(final.startMs, 400);
    assert.equal(final.endMs, 800);
  });
});

describe('Call: ending with an engine that does not finish', () => {
  it('aborts the stream after the flush timeout and still ends the call', async () => {
    let sawAbort = false;
    const stt: SttEngine = {
      name: 'stuck',
      capabilities: new ScriptedStt({ utterances: [] }).capabilities,
      async *transcribe(_frames, options): AsyncGenerator<SttEvent> {
        yield { type: 'started' };
        // Never reads its input, so closing the channel cannot end it; only the signal can.
        await new Promise<void>((resolve) => options?.signal?.addEventListener('abort', () => resolve()));
        sawAbort = true;
        throw new EngineError('stuck', 'ABORTED', 'aborted');
      },
      close: () => Promise.resolve(),
    };
    const rig = new SessionRig({ stt, flushTimeoutMs: 20 });
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU });
    await rig.stream(leg, g711Payloads('mulaw', 440, 200));
    await rig.call.end('bye');
    assert.equal(sawAbort, true);
    assert.equal(leg.stats.recognizer, 'ended');
    assert.equal(leg.stats.recognizerErrors, 0);
    assert.equal(rig.events.at(-1)?.type, 'call.ended');
  });
});

describe('Call: DTMF', () => {
  it('reports RFC 4733 digits once each, and SIP INFO digits, with call-time offsets', async () => {
    const rig = new SessionRig();
    await rig.advance(1000);
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU });
    await rig.stream(leg, g711Payloads('mulaw', 0, 200));
    for (const p of dtmfPackets('5', 2000, 48_000)) {
      leg.pushRtp(p, rig.clock.now);
      await rig.advance(20);
    }
    // A digit whose end packets were all lost is ended by the receiver's timeout on the tick.
    const lostEnd = dtmfPackets('#', 2010, 64_000).slice(0, 2);
    for (const p of lostEnd) {
      leg.pushRtp(p, rig.clock.now);
      await rig.advance(20);
    }
    await rig.advance(400);
    leg.pushDtmf('a', 250);
    leg.pushDtmf('x', 100);
    await rig.call.end('bye');
    const digits = rig.of('dtmf');
    assert.deepEqual(digits, [
      {
        type: 'dtmf',
        callId: rig.call.id,
        sipCallId: 'a84b4c76e66710@pc33.example.com',
        legId: 'leg-1',
        role: 'caller',
        digit: '5',
        durationMs: 100,
        source: 'rfc4733',
        atMs: 1200,
        timestamp: iso(1240),
      },
      {
        type: 'dtmf',
        callId: rig.call.id,
        sipCallId: 'a84b4c76e66710@pc33.example.com',
        legId: 'leg-1',
        role: 'caller',
        digit: '#',
        durationMs: 40,
        source: 'rfc4733',
        atMs: 1300,
        timestamp: digits[1]!.timestamp,
      },
      {
        type: 'dtmf',
        callId: rig.call.id,
        sipCallId: 'a84b4c76e66710@pc33.example.com',
        legId: 'leg-1',
        role: 'caller',
        digit: 'A',
        durationMs: 250,
        source: 'info',
        atMs: 1740,
        timestamp: iso(1740),
      },
    ]);
    assert.equal(leg.stats.dtmfDigits, 3);
    assert.equal(leg.stats.dtmfInvalid, 1);
    assert.equal(leg.stats.dtmfPackets, 7);
  });
});

describe('MediaLeg: hold and codec change', () => {
  it('feeds nothing to the recognizer while held and counts no loss across the hold', async () => {
    const rig = new SessionRig({ stt: new ScriptedStt({ utterances: ['first', 'second'] }) });
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU });
    await rig.stream(leg, [
      ...g711Payloads('mulaw', 0, 200),
      ...g711Payloads('mulaw', 440, 400),
      ...g711Payloads('mulaw', 0, 600),
    ]);
    const framesBeforeHold = leg.stats.recognizerFrames;
    leg.setHold(true);
    // Music on hold keeps arriving; it must not be recognized.
    await rig.stream(leg, g711Payloads('mulaw', 440, 2000));
    assert.equal(leg.stats.recognizerFrames, framesBeforeHold);
    assert.equal(leg.stats.heldDropped, 100);
    leg.setHold(false);
    await rig.stream(leg, [
      ...g711Payloads('mulaw', 0, 200),
      ...g711Payloads('mulaw', 440, 400),
      ...g711Payloads('mulaw', 0, 600),
    ]);
    await rig.call.end('bye');
    assert.equal(leg.stats.lost, 0);
    const finals = rig.of('transcript.final');
    assert.deepEqual(
      finals.map((f) => [f.text, f.startMs, f.endMs]),
      // Second utterance: the hold took 2000 ms, the second stream started 3200 ms after the call.
      [
        ['first', 200, 600],
        ['second', 3400, 3800],
      ],
    );
  });

  it('follows a re-INVITE to another law and ptime, and ignores packets of the old payload type', async () => {
    const rig = new SessionRig({ stt: new ScriptedStt({ utterances: ['mu', 'a'] }) });
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU });
    await rig.stream(leg, [...g711Payloads('mulaw', 440, 400), ...g711Payloads('mulaw', 0, 600)]);
    leg.updateCodec({ ...PCMA, ptimeMs: 30 });
    assert.equal(leg.ptimeMs, 30);
    // A late PCMU packet after the switch is an unknown payload type now.
    leg.pushRtp(rtpPacket(1, new Uint8Array(160)), rig.clock.now);
    assert.equal(leg.stats.unknownPayloadType, 1);
    // 30 ms A-law packets: 240 bytes each.
    const alaw = [...g711Payloads('alaw', 440, 420), ...g711Payloads('alaw', 0, 600)];
    const joined = new Uint8Array(alaw.length * 160);
    alaw.forEach((p, i) => joined.set(p, i * 160));
    for (let at = 0, seq = 5000; at + 240 <= joined.length; at += 240, seq++) {
      leg.pushRtp(
        rtpPacket(seq, joined.slice(at, at + 240), { payloadType: 8, timestamp: seq * 240, ssrc: 7 }),
        rig.clock.now,
      );
      rig.clock.now += 30;
      rig.ticker.tick();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await rig.call.end('bye');
    assert.deepEqual(
      rig.of('transcript.final').map((f) => f.text),
      ['mu', 'a'],
    );
    assert.equal(rig.of('leg.added')[0]?.codec, 'PCMU/8000');
    assert.equal(leg.stats.lost, 0);
  });
});
