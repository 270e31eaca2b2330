import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidArgumentError } from '../../../../src/core/index.js';
import type { ResamplerQuality } from '../../../../src/media/audio/resampler-design.js';
import { Resampler, resample } from '../../../../src/media/audio/resampler.js';
import { generateTone } from '../../../../src/media/audio/tone.js';

type Conversion = [fromHz: number, toHz: number, quality: ResamplerQuality];

// 8↔16 kHz twice: the default IIR and the linear-phase FIR of `high` have different kernels.
const RATIOS: Conversion[] = [
  [8000, 16000, 'default'],
  [16000, 8000, 'default'],
  [8000, 16000, 'high'],
  [16000, 8000, 'high'],
  [22050, 8000, 'default'],
  [22050, 16000, 'default'],
  [24000, 16000, 'default'],
  [32000, 16000, 'default'],
  [44100, 8000, 'default'],
  [44100, 16000, 'default'],
  [48000, 8000, 'default'],
  [48000, 16000, 'default'],
  [16000, 16000, 'default'],
];

/** The default 8↔16 kHz filter is the IIR, whose phase is not linear. */
function isAllpass([fromHz, toHz, quality]: Conversion): boolean {
  return quality === 'default' && fromHz * toHz === 8000 * 16000;
}

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
      // Empty chunks stay in the mix, but one chunk must be non-empty or the split never ends.
      fc
        .array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 12 })
        .filter((sizes) => sizes.some((size) => size > 0)),
      ([fromHz, toHz, quality], channels, frames, seed, chunkFrames) => {
        const pcm = noise(frames * channels, seed);
        const whole = streamAll(new Resampler(fromHz, toHz, { channels, quality }), [pcm]);
        const pieces: Int16Array[] = [];
        let at = 0;
        for (let i = 0; at < pcm.length; i++) {
          const size = chunkFrames[i % chunkFrames.length]! * channels;
          pieces.push(pcm.subarray(at, at + size));
          at += size;
        }
        const chunked = streamAll(new Resampler(fromHz, toHz, { channels, quality }), pieces);
        assert.deepEqual(chunked, whole);
      },
    ),
    { numRuns: 60 },
  );
});

test('20 ms frames through processInto match one-shot processing, with no allocation of output', () => {
  const pcm = noise(8000, 7);
  for (const quality of ['default', 'high'] as const) {
    for (const [fromHz, toHz] of [
      [8000, 16000],
      [16000, 8000],
    ] as const) {
      const inFrame = fromHz / 50;
      const outFrame = toHz / 50;
      const framed = new Resampler(fromHz, toHz, { quality });
      const out = new Int16Array(outFrame);
      const collected: number[] = [];
      for (let i = 0; i + inFrame <= pcm.length; i += inFrame) {
        assert.equal(framed.outputSamplesFor(inFrame), outFrame);
        const n = framed.processInto(pcm.subarray(i, i + inFrame), out);
        assert.equal(n, outFrame);
        collected.push(...out.subarray(0, n));
      }
      const once = new Resampler(fromHz, toHz, { quality }).process(pcm);
      assert.deepEqual(Int16Array.from(collected), once, `${fromHz}→${toHz} ${quality}`);
    }
  }
});

test('one-shot output has round(len·to/from) frames and equals the stream with its delay dropped', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...RATIOS),
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 0, max: 3000 }),
      ([fromHz, toHz, quality], channels, frames) => {
        const pcm = noise(frames * channels, frames + 1);
        const oneShot = resample(pcm, fromHz, toHz, channels, quality);
        assert.equal(oneShot.length, Math.round((frames * toHz) / fromHz) * channels);
        const resampler = new Resampler(fromHz, toHz, { channels, quality });
        const streamed = streamAll(resampler, [pcm]);
        const delay = resampler.delaySamples * channels;
        assert.equal(streamed.length, delay + oneShot.length);
        assert.deepEqual(streamed.subarray(delay), oneShot);
      },
    ),
    { numRuns: 40 },
  );
});

test('an impulse peaks delaySamples into the stream output (linear phase: exactly; IIR: ±1)', () => {
  for (const conversion of RATIOS) {
    const [fromHz, toHz, quality] = conversion;
    const resampler = new Resampler(fromHz, toHz, { quality });
    const impulse = new Int16Array(fromHz / 50);
    impulse[0] = 20000;
    const out = streamAll(resampler, [impulse]);
    let peak = 0;
    for (let i = 1; i < out.length; i++) if (Math.abs(out[i]!) > Math.abs(out[peak]!)) peak = i;
    // The IIR's delay is defined through the speech band, not by its impulse response, whose peak
    // reflects every frequency at once.
    const tolerance = isAllpass(conversion) ? 1 : 0;
    assert.ok(
      Math.abs(peak - resampler.delaySamples) <= tolerance,
      `${fromHz}→${toHz} ${quality}: peak at ${peak}, delay ${resampler.delaySamples}`,
    );
  }
  assert.equal(new Resampler(8000, 16000).delaySamples, 3);
  assert.equal(new Resampler(16000, 8000).delaySamples, 1);
  assert.equal(new Resampler(8000, 16000, { quality: 'high' }).delaySamples, 43);
  assert.equal(new Resampler(16000, 8000, { quality: 'high' }).delaySamples, 21);
  assert.equal(new Resampler(16000, 16000).delaySamples, 0);
});

test('speech-band tones come out delaySamples late (linear phase: exactly; IIR: ±0.5 samples)', () => {
  for (const conversion of RATIOS) {
    const [fromHz, toHz, quality] = conversion;
    // The IIR's delay is rounded from 2.66–2.83 samples (8→16 kHz) and 0.83–0.91 (16→8 kHz).
    const tolerance = isAllpass(conversion) ? 0.5 : 0.01;
    for (const frequencyHz of [300, 500, 1000]) {
      const resampler = new Resampler(fromHz, toHz, { quality });
      const tone = generateTone({ frequencyHz, sampleRateHz: fromHz, durationMs: 200 });
      const out = streamAll(resampler, [tone]);
      // The input is sin(2πf·t); correlate 100 ms of the output (whole cycles, past the start-up
      // transient) with sin and cos at the output rate to read its phase lag, and so its delay.
      const step = (2 * Math.PI * frequencyHz) / toHz;
      let inPhase = 0;
      let quadrature = 0;
      for (let n = toHz / 20; n < toHz / 20 + toHz / 10; n++) {
        inPhase += out[n]! * Math.sin(step * n);
        quadrature += out[n]! * Math.cos(step * n);
      }
      const lagRadians = Math.atan2(-quadrature, inPhase);
      // Compare against the stated delay modulo a period, so long FIR delays need no unwrapping.
      let error = lagRadians - step * resampler.delaySamples;
      error -= 2 * Math.PI * Math.round(error / (2 * Math.PI));
      const errorSamples = error / step;
      assert.ok(
        Math.abs(errorSamples) <= tolerance,
        `${fromHz}→${toHz} ${quality} at ${frequencyHz} Hz: ${errorSamples.toFixed(3)} samples off`,
      );
    }
  }
});

test('a constant input settles to exactly the same constant, on every channel', () => {
  // The allpass sections have a gain of exactly 1 at DC (a fixed point of y = a·(x − y) + x is
  // y = x), so after the start-up transient the IIR holds the constant as exactly as the FIR.
  for (const [fromHz, toHz, quality] of RATIOS) {
    const pcm = new Int16Array(2 * (fromHz / 10));
    for (let i = 0; i < pcm.length; i += 2) {
      pcm[i] = 1234;
      pcm[i + 1] = -20000;
    }
    const out = resample(pcm, fromHz, toHz, 2, quality);
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
  for (const [fromHz, toHz] of [
    [16000, 8000],
    [8000, 16000],
    [48000, 16000],
  ] as const) {
    const out = resample(stereo, fromHz, toHz, 2);
    const outLeft = resample(left, fromHz, toHz);
    const outRight = resample(right, fromHz, toHz);
    assert.equal(out.length, 2 * outLeft.length);
    for (let i = 0; i < outLeft.length; i++) {
      assert.equal(out[2 * i], outLeft[i], `${fromHz}→${toHz}`);
      assert.equal(out[2 * i + 1], outRight[i], `${fromHz}→${toHz}`);
    }
  }
});

test('full-scale square waves clip instead of wrapping around', () => {
  const square = new Int16Array(1600);
  for (let i = 0; i < square.length; i++) square[i] = Math.floor(i / 40) % 2 === 0 ? 32767 : -32768;
  for (const [fromHz, toHz, quality] of [
    [8000, 16000, 'default'],
    [16000, 8000, 'default'],
    [8000, 16000, 'high'],
    [48000, 16000, 'default'],
  ] as const) {
    const out = resample(square, fromHz, toHz, 1, quality);
    const ratio = toHz / fromHz;
    // Halfway through each half period the input is flat at full scale; the output must agree in sign.
    for (let half = 1; half < 38; half++) {
      const at = Math.round((half * 40 + 20) * ratio);
      assert.equal(Math.sign(out[at]!), half % 2 === 0 ? 1 : -1, `${fromHz}→${toHz} ${quality} half ${half}`);
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
  for (const [fromHz, toHz] of [
    [44100, 16000],
    [8000, 16000],
    [16000, 8000],
  ] as const) {
    const r = new Resampler(fromHz, toHz);
    const first = streamAll(r, [pcm]);
    const second = streamAll(r, [pcm]);
    assert.deepEqual(second, first);
    // An odd number of samples leaves the IIR decimator half-way through a pair.
    r.process(noise(301, 12));
    r.reset();
    assert.deepEqual(streamAll(r, [pcm]), first, `${fromHz}→${toHz}`);
  }
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
