import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TELEPHONE_ALLPASS,
  allpassGroupDelay,
  allpassResponse,
  designAllpassHalfBand,
} from '../../../../src/media/audio/resampler-allpass.js';
import { Resampler } from '../../../../src/media/audio/resampler.js';

function magnitude(coefficients: Float64Array, frequency: number): number {
  return Math.hypot(...allpassResponse(coefficients, frequency));
}

function phase(coefficients: Float64Array, frequency: number): number {
  const [re, im] = allpassResponse(coefficients, frequency);
  return Math.atan2(im, re);
}

test('the telephone design: 5 ascending coefficients in (0, 1) and 77 dB from 4.6 kHz', () => {
  const { coefficients, attenuationDb } = TELEPHONE_ALLPASS;
  assert.equal(coefficients.length, 5);
  for (let i = 0; i < coefficients.length; i++) {
    assert.ok(coefficients[i]! > 0 && coefficients[i]! < 1, `a${i} = ${coefficients[i]}`);
    if (i > 0) assert.ok(coefficients[i]! > coefficients[i - 1]!);
  }
  assert.ok(attenuationDb >= 77 && attenuationDb < 78, `${attenuationDb} dB`);
  // One coefficient fewer would miss the 65 dB the FIR it replaces reached.
  assert.ok(designAllpassHalfBand(4, (4600 - 3400) / 16000).attenuationDb < 65);
});

test('the closed-form attenuation is what the response reaches, and the passband is flat to δs²', () => {
  for (const transitionWidth of [0.02, 0.075, 0.15]) {
    for (let count = 2; count <= 8; count++) {
      const { coefficients, attenuationDb } = designAllpassHalfBand(count, transitionWidth);
      const label = `${count} coefficients, transition ${transitionWidth}`;
      const stopEdge = 0.25 + transitionWidth / 2;
      let worstStop = 0;
      for (let f = stopEdge; f <= 0.5; f += 0.0001)
        worstStop = Math.max(worstStop, magnitude(coefficients, f));
      const measuredDb = -20 * Math.log10(worstStop);
      // Equiripple: the stopband touches its bound, so the measured worst case is the formula.
      assert.ok(
        Math.abs(measuredDb - attenuationDb) < 0.01,
        `${label}: ${measuredDb} vs ${attenuationDb} dB`,
      );
      // Power complementarity: |H(ω)|² = 1 − |H(π − ω)|², so the passband dips by at most
      // 1 − √(1 − δs²), about δs²/2 (1e-8 at 77 dB).
      const stopRipple = 10 ** (-attenuationDb / 20);
      for (let f = 0; f <= 0.5 - stopEdge; f += 0.0001) {
        const deviation = 1 - magnitude(coefficients, f);
        assert.ok(
          deviation >= -1e-12 && deviation <= 1 - Math.sqrt(1 - stopRipple ** 2) + 1e-12,
          `${label} at ${f}`,
        );
      }
    }
  }
});

test('the group delay formula matches the slope of the phase', () => {
  const c = TELEPHONE_ALLPASS.coefficients;
  for (const hz of [100, 300, 1000, 2000, 3400]) {
    const f = hz / 16000;
    const d = 1e-6;
    let dPhase = phase(c, f + d) - phase(c, f - d);
    dPhase -= 2 * Math.PI * Math.round(dPhase / (2 * Math.PI));
    const numeric = -dPhase / (2 * Math.PI * 2 * d);
    assert.ok(Math.abs(numeric - allpassGroupDelay(c, f)) < 1e-4, `${hz} Hz`);
  }
  // 2.66 samples at 300 Hz, 2.83 at 1 kHz: the resampler's delaySamples rounds the latter.
  assert.ok(Math.abs(allpassGroupDelay(c, 300 / 16000) - 2.655) < 0.01);
  assert.ok(Math.abs(allpassGroupDelay(c, 1000 / 16000) - 2.829) < 0.01);
});

/**
 * H(z) = ½·(A0(z²) + z⁻¹·A1(z²)) run directly at the high rate, one section at a time over whole
 * arrays: an independent check of the polyphase kernels' branch order and state handling.
 */
function referenceHighRate(x: Float64Array, coefficients: Float64Array): Float64Array {
  const section = (input: Float64Array, a: number): Float64Array => {
    const y = new Float64Array(input.length);
    for (let n = 0; n < input.length; n++) {
      y[n] = a * (input[n]! - (y[n - 2] ?? 0)) + (input[n - 2] ?? 0);
    }
    return y;
  };
  let b0 = x;
  let b1 = x;
  coefficients.forEach((a, i) => {
    if (i % 2 === 0) b0 = section(b0, a);
    else b1 = section(b1, a);
  });
  return b0.map((v, n) => (v + (b1[n - 1] ?? 0)) / 2);
}

function noise(samples: number, seed: number): Int16Array {
  const out = new Int16Array(samples);
  let s = seed;
  for (let i = 0; i < samples; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s >>> 16) - 32768) >> 1;
  }
  return out;
}

test('the 8 → 16 kHz kernel is H run on the zero-stuffed input, times 2', () => {
  const input = noise(801, 5);
  const stuffed = new Float64Array(2 * input.length);
  input.forEach((v, i) => (stuffed[2 * i] = 2 * v));
  const expected = referenceHighRate(stuffed, TELEPHONE_ALLPASS.coefficients);
  const out = new Resampler(8000, 16000).process(input);
  assert.equal(out.length, expected.length);
  // Both round to the nearest integer; they may differ by one where a value sits on a half.
  for (let n = 0; n < out.length; n++) assert.ok(Math.abs(out[n]! - expected[n]!) <= 0.5 + 1e-6, `${n}`);
});

test('the 16 → 8 kHz kernel is H at the odd input indices', () => {
  const input = noise(1601, 6);
  const expected = referenceHighRate(Float64Array.from(input), TELEPHONE_ALLPASS.coefficients);
  const out = new Resampler(16000, 8000).process(input);
  assert.equal(out.length, 800);
  for (let n = 0; n < out.length; n++) {
    assert.ok(Math.abs(out[n]! - expected[2 * n + 1]!) <= 0.5 + 1e-6, `${n}`);
  }
});
