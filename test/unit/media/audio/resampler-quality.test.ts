import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resampler, resample } from '../../../../src/media/audio/resampler.js';
import type { ResamplerQuality } from '../../../../src/media/audio/resampler-design.js';
import { designResampler } from '../../../../src/media/audio/resampler-design.js';
import { dominantFrequencyHz } from '../../../../src/media/audio/spectrum.js';
import { generateTone, goertzelDbfs } from '../../../../src/media/audio/tone.js';

// Measured by content: sines in, Goertzel levels out. Tones sit on multiples of 100 Hz and the
// analysis window is 100 ms, so every measured frequency completes whole cycles and nothing leaks.
const TONE_DBFS = -1;
const TONE_MS = 200;

/** Level in dBFS of `frequencyHz` in the 100 ms of `pcm` starting 50 ms in (past the edge effects). */
function levelDbfs(pcm: Int16Array, rateHz: number, frequencyHz: number): number {
  const window = pcm.subarray(rateHz / 20, rateHz / 20 + rateHz / 10);
  return goertzelDbfs(window, rateHz, frequencyHz);
}

/** Where a tone at `frequencyHz` lands after sampling at `rateHz` (folding about the Nyquist). */
function aliasHz(frequencyHz: number, rateHz: number): number {
  const folded = frequencyHz % rateHz;
  return folded > rateHz / 2 ? rateHz - folded : folded;
}

function through(
  frequencyHz: number,
  fromHz: number,
  toHz: number,
  quality: ResamplerQuality = 'default',
): Int16Array {
  const tone = generateTone({
    frequencyHz,
    sampleRateHz: fromHz,
    durationMs: TONE_MS,
    amplitudeDbfs: TONE_DBFS,
  });
  return resample(tone, fromHz, toHz, 1, quality);
}

function range(fromHz: number, toHz: number, stepHz: number): number[] {
  const out: number[] = [];
  for (let f = fromHz; f <= toHz; f += stepHz) out.push(f);
  return out;
}

// Both 8↔16 kHz filters go through the same sweep: the default IIR and the linear-phase FIR of
// `high`. The diagnostics print the measured numbers.
for (const quality of ['default', 'high'] as const) {
  test(`8 → 16 kHz (${quality}): passband ripple ≤ 0.5 dB to 3.4 kHz and images above 4.6 kHz ≥ 60 dB down`, (t) => {
    let worstRippleDb = 0;
    let worstImageDb = Infinity;
    for (const f of range(100, 3400, 100)) {
      const out = through(f, 8000, 16000, quality);
      const toneDb = levelDbfs(out, 16000, f);
      worstRippleDb = Math.max(worstRippleDb, Math.abs(toneDb - TONE_DBFS));
      // Zero-stuffing to 16 kHz mirrors f about 4 kHz; the filter must remove the mirror.
      const imageHz = 8000 - f;
      if (imageHz >= 4600) worstImageDb = Math.min(worstImageDb, toneDb - levelDbfs(out, 16000, imageHz));
    }
    t.diagnostic(
      `worst passband deviation ${worstRippleDb.toFixed(4)} dB, worst image rejection ${worstImageDb.toFixed(1)} dB`,
    );
    assert.ok(worstRippleDb <= 0.5, `ripple ${worstRippleDb} dB`);
    assert.ok(worstImageDb >= 60, `image rejection ${worstImageDb} dB`);
  });

  test(`16 → 8 kHz (${quality}): passband ripple ≤ 0.5 dB to 3.4 kHz and tones from 4.6 kHz alias ≥ 60 dB down`, (t) => {
    let worstRippleDb = 0;
    for (const f of range(100, 3400, 100)) {
      worstRippleDb = Math.max(
        worstRippleDb,
        Math.abs(levelDbfs(through(f, 16000, 8000, quality), 8000, f) - TONE_DBFS),
      );
    }
    let worstAliasDb = Infinity;
    for (const f of range(4600, 7900, 100)) {
      const aliasDb = levelDbfs(through(f, 16000, 8000, quality), 8000, aliasHz(f, 8000));
      worstAliasDb = Math.min(worstAliasDb, TONE_DBFS - aliasDb);
    }
    t.diagnostic(
      `worst passband deviation ${worstRippleDb.toFixed(4)} dB, worst alias rejection ${worstAliasDb.toFixed(1)} dB`,
    );
    assert.ok(worstRippleDb <= 0.5, `ripple ${worstRippleDb} dB`);
    assert.ok(worstAliasDb >= 60, `alias rejection ${worstAliasDb} dB`);
  });
}

const DOWN_RATIOS: [number, number][] = [
  [22050, 8000],
  [22050, 16000],
  [24000, 8000],
  [24000, 16000],
  [32000, 8000],
  [32000, 16000],
  [44100, 8000],
  [44100, 16000],
  [48000, 8000],
  [48000, 16000],
];

for (const [fromHz, toHz] of DOWN_RATIOS) {
  test(`${fromHz} → ${toHz} Hz: tones keep level and frequency; tones above ${toHz / 2} Hz alias ≥ 60 dB down`, () => {
    for (const f of [440, 1000, 3000, 0.8 * (toHz / 2)]) {
      const out = through(f, fromHz, toHz);
      assert.ok(Math.abs(levelDbfs(out, toHz, f) - TONE_DBFS) <= 0.5, `${f} Hz level`);
    }
    const nyquistHz = toHz / 2;
    for (const f of [nyquistHz + 100, nyquistHz + 1000, toHz - 200, toHz + 300, fromHz / 2 - 1000]) {
      const aliasDb = levelDbfs(through(f, fromHz, toHz), toHz, aliasHz(f, toHz));
      assert.ok(TONE_DBFS - aliasDb >= 60, `${f} Hz aliases to ${aliasHz(f, toHz)} Hz at ${aliasDb} dBFS`);
    }
  });
}

test('a tone comes out at the same frequency (±2 Hz) through every supported ratio', () => {
  const ratios: [number, number, ResamplerQuality][] = [
    [8000, 16000, 'default'],
    [16000, 8000, 'default'],
    [8000, 16000, 'high'],
    [16000, 8000, 'high'],
    ...DOWN_RATIOS.map(([fromHz, toHz]): [number, number, ResamplerQuality] => [fromHz, toHz, 'default']),
  ];
  for (const [fromHz, toHz, quality] of ratios) {
    for (const f of [440, 1000, 3000]) {
      const tone = generateTone({ frequencyHz: f, sampleRateHz: fromHz, durationMs: 500 });
      const measured = dominantFrequencyHz(resample(tone, fromHz, toHz, 1, quality), toHz);
      assert.ok(
        Math.abs(measured - f) <= 2,
        `${fromHz}→${toHz} ${quality}: ${f} Hz came out at ${measured} Hz`,
      );
    }
  }
});

test('the designed 8↔16 kHz filters are the documented kind and size', () => {
  const up = designResampler(8000, 16000, 'default');
  assert.equal(up.kind, 'up2-allpass');
  assert.equal(up.coefficients.length, 5);
  assert.equal(designResampler(16000, 8000, 'default').kind, 'down2-allpass');
  const upHigh = designResampler(8000, 16000, 'high');
  assert.equal(upHigh.kind, 'up2');
  assert.equal(upHigh.prototypeTaps, 87);
  assert.equal(designResampler(16000, 8000, 'high').kind, 'down2');
  assert.equal(designResampler(16000, 8000, 'high').prototypeTaps, 87);
});

test('high quality rejects aliases by ≥ 85 dB for 16 → 8 kHz', () => {
  for (const f of [4600, 5000, 7000]) {
    const tone = generateTone({
      frequencyHz: f,
      sampleRateHz: 16000,
      durationMs: TONE_MS,
      amplitudeDbfs: TONE_DBFS,
    });
    const resampler = new Resampler(16000, 8000, { quality: 'high' });
    const out = concatInt16(resampler.process(tone), resampler.flush()).subarray(resampler.delaySamples);
    assert.ok(TONE_DBFS - levelDbfs(out, 8000, aliasHz(f, 8000)) >= 85, `${f} Hz`);
  }
});

function concatInt16(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
