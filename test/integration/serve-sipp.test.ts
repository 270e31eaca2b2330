/**
 * `voxbridge serve` (the built CLI) answering real SIPp calls over loopback: speech in as G.711
 * RTP, transcripts out as JSON lines. Each test places its calls and reads the events that carry
 * its SIPp process's Call-IDs.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseWav } from '../../src/media/wav/index.js';
import type { GatewayEvent, GatewayProcess } from '../support/gateway-process.js';
import { rtpRangeForTest, startGatewayProcess } from '../support/gateway-process.js';
import { sharedFile } from '../support/paths.js';
import {
  runSipp,
  sendSipDatagrams,
  sipOptionsRequest,
  sippScenario,
  wavToG711,
  writeRtpPcap,
} from '../support/sipp/index.js';
import type { SippResult } from '../support/sipp/index.js';
import { wordErrorRate } from '../support/wer.js';
import { librispeechReference } from '../support/librispeech.js';

/** The Call-ID SIPp gives call n of a run: `[call_number]-[pid]@[local_ip]`. */
function sippCallId(result: SippResult, callNumber = 1): string {
  assert.ok(result.pid !== undefined);
  return `${callNumber}-${result.pid}@127.0.0.1`;
}

function eventsOf(gateway: GatewayProcess, sipCallId: string): GatewayEvent[] {
  return gateway.events.filter((e) => e.sipCallId === sipCallId);
}

function finalText(events: readonly GatewayEvent[], legId?: string): string {
  return events
    .filter((e) => e.type === 'transcript.final' && (legId === undefined || e.legId === legId))
    .map((e) => e.text ?? '')
    .join(' ');
}

/**
 * An OPTIONS request whose Via asks for rport (RFC 3581), so the answer comes back to the socket
 * that sent it rather than to the Via's sent-by port (RFC 3261 §18.2.2).
 */
function options(target: string): string {
  const branch = `z9hG4bK-${Math.random().toString(36).slice(2)}`;
  return sipOptionsRequest(target, { Via: `SIP/2.0/UDP 127.0.0.1:5999;rport;branch=${branch}` });
}

function assertSippOk(result: SippResult): void {
  assert.equal(
    result.exitCode,
    0,
    `SIPp failed (${result.exitCode}):\n${result.errors}\n${result.stderr.slice(-1500)}`,
  );
}

describe('voxbridge serve with SIPp', () => {
  let gateway: GatewayProcess;
  let work: string;
  let recordDir: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'voxbridge-serve-'));
    recordDir = join(work, 'recordings');
    gateway = await startGatewayProcess([
      '--rtp-ports',
      rtpRangeForTest(),
      '--stt',
      'pocketsphinx',
      '--record-dir',
      recordDir,
      // A fixed admission limit: derived from the engine speed measured while other test files
      // load both cores, it can fall below the two streams a SIPREC call needs, and these tests
      // are not about admission (ingress-limits tests that).
      '--max-recognizer-streams',
      '8',
    ]);
  });

  after(async () => {
    await gateway?.stop('SIGKILL');
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function speechCall(law: 'mulaw' | 'alaw'): Promise<{ sipCallId: string; events: GatewayEvent[] }> {
    const pcap = join(work, `${law}.pcap`);
    const summary = writeRtpPcap(pcap, {
      streams: [
        {
          payload: wavToG711(sharedFile('audio/librispeech/0.wav'), law),
          payloadType: law === 'mulaw' ? 0 : 8,
          dstPortOffset: 0,
        },
      ],
    });
    const result = await runSipp({
      scenario: sippScenario('uac-pcmu'),
      target: `127.0.0.1:${gateway.sipPort}`,
      keys: { codec: law === 'mulaw' ? 'PCMU' : 'PCMA', pt: law === 'mulaw' ? '0' : '8', pcap },
      variables: { hold_ms: String(summary.durationMs + 2000) },
      timeoutMs: 60_000,
    });
    assertSippOk(result);
    const sipCallId = sippCallId(result);
    await gateway.waitFor((e) => e.type === 'call.ended' && e.sipCallId === sipCallId, 15_000);
    return { sipCallId, events: eventsOf(gateway, sipCallId) };
  }

  for (const law of ['mulaw', 'alaw'] as const) {
    it(`transcribes a ${law === 'mulaw' ? 'PCMU' : 'PCMA'} call carrying a LibriSpeech utterance`, async () => {
      const { sipCallId, events } = await speechCall(law);
      const types = events.map((e) => e.type);
      assert.equal(types[0], 'call.started');
      assert.equal(types[1], 'leg.added');
      assert.equal(types.at(-1), 'call.ended');
      const leg = events[1]!;
      assert.equal(leg.role, 'caller');
      assert.equal(leg['codec'], law === 'mulaw' ? 'PCMU/8000' : 'PCMA/8000');
      assert.ok(types.includes('transcript.partial'), 'partials arrive while the caller speaks');
      const finals = events.filter((e) => e.type === 'transcript.final');
      assert.ok(finals.length >= 1);
      for (const f of finals) {
        assert.equal(f.sipCallId, sipCallId);
        assert.equal(f.callId, leg.callId);
        assert.equal(f.legId, leg.legId);
        assert.equal(f.role, 'caller');
        assert.ok(f.startMs! >= 0 && f.endMs! > f.startMs!, `offsets ${f.startMs}-${f.endMs}`);
        assert.ok(!Number.isNaN(Date.parse(f.timestamp!)));
      }
      const text = finalText(events);
      // Content words the 8 kHz telephone model gets on this clip (it hears "nightfall" as
      // "night falls", which the WER bound below counts).
      for (const word of ['lamps', 'light', 'squalid', 'quarter', 'brothels']) {
        assert.match(text, new RegExp(`\\b${word}\\b`), `"${word}" missing from "${text}"`);
      }
      const wer = wordErrorRate(librispeechReference('0.wav'), text);
      assert.ok(wer <= 0.35, `WER ${(wer * 100).toFixed(1)} % for "${text}"`);
      assert.equal(events.at(-1)!.reason, 'remote-bye');

      // --record-dir: the leg as a µ-law WAV as long as the call's audio.
      const file = readdirSync(recordDir).find((name) => name.startsWith(`${leg.callId}-`));
      assert.ok(file !== undefined, `no recording for ${leg.callId} in ${readdirSync(recordDir).join(', ')}`);
      const wav = parseWav(readFileSync(join(recordDir, file)));
      assert.equal(wav.format.encoding, 'mulaw');
      assert.equal(wav.info.sampleRateHz, 8000);
      const seconds = wav.samples.length / 8000;
      assert.ok(seconds > 6.5 && seconds < 10, `recording is ${seconds} s`);
    });
  }

  it('answers a SIPREC session with two recvonly streams and transcribes caller and agent apart', async () => {
    const pcap = join(work, 'siprec.pcap');
    // Two speakers: 0.wav as the caller (label 1), 1.wav as the agent (label 2), overlapping in time.
    const summary = writeRtpPcap(pcap, {
      streams: [
        {
          payload: wavToG711(sharedFile('audio/librispeech/0.wav'), 'mulaw'),
          payloadType: 0,
          dstPortOffset: 0,
        },
        {
          payload: wavToG711(sharedFile('audio/librispeech/1.wav'), 'mulaw'),
          payloadType: 0,
          dstPortOffset: 2,
        },
      ],
    });
    const result = await runSipp({
      scenario: sippScenario('uac-siprec'),
      target: `127.0.0.1:${gateway.sipPort}`,
      keys: { pcap },
      variables: { hold_ms: String(summary.durationMs + 2000) },
      traceMessages: true,
      timeoutMs: 90_000,
    });
    assertSippOk(result);
    // The answer SIPp received: two audio m-lines, both recvonly, labels echoed, ports P and P+2.
    const answer =
      /SIP\/2\.0 200 OK[\s\S]*?\r?\n\r?\n(v=0[\s\S]*?)(?:\r?\n-{10,}|$)/.exec(result.messages ?? '')?.[1] ??
      '';
    const ports = [...answer.matchAll(/^m=audio (\d+) /gm)].map((m) => Number(m[1]));
    assert.equal(ports.length, 2, `answer:\n${answer}`);
    assert.equal(ports[1], ports[0]! + 2);
    assert.equal((answer.match(/^a=recvonly/gm) ?? []).length, 2);
    assert.deepEqual(
      [...answer.matchAll(/^a=label:(\S+)/gm)].map((m) => m[1]),
      ['1', '2'],
    );

    const sipCallId = sippCallId(result);
    await gateway.waitFor((e) => e.type === 'call.ended' && e.sipCallId === sipCallId, 20_000);
    const events = eventsOf(gateway, sipCallId);
    assert.equal(events[0]!.kind, 'siprec');
    const legs = events.filter((e) => e.type === 'leg.added');
    assert.deepEqual(
      legs.map((l) => [l.role, l['label'], (l['participant'] as { aor: string } | undefined)?.aor]),
      [
        ['caller', '1', 'sip:+15551230001@example.com'],
        ['agent', '2', 'sip:agent1001@example.com'],
      ],
    );
    const caller = finalText(events, legs[0]!.legId);
    const agent = finalText(events, legs[1]!.legId);
    assert.ok(wordErrorRate(librispeechReference('0.wav'), caller) <= 0.35, `caller: "${caller}"`);
    assert.ok(wordErrorRate(librispeechReference('1.wav'), agent) <= 0.6, `agent: "${agent}"`);
    // Channels are never mixed: the caller's words are not in the agent's transcript and back.
    assert.doesNotMatch(agent, /\bsqualid\b|\bbrothels\b/);
    assert.doesNotMatch(caller, /\bheaven\b|\bchild\b|\bmortals\b/);
    for (const f of events.filter((e) => e.type === 'transcript.final')) {
      assert.equal(f.role, f.legId === legs[0]!.legId ? 'caller' : 'agent');
    }
  });

  it('reports RFC 4733 digits from RTP and dtmf-relay digits from INFO', async () => {
    const pcap = join(work, 'dtmf.pcap');
    const silence = new Uint8Array(8000 * 3).fill(0xff);
    const summary = writeRtpPcap(pcap, {
      streams: [
        {
          payload: silence,
          payloadType: 0,
          dstPortOffset: 0,
          dtmf: [
            { digit: '1', atMs: 500, durationMs: 200 },
            { digit: '#', atMs: 1200, durationMs: 120 },
          ],
        },
      ],
    });
    const result = await runSipp({
      scenario: sippScenario('uac-dtmf'),
      target: `127.0.0.1:${gateway.sipPort}`,
      keys: { codec: 'PCMU', pt: '0', pcap },
      variables: { hold_ms: String(summary.durationMs + 1000) },
      timeoutMs: 60_000,
    });
    assertSippOk(result);
    const sipCallId = sippCallId(result);
    await gateway.waitFor((e) => e.type === 'call.ended' && e.sipCallId === sipCallId, 15_000);
    const digits = eventsOf(gateway, sipCallId)
      .filter((e) => e.type === 'dtmf')
      .map((e) => [e.digit, e.source, e['durationMs']]);
    assert.deepEqual(digits, [
      ['1', 'rfc4733', 200],
      ['#', 'rfc4733', 120],
      ['5', 'info', 160],
    ]);
  });

  it('answers hold with recvonly and resume with sendrecv (checked by SIPp)', async () => {
    const result = await runSipp({
      scenario: sippScenario('uac-hold'),
      target: `127.0.0.1:${gateway.sipPort}`,
      variables: { hold_ms: '500' },
      timeoutMs: 30_000,
    });
    assertSippOk(result);
    const sipCallId = sippCallId(result);
    const ended = await gateway.waitFor((e) => e.type === 'call.ended' && e.sipCallId === sipCallId, 10_000);
    assert.equal(ended.reason, 'remote-bye');
  });

  it('answers malformed requests with 400 and keeps serving calls', async () => {
    const target = `127.0.0.1:${gateway.sipPort}`;
    const call = runSipp({
      scenario: sippScenario('uac-bare'),
      target,
      variables: { hold_ms: '2000' },
      calls: 3,
      rate: 2,
      timeoutMs: 30_000,
    });
    // Each request gets its own branch, or the server rightly treats it as a retransmission.
    const good = (): string => options(target);
    const sent = await sendSipDatagrams(target, [
      // Without a readable CSeq or Call-ID no response can be formed: dropped (RFC 3261 §8.1.1).
      good().replace(/CSeq: 1 OPTIONS/, 'CSeq: one OPTIONS'),
      good().replace(/Call-ID:[^\r\n]*\r\n/, ''),
      good().replace(/Max-Forwards: 70/, 'Max-Forwards: seventy'),
      good().replace(/Content-Length: 0/, 'Content-Length: abc'),
      good().replace(/^OPTIONS (\S+) SIP\/2\.0/, 'OPTIONS $1 SIP/7.0'),
      'this is not SIP at all\r\n\r\n',
      new Uint8Array([0, 1, 2, 3, 0xff, 0xfe]),
      good(),
    ]);
    const status = (r: string | undefined): number => Number(/^SIP\/2\.0 (\d{3})/.exec(r ?? '')?.[1] ?? 0);
    assert.deepEqual(
      sent.map((s) => status(s.responses[0])),
      [0, 0, 400, 400, 505, 0, 0, 200],
    );
    assertSippOk(await call);
  });

  it('rings with --answer-delay-ms and answers CANCEL with 487 without starting a call', async () => {
    const ringMs = 3000;
    const rtpPorts = { min: 29000, max: 29099 };
    const ringing = await startGatewayProcess([
      '--rtp-ports',
      `${rtpPorts.min}-${rtpPorts.max}`,
      '--stt',
      'none',
      '--answer-delay-ms',
      String(ringMs),
    ]);
    try {
      const invitedAtMs = Date.now();
      const result = await runSipp({
        scenario: sippScenario('uac-cancel'),
        target: `127.0.0.1:${ringing.sipPort}`,
        timeoutMs: 20_000,
      });
      assertSippOk(result);
      assert.ok(Date.now() - invitedAtMs < ringMs, 'SIPp cancelled while it was still ringing');
      // Wait where SIPp was until well past the ring time: a late answer would come here.
      const late = await listenUdp(result.localPort, invitedAtMs + ringMs + 1500 - Date.now());
      assert.deepEqual(
        late.filter((m) => /^SIP\/2\.0 [12]\d\d/.test(m)).map((m) => m.split('\r\n')[0]),
        [],
        'nothing but the 487 (already answered) after the CANCEL',
      );
      // No RTP port of the gateway is held: each one can be bound again.
      const held = await heldPorts(rtpPorts.min, rtpPorts.max);
      assert.deepEqual(held, [], 'RTP ports held after a cancelled call');
      const probe = await sendSipDatagrams(`127.0.0.1:${ringing.sipPort}`, [
        options(`127.0.0.1:${ringing.sipPort}`),
      ]);
      assert.match(probe[0]!.responses[0] ?? '', /^SIP\/2\.0 200/);
      assert.deepEqual(ringing.events, []);
    } finally {
      await ringing.stop('SIGKILL');
    }
  });
});

/** Every datagram that reaches 127.0.0.1:`port` within `durationMs`. */
async function listenUdp(port: number, durationMs: number): Promise<string[]> {
  const socket = createSocket('udp4');
  const received: string[] = [];
  socket.on('message', (msg) => received.push(msg.toString('latin1')));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve());
  });
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, durationMs)));
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return received;
}

/** Ports in [min, max] that someone holds on 127.0.0.1 (binding them fails with EADDRINUSE). */
async function heldPorts(min: number, max: number): Promise<number[]> {
  const held: number[] = [];
  for (let port = min; port <= max; port++) {
    const socket = createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      socket.once('error', () => {
        socket.close();
        resolve(false);
      });
      socket.bind(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) await new Promise<void>((resolve) => socket.close(() => resolve()));
    else held.push(port);
  }
  return held;
}

describe('voxbridge serve: SIGTERM drains', () => {
  it('refuses new calls with 503, lets the running call finish, then exits 0', async () => {
    const gateway = await startGatewayProcess(['--rtp-ports', '29100-29199', '--stt', 'none']);
    try {
      const target = `127.0.0.1:${gateway.sipPort}`;
      const running = runSipp({
        scenario: sippScenario('uac-bare'),
        target,
        variables: { hold_ms: '4000' },
        timeoutMs: 30_000,
      });
      await gateway.waitFor((e) => e.type === 'call.started', 10_000);
      gateway.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const probe = await sendSipDatagrams(target, [options(target)]);
      assert.match(probe[0]!.responses[0] ?? '', /^SIP\/2\.0 503/);
      assert.match(probe[0]!.responses[0] ?? '', /\r\nRetry-After: \d+/i);
      const refused = await runSipp({
        scenario: sippScenario('uac-bare'),
        target,
        variables: { hold_ms: '0' },
        timeoutMs: 20_000,
      });
      assert.notEqual(refused.exitCode, 0);
      assert.equal(refused.stats?.successful ?? 0, 0);
      assertSippOk(await running);
      // The first SIGTERM already asked it to stop once idle: it exits by itself.
      assert.equal(await gateway.exited, 0, gateway.stderr());
      assert.deepEqual(
        gateway.events.map((e) => e.type),
        ['call.started', 'leg.added', 'call.ended'],
      );
    } finally {
      await gateway.stop('SIGKILL');
    }
  });
});
