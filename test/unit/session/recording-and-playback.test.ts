import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AudioFrame } from '../../../src/media/audio/index.js';
import {
  MULAW_8K,
  PCM16_16K,
  createFrame,
  dominantFrequencyHz,
  generateTone,
  goertzelDbfs,
  interleave,
} from '../../../src/media/audio/index.js';
import { g711Decode, g711Encode } from '../../../src/media/codecs/index.js';
import { parseWav } from '../../../src/media/wav/index.js';
import type { LegPacer } from '../../../src/session/index.js';
import { PCMA, PCMU, SessionRig, g711Payloads } from './session-rig.js';

describe('MediaLeg recording', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vox-session-rec-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the received µ-law bytes, with lost packets as silence so the duration holds', async () => {
    const rig = new SessionRig({ recordDir: dir });
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU });
    const tone = g711Payloads('mulaw', 1000, 2000);
    // 40 packets, 2 lost (concealed for the recognizer, silence in the recording), 10 more
    // lost in a row (an underrun), then the rest.
    await rig.stream(leg, tone.slice(0, 40));
    await rig.lose(leg, 2);
    await rig.stream(leg, tone.slice(42, 60));
    await rig.lose(leg, 10);
    await rig.stream(leg, tone.slice(70, 100));
    await rig.advance(200);
    await rig.call.end('bye');

    const wav = parseWav(readFileSync(join(dir, `${rig.call.id}-leg-1.wav`)));
    assert.deepEqual(wav.format, MULAW_8K);
    assert.equal(wav.info.formatTag, 7);
    const codes = Uint8Array.from(wav.samples as Uint8Array);
    // The recording runs from the first played frame (due 60 ms after the first packet) through
    // the frame due at the last tick (2200 ms), 20 ms each: one sample per 1/8000 s of the clock.
    assert.equal(codes.length, (2200 - 60 + 20) * 8);
    assert.equal(leg.stats.recordedBytes, codes.length);
    // Before the first loss: exactly the bytes sent.
    assert.deepEqual(codes.subarray(0, 40 * 160), concat(tone.slice(0, 40)));
    // The two lost packets are silence (0xFF) in the recording.
    assert.ok(codes.subarray(40 * 160, 42 * 160).every((c) => c === 0xff));
    assert.deepEqual(codes.subarray(42 * 160, 60 * 160), concat(tone.slice(42, 60)));
    // Then silence through the underrun and the re-buffering, then the tone again, unchanged.
    const resume = findSequence(codes, tone[70]!, 60 * 160);
    assert.ok(resume > 70 * 160, `tone resumes at ${resume}`);
    assert.ok(codes.subarray(60 * 160, resume).every((c) => c === 0xff));
    assert.deepEqual(codes.subarray(resume, resume + 30 * 160), concat(tone.slice(70, 100)));
    assert.equal(leg.stats.lost, 12);
    assert.equal(leg.stats.concealed, 2);
  });

  it('records an A-law leg as µ-law of the same audio', async () => {
    const rig = new SessionRig({ recordDir: dir });
    const leg = rig.call.addLeg({ role: 'agent', codec: PCMA });
    await rig.stream(leg, g711Payloads('alaw', 697, 1000), 8);
    await rig.advance(100);
    await rig.call.end('bye');
    const wav = parseWav(readFileSync(join(dir, `${rig.call.id}-leg-1.wav`)));
    assert.deepEqual(wav.format, MULAW_8K);
    const pcm = g711Decode('mulaw', wav.samples as Uint8Array);
    assert.equal(pcm.length, (1100 - 60 + 20) * 8);
    assert.ok(Math.abs(dominantFrequencyHz(pcm.subarray(0, 4096), 8000) - 697) < 4);
  });

  it('keeps the call going when the recording cannot be opened', async () => {
    const rig = new SessionRig({ recordDir: join(dir, 'missing', 'folder') });
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU });
    await rig.stream(leg, g711Payloads('mulaw', 440, 400));
    await rig.call.end('bye');
    assert.match(leg.stats.recordingError ?? '', /ENOENT/);
    // 20 packets sent; the 18 due by the last tick (60 ms playout delay) played.
    assert.equal(leg.stats.played, 18);
    assert.equal(rig.events.at(-1)?.type, 'call.ended');
  });
});

/** Collects payloads as a pacer would send them (one per ptime), without real time. */
class FakePacer implements LegPacer {
  readonly payloads: Uint8Array[] = [];
  stopped = 0;
  async play(payloads: AsyncIterable<Uint8Array>, options: { signal?: AbortSignal } = {}): Promise<void> {
    for await (const p of payloads) {
      if (options.signal?.aborted) break;
      this.payloads.push(p);
    }
  }
  stop(): void {
    this.stopped++;
  }
}

async function* framesOf(frames: readonly AudioFrame[]): AsyncGenerator<AudioFrame> {
  for (const f of frames) yield await Promise.resolve(f);
}

describe('MediaLeg.play', () => {
  it('converts 16 kHz stereo in odd frame sizes to 160-byte µ-law payloads of the same tone', async () => {
    const rig = new SessionRig();
    const pacer = new FakePacer();
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU, pacer });
    const left = generateTone({ frequencyHz: 1200, sampleRateHz: 16000, durationMs: 1000 });
    const stereo = interleave([left, left]);
    const frames: AudioFrame[] = [];
    // 37 ms pieces: nothing lines up with 20 ms on purpose.
    for (let at = 0; at < stereo.length; at += 37 * 32) {
      frames.push(createFrame({ ...PCM16_16K, channels: 2 }, stereo.slice(at, at + 37 * 32)));
    }
    await leg.play(framesOf(frames));
    assert.equal(pacer.payloads.length, 50);
    assert.ok(pacer.payloads.every((p) => p.length === 160));
    const pcm = g711Decode('mulaw', concat(pacer.payloads));
    assert.ok(Math.abs(dominantFrequencyHz(pcm.subarray(400, 400 + 4096), 8000) - 1200) < 4);
    assert.ok(goertzelDbfs(pcm.subarray(400, 7600), 8000, 1200) > -9);
    await rig.call.end('bye');
    assert.equal(pacer.stopped, 1);
  });

  it('encodes with the leg codec: A-law input to an A-law leg, padded to a whole ptime', async () => {
    const rig = new SessionRig();
    const pacer = new FakePacer();
    const leg = rig.call.addLeg({ role: 'caller', codec: { ...PCMA, ptimeMs: 30 }, pacer });
    const tone = generateTone({ frequencyHz: 850, sampleRateHz: 8000, durationMs: 500 });
    await leg.play(framesOf([createFrame({ ...MULAW_8K }, g711Encode('mulaw', tone))]));
    // 500 ms in 30 ms payloads: 16 full and one padded.
    assert.equal(pacer.payloads.length, 17);
    assert.ok(pacer.payloads.every((p) => p.length === 240));
    const pcm = g711Decode('alaw', concat(pacer.payloads));
    assert.ok(Math.abs(dominantFrequencyHz(pcm.subarray(0, 2048), 8000) - 850) < 4);
    assert.ok(pcm.subarray(4000).every((s) => Math.abs(s) <= 8));
    await rig.call.end('bye');
  });

  it('rejects without a pacer, and after the call ended', async () => {
    const rig = new SessionRig();
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU });
    await assert.rejects(leg.play(framesOf([])), { code: 'NO_PACER' });
    const withPacer = rig.call.addLeg({ role: 'agent', codec: PCMU, pacer: new FakePacer() });
    await rig.call.end('bye');
    await assert.rejects(withPacer.play(framesOf([])), { code: 'LEG_CLOSED' });
  });

  it('stops feeding the pacer when the caller aborts', async () => {
    const rig = new SessionRig();
    const pacer = new FakePacer();
    const leg = rig.call.addLeg({ role: 'caller', codec: PCMU, pacer });
    const abort = new AbortController();
    async function* endless(): AsyncGenerator<AudioFrame> {
      for (let i = 0; ; i++) {
        if (i === 10) abort.abort();
        await Promise.resolve();
        yield createFrame(PCM16_16K, generateTone({ frequencyHz: 400, sampleRateHz: 16000, durationMs: 20 }));
      }
    }
    await leg.play(endless(), { signal: abort.signal });
    assert.ok(pacer.payloads.length >= 9 && pacer.payloads.length <= 10, `${pacer.payloads.length}`);
    await rig.call.end('bye');
  });
});

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function findSequence(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
