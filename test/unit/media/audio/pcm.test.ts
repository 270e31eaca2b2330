import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidArgumentError, UnsupportedFormatError } from '../../../../src/core/index.js';
import { ALAW_8K, MULAW_8K, PCM16_16K, PCM16_8K } from '../../../../src/media/audio/audio-format.js';
import type { AudioFormat } from '../../../../src/media/audio/audio-format.js';
import { FrameSplitter } from '../../../../src/media/audio/frame-splitter.js';
import {
  concatPcm,
  deinterleave,
  floatToPcm16,
  interleave,
  mixDown,
  pcm16ToFloat,
  rmsDbfs,
  silence,
} from '../../../../src/media/audio/pcm.js';
import { generateTone } from '../../../../src/media/audio/tone.js';

const int16 = fc.integer({ min: -32768, max: 32767 });
const pcmArb = fc.array(int16, { maxLength: 2000 }).map((a) => Int16Array.from(a));

test('deinterleave inverts interleave for any channel count', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 200 }), (channels, frames) => {
      const pcm = Int16Array.from({ length: channels * frames }, (_, i) => ((i * 7919) % 65536) - 32768);
      const planes = deinterleave(pcm, channels);
      assert.equal(planes.length, channels);
      assert.deepEqual(interleave(planes), pcm);
    }),
  );
  assert.deepEqual(interleave([Int16Array.of(1, 2), Int16Array.of(3, 4)]), Int16Array.of(1, 3, 2, 4));
  assert.throws(() => interleave([Int16Array.of(1), Int16Array.of(1, 2)]), InvalidArgumentError);
  assert.throws(() => deinterleave(Int16Array.of(1, 2, 3), 2), InvalidArgumentError);
});

test('pcm16 → float → pcm16 is exact; floats clip and round', () => {
  fc.assert(fc.property(pcmArb, (pcm) => assert.deepEqual(floatToPcm16(pcm16ToFloat(pcm)), pcm)));
  assert.deepEqual(
    floatToPcm16(Float32Array.of(2, -2, 0.5, -0.5, 1 / 65536, Number.NaN)),
    Int16Array.of(32767, -32768, 16384, -16384, 1, 0),
  );
  const floats = pcm16ToFloat(Int16Array.of(-32768, 0, 32767));
  assert.equal(floats[0], -1);
  assert.ok(floats[2]! < 1);
});

test('rmsDbfs follows AES17: full-scale sine 0 dBFS, square +3 dBFS, silence −Infinity', () => {
  const sine = generateTone({ frequencyHz: 1000, sampleRateHz: 8000, durationMs: 100, amplitudeDbfs: 0 });
  assert.ok(Math.abs(rmsDbfs(sine)) < 0.01);
  const tone20 = generateTone({ frequencyHz: 440, sampleRateHz: 16000, durationMs: 500, amplitudeDbfs: -20 });
  assert.ok(Math.abs(rmsDbfs(tone20) + 20) < 0.01);
  assert.ok(Math.abs(rmsDbfs(new Int16Array(100).fill(-32768)) - 3.0103) < 0.001);
  assert.equal(rmsDbfs(new Int16Array(100)), Number.NEGATIVE_INFINITY);
  assert.equal(rmsDbfs(new Int16Array(0)), Number.NEGATIVE_INFINITY);
});

test('mixDown averages channels and copies mono', () => {
  assert.deepEqual(mixDown(Int16Array.of(100, 200, -32768, -32768, 1, 2), 2), Int16Array.of(150, -32768, 2));
  const mono = Int16Array.of(5, 6);
  const copy = mixDown(mono, 1);
  assert.deepEqual(copy, mono);
  assert.notEqual(copy, mono);
  assert.throws(() => mixDown(Int16Array.of(1, 2, 3), 2), InvalidArgumentError);
  assert.throws(() => mixDown(Int16Array.of(1, 2), 0), InvalidArgumentError);
});

test('concatPcm joins parts in order', () => {
  assert.deepEqual(
    concatPcm([Int16Array.of(1), new Int16Array(0), Int16Array.of(2, 3)]),
    Int16Array.of(1, 2, 3),
  );
  assert.deepEqual(concatPcm([]), new Int16Array(0));
});

test('silence has the right length and code word for every encoding', () => {
  const pcm = silence(PCM16_16K, 20, 40);
  assert.equal(pcm.data.length, 320);
  assert.equal(pcm.timestampMs, 40);
  assert.ok(pcm.data.every((v) => v === 0));
  assert.ok(silence(MULAW_8K, 20).data.every((v) => v === 0xff));
  assert.ok(silence(ALAW_8K, 10).data.every((v) => v === 0xd5));
  const stereo: AudioFormat = { encoding: 'pcm16', sampleRateHz: 8000, channels: 2 };
  assert.equal(silence(stereo, 20).data.length, 320);
  assert.throws(() => silence(PCM16_8K, -1), InvalidArgumentError);
});

test('FrameSplitter: concatenating its frames reproduces the input, timestamps advance by frameMs', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(1, 2),
      fc.array(fc.integer({ min: 0, max: 900 }), { maxLength: 10 }),
      fc.constantFrom(10, 20, 30),
      (channels, chunkFrames, frameMs) => {
        const format: AudioFormat = { encoding: 'pcm16', sampleRateHz: 8000, channels };
        const splitter = new FrameSplitter(format, { frameMs, startTimestampMs: 1000 });
        const chunks = chunkFrames.map((n, k) =>
          Int16Array.from({ length: n * channels }, (_, i) => ((i * 31 + k * 977) % 65536) - 32768),
        );
        const frames = chunks.flatMap((c) => splitter.push(c));
        const last = splitter.flush();
        const frameSamples = (8000 * frameMs * channels) / 1000;
        frames.forEach((f, i) => {
          assert.equal(f.data.length, frameSamples);
          assert.equal(f.timestampMs, 1000 + i * frameMs);
          assert.equal(f.format, format);
        });
        if (last) {
          assert.ok(last.data.length > 0 && last.data.length < frameSamples);
          assert.equal(last.timestampMs, 1000 + frames.length * frameMs);
        }
        const all = [...frames, ...(last ? [last] : [])].map((f) => f.data as Int16Array);
        assert.deepEqual(concatPcm(all), concatPcm(chunks));
        assert.equal(splitter.pendingSamples, 0);
      },
    ),
  );
});

test('FrameSplitter frames own their samples and can pad the last frame', () => {
  const splitter = new FrameSplitter(PCM16_8K);
  const buffer = new Int16Array(200).fill(7);
  const [frame] = splitter.push(buffer);
  buffer.fill(9);
  assert.ok(frame!.data.every((v) => v === 7));
  assert.equal(splitter.pendingSamples, 40);
  const padded = splitter.flush(true)!;
  assert.equal(padded.data.length, 160);
  assert.equal(padded.data[39], 7);
  assert.equal(padded.data[40], 0);
  assert.equal(padded.timestampMs, 20);
  assert.equal(splitter.flush(), undefined);
});

test('FrameSplitter rejects G.711 and frame lengths that are not whole samples', () => {
  assert.throws(() => new FrameSplitter(MULAW_8K), UnsupportedFormatError);
  assert.throws(() => new FrameSplitter(PCM16_8K, { frameMs: 0.1 }), InvalidArgumentError);
  assert.throws(() => new FrameSplitter(PCM16_8K, { frameMs: 0 }), InvalidArgumentError);
  assert.equal(
    new FrameSplitter({ encoding: 'pcm16', sampleRateHz: 44100, channels: 1 }, { frameMs: 10 }).frameMs,
    10,
  );
});
