/**
 * The gateway in-process against real peers, where the test needs its internals: outbound audio
 * through a leg's pacer heard by baresip, and every resource released after many SIPp calls.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Gateway } from '../../src/app/index.js';
import { startGateway } from '../../src/app/index.js';
import type { AudioFrame } from '../../src/media/audio/index.js';
import {
  dominantFrequencyHz,
  goertzelDbfs,
  generateTone,
  PCM16_8K,
  rmsDbfs,
} from '../../src/media/audio/index.js';
import { g711Decode } from '../../src/media/codecs/index.js';
import { parseWav } from '../../src/media/wav/index.js';
import type { CallEvent } from '../../src/session/index.js';
import { defaultMediaTicker } from '../../src/session/index.js';
import { pcmFrames, streamFrames } from '../../src/engines/spi/testing/index.js';
import { runBaresip } from '../support/baresip/index.js';
import { sharedFile } from '../support/paths.js';
import { runSipp, sippScenario, wavToG711, writeRtpPcap } from '../support/sipp/index.js';

const TONE_HZ = 1000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function toneFrames(durationMs: number): AsyncIterable<AudioFrame> {
  // 40 ms frames handed over as fast as the consumer takes them: the pacer, not the producer,
  // decides when they go out.
  const pcm = generateTone({ frequencyHz: TONE_HZ, sampleRateHz: 8000, durationMs, amplitudeDbfs: -12 });
  return streamFrames(pcmFrames(PCM16_8K, pcm, 40));
}

function pcmOf(path: string): Int16Array {
  const wav = parseWav(readFileSync(path));
  const samples = wav.samples;
  const pcm =
    wav.format.encoding === 'pcm16'
      ? (samples as Int16Array)
      : g711Decode(wav.format.encoding, samples as Uint8Array);
  return wav.info.channels === 1 ? pcm : pcm.filter((_, i) => i % wav.info.channels === 0);
}

describe('gateway with real peers', () => {
  let gateway: Gateway;
  let work: string;
  const events: CallEvent[] = [];
  const played: Promise<void>[] = [];
  let playTone = false;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'voxbridge-peers-'));
    gateway = await startGateway({
      sipHost: '127.0.0.1',
      sipPort: 0,
      rtpPorts: { min: 29200, max: 29399 },
      stt: 'none',
      onEvent: (event) => {
        events.push(event);
        if (event.type !== 'leg.added' || event.role !== 'caller') return;
        const call = gateway.ingress.calls.find((c) => c.id === event.callId);
        const leg = call?.legs.find((l) => l.id === event.legId);
        if (leg !== undefined && playTone) played.push(leg.play(toneFrames(3000)));
      },
    });
  });

  after(async () => {
    await gateway?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('baresip hears the tone a leg plays: pitch, level and a 3 s duration', { timeout: 60_000 }, async () => {
    playTone = true;
    const result = await runBaresip({
      dial: `sip:test@127.0.0.1:${gateway.sipPorts.udp}`,
      sourceWav: sharedFile('audio/librispeech/8k.wav'),
      durationS: 6,
      recordDir: join(work, 'baresip'),
    });
    await Promise.all(played);
    playTone = false;
    assert.equal(played.length, 1);
    assert.ok(result.recordedWavs.length > 0, `baresip recorded nothing:\n${result.log.slice(-2000)}`);
    // baresip writes what it decoded from our RTP (-dec.wav) and what it encoded (-enc.wav).
    const heard = result.recordedWavs.find((p) => p.includes('dec')) ?? result.recordedWavs[0]!;
    const pcm = pcmOf(heard);
    const rate = parseWav(readFileSync(heard)).info.sampleRateHz;
    // Find the second of audio with the most energy: the tone.
    let best = { at: 0, db: -Infinity };
    for (let at = 0; at + rate <= pcm.length; at += rate / 10) {
      const db = rmsDbfs(pcm.subarray(at, at + rate));
      if (db > best.db) best = { at, db };
    }
    const window = pcm.subarray(best.at, best.at + rate);
    const peak = dominantFrequencyHz(window, rate);
    assert.ok(Math.abs(peak - TONE_HZ) < 15, `baresip heard ${peak.toFixed(1)} Hz`);
    // −12 dBFS peak is −15 dBFS RMS; G.711 round trip keeps the level within 1 dB.
    const level = goertzelDbfs(window, rate, TONE_HZ);
    assert.ok(level > -20 && level < -10, `tone level ${level.toFixed(1)} dBFS`);
    // About 3 s of tone, not a burst squeezed into a fraction of that.
    let toneMs = 0;
    for (let at = 0; at + rate / 50 <= pcm.length; at += rate / 50) {
      if (goertzelDbfs(pcm.subarray(at, at + rate / 50), rate, TONE_HZ) > -25) toneMs += 20;
    }
    assert.ok(toneMs >= 2800 && toneMs <= 3200, `tone lasted ${toneMs} ms in baresip's recording`);
    // The caller's audio reached us too.
    const leg = events.find((e) => e.type === 'leg.added');
    assert.ok(leg !== undefined);
    assert.ok(events.some((e) => e.type === 'call.ended' && e.callId === leg.callId));
  });

  it('releases ports, dialogs, legs and timers after 60 SIPp calls', { timeout: 120_000 }, async () => {
    const pcap = join(work, 'short.pcap');
    const speech = wavToG711(sharedFile('audio/librispeech/0.wav'), 'mulaw').subarray(0, 8000);
    const summary = writeRtpPcap(pcap, { streams: [{ payload: speech, payloadType: 0, dstPortOffset: 0 }] });
    const round = async (): Promise<number> => {
      const result = await runSipp({
        scenario: sippScenario('uac-pcmu'),
        target: `127.0.0.1:${gateway.sipPorts.udp}`,
        keys: { codec: 'PCMU', pt: '0', pcap },
        variables: { hold_ms: String(summary.durationMs + 500) },
        calls: 20,
        rate: 10,
        limit: 10,
        timeoutMs: 60_000,
      });
      assert.equal(result.exitCode, 0, result.errors);
      await gateway.idle();
      gc();
      return process.memoryUsage().heapUsed;
    };
    await round();
    const heapAfterSecond = await round();
    const heapAfterThird = await round();
    assert.equal(gateway.userAgent.activeCalls, 0);
    assert.equal(gateway.ingress.activeCalls, 0);
    assert.equal(gateway.pool.inUse, 0, 'every RTP port pair went back to the pool');
    assert.equal(defaultMediaTicker().legCount, 0);
    assert.equal(gateway.userAgent.dialogCount, 0);
    const ended = events.filter((e) => e.type === 'call.ended').length;
    const started = events.filter((e) => e.type === 'call.started').length;
    assert.equal(ended, started);
    const growthMb = (heapAfterThird - heapAfterSecond) / 2 ** 20;
    assert.ok(growthMb < 4, `heap grew ${growthMb.toFixed(1)} MB over 20 more calls`);
  });
});
