/**
 * Issue 10 point 4, over the real stack: SIPp sends INVITEs without SDP (RFC 3261 §13.2.1; Cisco
 * CUCM's built-in-bridge recording sends SIPREC INVITEs so). voxbridge offers in the 200, the
 * caller answers in the ACK, audio flows and is transcribed; an ACK without the answer makes
 * voxbridge end the dialog with its own BYE and release everything.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Gateway } from '../../src/app/index.js';
import { startGateway } from '../../src/app/index.js';
import { ScriptedStt } from '../../src/engines/spi/testing/index.js';
import type { CallEvent, LegAddedEvent } from '../../src/session/index.js';
import { sharedFile } from '../support/paths.js';
import { runSipp, sippScenario, wavToG711, writeRtpPcap } from '../support/sipp/index.js';

describe('offerless INVITE with a real SIPp caller', () => {
  let gateway: Gateway;
  let work: string;
  const events: CallEvent[] = [];
  const errors: string[] = [];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'voxbridge-offerless-'));
    gateway = await startGateway({
      sipHost: '127.0.0.1',
      sipPort: 0,
      rtpPorts: { min: 28600, max: 28699 },
      stt: 'none',
      sttEngine: new ScriptedStt({ utterances: ['hello'] }),
      // Fixed, so the limit derived from the measured real-time factor cannot refuse the second
      // call's live transcription.
      maxRecognizerStreams: 8,
      onEvent: (event) => events.push(event),
      onError: (error) => errors.push(error instanceof Error ? error.message : String(error)),
    });
  });

  beforeEach(() => {
    events.length = 0;
    errors.length = 0;
  });

  after(async () => {
    await gateway?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function speechPcap(name: string, offsets: readonly number[]): { pcap: string; durationMs: number } {
    const pcap = join(work, `${name}.pcap`);
    const payload = wavToG711(sharedFile('audio/librispeech/0.wav'), 'mulaw');
    const summary = writeRtpPcap(pcap, {
      streams: offsets.map((dstPortOffset) => ({ payload, payloadType: 0, dstPortOffset })),
    });
    return { pcap, durationMs: summary.durationMs };
  }

  function legsAdded(): LegAddedEvent[] {
    return events.filter((e): e is LegAddedEvent => e.type === 'leg.added');
  }

  it(
    'plain call: our offer in the 200, the answer in the ACK, audio transcribed',
    { timeout: 90_000 },
    async () => {
      const { pcap, durationMs } = speechPcap('plain', [0]);
      const result = await runSipp({
        scenario: sippScenario('uac-offerless'),
        target: `127.0.0.1:${gateway.sipPorts.udp}`,
        keys: { pcap },
        variables: { hold_ms: String(durationMs + 2000) },
        timeoutMs: 60_000,
        traceMessages: true,
      });
      assert.equal(result.exitCode, 0, `${result.errors}\n${result.messages ?? ''}`);
      await gateway.idle();
      assert.deepEqual(
        legsAdded().map((l) => [l.role, l.codec]),
        [['caller', 'PCMU/8000']],
      );
      const finals = events.filter((e) => e.type === 'transcript.final');
      assert.ok(finals.length >= 1, `transcribed: ${events.map((e) => e.type).join(', ')}`);
      const ended = events.find((e) => e.type === 'call.ended');
      assert.equal(ended?.type === 'call.ended' ? ended.reason : undefined, 'remote-bye');
      assert.equal(gateway.ingress.offerlessInvites, 1);
      assert.equal(gateway.pool.inUse, 0, 'RTP ports back in the pool');
    },
  );

  it(
    'SIPREC without SDP (CUCM style): two labelled recvonly m-lines offered, both streams transcribed',
    { timeout: 90_000 },
    async () => {
      const { pcap, durationMs } = speechPcap('siprec', [0, 2]);
      const result = await runSipp({
        scenario: sippScenario('uac-offerless-siprec'),
        target: `127.0.0.1:${gateway.sipPorts.udp}`,
        keys: { pcap },
        variables: { hold_ms: String(durationMs + 2000) },
        timeoutMs: 60_000,
        traceMessages: true,
      });
      assert.equal(result.exitCode, 0, `${result.errors}\n${result.messages ?? ''}`);
      await gateway.idle();
      const legs = legsAdded();
      assert.deepEqual(
        legs.map((l) => [l.label, l.codec]),
        [
          ['1', 'PCMU/8000'],
          ['2', 'PCMU/8000'],
        ],
      );
      for (const leg of legs) {
        assert.ok(
          events.some((e) => e.type === 'transcript.final' && e.legId === leg.legId),
          `leg ${leg.label} transcribed: ${events.map((e) => e.type).join(', ')}`,
        );
      }
      assert.equal(gateway.pool.inUse, 0);
    },
  );

  it('an ACK without the answer: voxbridge sends BYE (Reason cause 488), counts and logs it, releases all', async () => {
    const badBefore = gateway.userAgent.stats.badAnswers;
    const result = await runSipp({
      scenario: sippScenario('uac-offerless-noanswer'),
      target: `127.0.0.1:${gateway.sipPorts.udp}`,
      timeoutMs: 30_000,
      traceMessages: true,
    });
    assert.equal(result.exitCode, 0, `${result.errors}\n${result.messages ?? ''}`);
    await gateway.idle();
    assert.match(result.messages ?? '', /BYE sip:sipp@127\.0\.0\.1:\d+ SIP\/2\.0/);
    assert.equal(gateway.userAgent.stats.badAnswers, badBefore + 1);
    assert.deepEqual(
      events.map((e) => e.type),
      [],
      'no call was created',
    );
    assert.ok(errors.some((m) => /offerless call ended with BYE/.test(m)));
    assert.equal(gateway.userAgent.activeCalls, 0);
    assert.equal(gateway.ingress.activeCalls, 0);
    assert.equal(gateway.pool.inUse, 0);
  });
});
