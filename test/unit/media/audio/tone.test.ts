import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidArgumentError } from '../../../../src/core/index.js';
import { dominantFrequencyHz, fftInPlace } from '../../../../src/media/audio/spectrum.js';
import {
  detectDtmf,
  generateSweep,
  generateTone,
  goertzelDbfs,
  goertzelPower,
} from '../../../../src/media/audio/tone.js';
import { concatPcm } from '../../../../src/media/audio/pcm.js';

test('FFT detector finds 440, 1000 and 3000 Hz within ±2 Hz at 8 and 16 kHz', () => {
  for (const sampleRateHz of [8000, 16000]) {
    for (const frequencyHz of [440, 1000, 3000]) {
      const tone = generateTone({ frequencyHz, sampleRateHz, durationMs: 250 });
      const measured = dominantFrequencyHz(tone, sampleRateHz);
      assert.ok(
        Math.abs(measured - frequencyHz) <= 2,
        `${frequencyHz} Hz at ${sampleRateHz} Hz → ${measured}`,
      );
    }
  }
});

test('FFT detector interpolates between bins for any frequency and phase', () => {
  fc.assert(
    fc.property(
      fc.double({ min: 100, max: 3800, noNaN: true }),
      fc.double({ min: 0, max: 6.28, noNaN: true }),
      (frequencyHz, phase) => {
        const tone = generateTone({
          frequencyHz,
          sampleRateHz: 8000,
          durationMs: 200,
          phase,
          amplitudeDbfs: -20,
        });
        assert.ok(Math.abs(dominantFrequencyHz(tone, 8000) - frequencyHz) <= 2);
      },
    ),
    { numRuns: 50 },
  );
  assert.equal(dominantFrequencyHz(new Int16Array(512), 8000), 0);
});

test('fftInPlace matches a direct DFT and rejects sizes that are not powers of two', () => {
  const n = 16;
  const re = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) + (i % 3));
  const im = new Float64Array(n);
  const input = re.slice();
  fftInPlace(re, im);
  for (let k = 0; k < n; k++) {
    let dr = 0;
    let di = 0;
    for (let t = 0; t < n; t++) {
      dr += input[t]! * Math.cos((-2 * Math.PI * k * t) / n);
      di += input[t]! * Math.sin((-2 * Math.PI * k * t) / n);
    }
    assert.ok(Math.abs(re[k]! - dr) < 1e-9 && Math.abs(im[k]! - di) < 1e-9);
  }
  assert.throws(() => fftInPlace(new Float64Array(12), new Float64Array(12)), RangeError);
});

test('generateTone honours level, length and phase', () => {
  const tone = generateTone({ frequencyHz: 1000, sampleRateHz: 8000, durationMs: 100, amplitudeDbfs: -12 });
  assert.equal(tone.length, 800);
  assert.ok(Math.abs(goertzelDbfs(tone, 8000, 1000) + 12) < 0.01);
  assert.ok(goertzelDbfs(tone, 8000, 2000) < -80);
  const cosine = generateTone({ frequencyHz: 1000, sampleRateHz: 8000, durationMs: 1, phase: Math.PI / 2 });
  assert.equal(cosine[0], Math.round(32768 * 10 ** (-6 / 20)));
  assert.equal(
    generateTone({ frequencyHz: 1000, sampleRateHz: 8000, durationMs: 1, amplitudeDbfs: 6 }).length,
    8,
  );
  assert.throws(() => generateTone({ frequencyHz: 1, sampleRateHz: 0, durationMs: 1 }), InvalidArgumentError);
});

test('goertzelPower gives A²/2 for a bin-centred sine and nothing for silence', () => {
  const tone = generateTone({ frequencyHz: 500, sampleRateHz: 8000, durationMs: 100, amplitudeDbfs: -6 });
  const amplitude = 32768 * 10 ** (-6 / 20);
  assert.ok(Math.abs(goertzelPower(tone, 8000, 500) / ((amplitude * amplitude) / 2) - 1) < 1e-3);
  assert.equal(goertzelPower(new Int16Array(0), 8000, 500), 0);
  assert.equal(goertzelDbfs(new Int16Array(80), 8000, 500), Number.NEGATIVE_INFINITY);
});

test('linear and log sweeps follow their instantaneous frequency', () => {
  const durationS = 2;
  const expectedHz = {
    linear: (t: number) => 300 + ((3000 - 300) * t) / durationS,
    log: (t: number) => 300 * 10 ** (t / durationS),
  };
  for (const mode of ['linear', 'log'] as const) {
    const sweep = generateSweep({ startHz: 300, endHz: 3000, sampleRateHz: 16000, durationMs: 2000, mode });
    assert.equal(sweep.length, 32000);
    // 1024-sample windows at the start, middle and end, compared with the frequency at their centre.
    for (const start of [0, 16000 - 512, 32000 - 1024]) {
      const measured = dominantFrequencyHz(sweep.subarray(start, start + 1024), 16000);
      const expected = expectedHz[mode]((start + 512) / 16000);
      assert.ok(Math.abs(measured - expected) < 20, `${mode} at ${start}: ${measured} vs ${expected}`);
    }
  }
  assert.throws(
    () => generateSweep({ startHz: 0, endHz: 10, sampleRateHz: 8000, durationMs: 10, mode: 'log' }),
    InvalidArgumentError,
  );
});

test('detectDtmf finds every key and ignores single tones and silence', () => {
  const rows = [697, 770, 852, 941];
  const columns = [1209, 1336, 1477, 1633];
  const keys = ['123A', '456B', '789C', '*0#D'];
  rows.forEach((row, r) => {
    columns.forEach((column, c) => {
      const a = generateTone({ frequencyHz: row, sampleRateHz: 8000, durationMs: 60, amplitudeDbfs: -10 });
      const b = generateTone({ frequencyHz: column, sampleRateHz: 8000, durationMs: 60, amplitudeDbfs: -10 });
      const mixed = a.map((v, i) => v + b[i]!);
      assert.equal(detectDtmf(mixed, 8000), keys[r]![c]);
    });
  });
  assert.equal(
    detectDtmf(generateTone({ frequencyHz: 697, sampleRateHz: 8000, durationMs: 60 }), 8000),
    undefined,
  );
  assert.equal(detectDtmf(new Int16Array(480), 8000), undefined);
  assert.equal(detectDtmf(concatPcm([]), 8000), undefined);
});
