import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidArgumentError } from '../../../../src/core/index.js';
import { Resampler, resample } from '../../../../src/media/audio/resampler.js';

const RATIOS: [number, number][] = [
  [8000, 16000],
  [16000, 8000],
  [22050, 8000],
  [22050, 16000],
  [24000, 16000],
  [32000, 16000],
  [44100, 8000],
  [44100, 16000],
  [48000, 8000],
  [48000, 16000],
  [16000, 16000],
];

/** Deterministic pseudo-random PCM spanning the whole int16 range, so clipping paths run too. */
function noise(samples: number, seed: number): Int16Array {
  const out = new Int16Array(samples);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < samples; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 16) - 32768;
  }
  return out;
}

function streamAll(resampler: Resampler, pieces: Int16Array[]): Int16Array {
  const outputs = pieces.map((p) => resampler.process(p));
  outputs.push(resampler.flush());
  const out = new Int16Array(outputs.reduce((n, o) => n + o.length, 0));
  let at = 0;
  for (const o of outputs) {
    out.set(o, at);
    at += o.length;
  }
  return out;
}

test('processing in random chunks gives exactly the output of processing in one piece', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...RATIOS),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 2400 }),
      fc.integer(),
      fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 12 }),
      ([fromHz, toHz], channels, frames, seed, chunkFrames) => {
        const pcm = noise(frames * channels, seed);
        const whole = streamAll(new Resampler(fromHz, toHz, { channels }), [pcm]);
        const pieces: Int16Array[] = [];
        let at = 0;
        for (let i = 0; at < pcm.length; i++) {
          const size = chunkFrames[i % chunkFrames.length]! * channels;
          pieces.push(pcm.subarray(at, at + size));
          at += size;
        }
        const chunked = streamAll(new Resampler(fromHz, toHz, { channels }), pieces);
        assert.deepEqual(chunked, whole);
      },
    ),
    { numRuns: 60 },
  );
});

test('20 ms frames through processInto match one-shot processing, with no allocation of output', () => {
  const pcm = noise(8000, 7);
  const framed = new Resampler(8000, 16000);
  const out = new Int16Array(320);
  const collected: number[] = [];
  for (let i = 0; i < pcm.length; i += 160) {
    assert.equal(framed.outputSamplesFor(160), 320);
    const n = framed.processInto(pcm.subarray(i, i + 160), out);
    assert.equal(n, 320);
    collected.push(...out);
  }
  const once = new Resampler(8000, 16000).process(pcm);
  assert.deepEqual(Int16Array.from(collected), once);
});

test('one-shot output has round(len·to/from) frames and equals the stream with its delay dropped', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...RATIOS),
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 0, max: 3000 }),
      ([fromHz, toHz], channels, frames) => {
        const pcm = noise(frames * channels, frames + 1);
        const oneShot = resample(pcm, fromHz, toHz, channels);
        assert.equal(oneShot.length, Math.round((frames * toHz) / fromHz) * channels);
        const resampler = new Resampler(fromHz, toHz, { channels });
        const streamed = streamAll(resampler, [pcm]);
        const delay = resampler.delaySamples * channels;
        assert.equal(streamed.length, delay + oneShot.length);
        assert.deepEqual(streamed.subarray(delay), oneShot);
      },
    ),
    { numRuns: 40 },
  );
});

test('an impulse peaks exactly delaySamples into the stream output', () => {
  for (const [fromHz, toHz] of RATIOS) {
    const resampler = new Resampler(fromHz, toHz);
    const impulse = new Int16Array(fromHz / 50);
    impulse[0] = 20000;
    const out = streamAll(resampler, [impulse]);
    let peak = 0;
    for (let i = 1; i < out.length; i++) if (Math.abs(out[i]!) > Math.abs(out[peak]!)) peak = i;
    assert.equal(peak, resampler.delaySamples, `${fromHz}→${toHz}`);
  }
  assert.equal(new Resampler(8000, 16000).delaySamples, 27);
  assert.equal(new Resampler(16000, 8000).delaySamples, 13);
  assert.equal(new Resampler(16000, 16000).delaySamples, 0);
});

test('a constant input settles to exactly the same constant, on every channel', () => {
  for (const [fromHz, toHz] of RATIOS) {
    const pcm = new Int16Array(2 * (fromHz / 10));
    for (let i = 0; i < pcm.length; i += 2) {
      pcm[i] = 1234;
      pcm[i + 1] = -20000;
    }
    const out = resample(pcm, fromHz, toHz, 2);
    const middle = out.subarray(out.length / 2 - 20, out.length / 2 + 20);
    for (let i = 0; i < middle.length; i += 2) {
      assert.equal(middle[i], 1234, `${fromHz}→${toHz}`);
      assert.equal(middle[i + 1], -20000, `${fromHz}→${toHz}`);
    }
  }
});

test('channels are filtered independently', () => {
  const left = noise(1600, 3);
  const right = noise(1600, 4);
  const stereo = new Int16Array(3200);
  for (let i = 0; i < 1600; i++) {
    stereo[2 * i] = left[i]!;
    stereo[2 * i + 1] = right[i]!;
  }
  const out = resample(stereo, 16000, 8000, 2);
  const outLeft = resample(left, 16000, 8000);
  const outRight = resample(right, 16000, 8000);
  for (let i = 0; i < outLeft.length; i++) {
    assert.equal(out[2 * i], outLeft[i]);
    assert.equal(out[2 * i + 1], outRight[i]);
  }
});

test('full-scale square waves clip instead of wrapping around', () => {
  const square = new Int16Array(1600);
  for (let i = 0; i < square.length; i++) square[i] = Math.floor(i / 40) % 2 === 0 ? 32767 : -32768;
  for (const [fromHz, toHz] of [
    [8000, 16000],
    [16000, 8000],
    [48000, 16000],
  ] as const) {
    const out = resample(square, fromHz, toHz);
    const ratio = toHz / fromHz;
    // Halfway through each half period the input is flat at full scale; the output must agree in sign.
    for (let half = 1; half < 38; half++) {
      const at = Math.round((half * 40 + 20) * ratio);
      assert.equal(Math.sign(out[at]!), half % 2 === 0 ? 1 : -1, `${fromHz}→${toHz} half ${half}`);
    }
  }
});

test('identity ratio passes samples through unchanged', () => {
  const pcm = noise(500, 9);
  assert.deepEqual(resample(pcm, 16000, 16000), pcm);
  const r = new Resampler(8000, 8000);
  assert.deepEqual(r.process(pcm), pcm);
  assert.equal(r.flush().length, 0);
});

test('reset and flush start a fresh stream', () => {
  const pcm = noise(900, 11);
  const r = new Resampler(44100, 16000);
  const first = streamAll(r, [pcm]);
  const second = streamAll(r, [pcm]);
  assert.deepEqual(second, first);
  r.process(noise(300, 12));
  r.reset();
  assert.deepEqual(streamAll(r, [pcm]), first);
});

test('unsupported rates, channel counts and buffer sizes are rejected', () => {
  for (const [fromHz, toHz] of [
    [8000, 44100],
    [16000, 22050],
    [11025, 8000],
    [8000, 12000],
    [0, 8000],
    [44100, 44101],
  ]) {
    assert.throws(() => new Resampler(fromHz!, toHz!), InvalidArgumentError, `${fromHz}→${toHz}`);
  }
  assert.throws(() => new Resampler(8000, 16000, { channels: 0 }), InvalidArgumentError);
  assert.throws(() => new Resampler(8000, 16000, { channels: 1.5 }), InvalidArgumentError);
  assert.throws(
    () => new Resampler(8000, 16000, { channels: 2 }).process(new Int16Array(3)),
    InvalidArgumentError,
  );
  assert.throws(
    () => new Resampler(8000, 16000).processInto(new Int16Array(160), new Int16Array(319)),
    InvalidArgumentError,
  );
  assert.throws(() => resample(new Int16Array(10), 8000, 32000), InvalidArgumentError);
});

// The scalar JS half-band kernel measures about 3.5–4.5 µs per 20 ms frame on the 2-core dev machine,
// over the 2 µs budget for the whole receive path; a WebAssembly SIMD kernel is the likely fix.
void test.todo('8 → 16 kHz resampling of one 20 ms frame fits the 2 µs receive-path budget');
