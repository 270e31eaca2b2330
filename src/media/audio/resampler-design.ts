import { InvalidArgumentError } from '../../core/index.js';
import { kaiserBeta, kaiserLength, kaiserLowpass } from './kaiser-lowpass.js';
import { TELEPHONE_ALLPASS, allpassGroupDelay } from './resampler-allpass.js';

/**
 * Filter quality. `default` reaches at least 65 dB of stopband attenuation; for 8↔16 kHz it is a
 * polyphase IIR (allpass) half-band of 77 dB that costs a fraction of a FIR, but whose group delay
 * varies with frequency (2.7–2.8 samples at 16 kHz from 300 Hz to 1 kHz, 8.3 at 3.4 kHz).
 * `high` is a linear-phase Kaiser FIR of 100 dB for every ratio: a constant delay that
 * `delaySamples` states exactly, at several times the cost of `default` for 8↔16 kHz.
 */
export type ResamplerQuality = 'default' | 'high';

/** Rates the recognizers and the telephone network want; every conversion ends at one of these. */
export const RESAMPLER_TARGET_RATES_HZ: readonly number[] = [8000, 16000];

/** Rates TTS engines and WAV files commonly arrive at, which we convert down to a target rate. */
export const RESAMPLER_SOURCE_RATES_HZ: readonly number[] = [8000, 16000, 22050, 24000, 32000, 44100, 48000];

const ATTENUATION_DB: Record<ResamplerQuality, number> = { default: 65, high: 100 };

/**
 * Everything the resampler needs, computed once at construction. Output sample n sits at time
 * n·M + t0 on the grid of the virtually upsampled signal (L times the input rate), so its newest
 * input sample is floor((n·M + t0) / L).
 */
export interface ResamplerPlan {
  readonly kind: 'identity' | 'up2' | 'down2' | 'polyphase' | 'up2-allpass' | 'down2-allpass';
  readonly up: number;
  readonly down: number;
  /** Taps of the prototype filter, before it is split into phases; 0 for the allpass kinds. */
  readonly prototypeTaps: number;
  /** Taps each output sample reads from the input (per phase); 0 for the allpass kinds. */
  readonly tapsPerPhase: number;
  /**
   * polyphase: `up` phases of `tapsPerPhase` coefficients each, stored oldest input first.
   * up2/down2: the K distinct coefficients of the odd half-band taps, newest input first.
   * up2-allpass/down2-allpass: the allpass coefficients in ascending order (see resampler-allpass).
   */
  readonly coefficients: Float64Array;
  /** Input samples to keep between calls so each output sees its full filter span. */
  readonly historyLength: number;
  /** Position of output 0 on the upsampled grid; chosen so the delay is a whole output sample. */
  readonly startOffset: number;
  /**
   * Output samples between an input feature and the same feature in the output. Exact for the
   * linear-phase FIR kinds; for the allpass kinds the group delay at 1 kHz, rounded (see
   * `allpassPlan`).
   */
  readonly delaySamples: number;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Throws InvalidArgumentError unless fromHz → toHz is a conversion the resampler supports. */
export function assertSupportedRates(fromHz: number, toHz: number): void {
  const ok =
    (fromHz === toHz && RESAMPLER_SOURCE_RATES_HZ.includes(fromHz)) ||
    (RESAMPLER_TARGET_RATES_HZ.includes(toHz) &&
      RESAMPLER_SOURCE_RATES_HZ.includes(fromHz) &&
      fromHz >= toHz) ||
    (fromHz === 8000 && toHz === 16000);
  if (!ok) {
    throw new InvalidArgumentError(
      `cannot resample ${fromHz} Hz to ${toHz} Hz; supported: 8000↔16000 and ` +
        `${RESAMPLER_SOURCE_RATES_HZ.join('/')} Hz down to 8000 or 16000 Hz`,
    );
  }
}

/**
 * Designs the filter for fromHz → toHz. 8↔16 kHz uses a half-band filter whose transition band is
 * centred on 4 kHz (flat to 3.4 kHz, full attenuation from 4.6 kHz): by default the allpass IIR of
 * `resampler-allpass.ts`; at `high` quality a linear-phase FIR in which every other tap is zero and
 * the rest are symmetric, so each output costs K multiplies for a 4K−1 tap filter. Every other
 * ratio uses a polyphase Kaiser filter with the transition band just below the target Nyquist
 * (0.85·Nyquist to Nyquist), so nothing above the target Nyquist aliases back.
 */
export function designResampler(fromHz: number, toHz: number, quality: ResamplerQuality): ResamplerPlan {
  assertSupportedRates(fromHz, toHz);
  const g = gcd(fromHz, toHz);
  const up = toHz / g;
  const down = fromHz / g;
  if (up === 1 && down === 1) {
    return {
      kind: 'identity',
      up,
      down,
      prototypeTaps: 1,
      tapsPerPhase: 1,
      coefficients: new Float64Array([1]),
      historyLength: 0,
      startOffset: 0,
      delaySamples: 0,
    };
  }
  const attenuationDb = ATTENUATION_DB[quality];
  // Only the telephone pair gets the half-band: for 32 → 16 kHz it would put the transition band
  // across the target Nyquist (6.8–9.2 kHz) and let 8–9.2 kHz alias.
  if (Math.min(fromHz, toHz) === 8000 && Math.max(fromHz, toHz) === 16000) {
    return quality === 'default' ? allpassPlan(up, down) : halfBandPlan(up, down, attenuationDb);
  }
  return polyphasePlan(fromHz, toHz, up, down, attenuationDb);
}

/**
 * The allpass half-band keeps no input history, only per-section state. Its group delay varies
 * with frequency, so `delaySamples` is the delay where speech has most of its energy: the group
 * delay at 1 kHz (2.83 samples at 16 kHz; it is 2.66 at 300 Hz), rounded to whole output samples.
 * The decimator takes H's output at odd input indices (2n+1): its delay is then (2.83 − 1)/2 =
 * 0.91 output samples, closer to a whole sample than the 1.41 of the even indices.
 */
function allpassPlan(up: number, down: number): ResamplerPlan {
  const highRateDelay = allpassGroupDelay(TELEPHONE_ALLPASS.coefficients, 1000 / 16000);
  const decimate = down === 2;
  return {
    kind: decimate ? 'down2-allpass' : 'up2-allpass',
    up,
    down,
    prototypeTaps: 0,
    tapsPerPhase: 0,
    coefficients: TELEPHONE_ALLPASS.coefficients,
    historyLength: 0,
    startOffset: decimate ? 1 : 0,
    delaySamples: Math.round(decimate ? (highRateDelay - 1) / 2 : highRateDelay),
  };
}

function halfBandPlan(up: number, down: number, attenuationDb: number): ResamplerPlan {
  // The transition 3.4 → 4.6 kHz at the 16 kHz side is 0.075 of that rate. A half-band filter has
  // 4K−1 taps; round Kaiser's estimate up to that form.
  const estimate = kaiserLength(attenuationDb, 1200 / 16000);
  const k = Math.ceil((estimate + 1) / 4);
  const taps = 4 * k - 1;
  const h = kaiserLowpass({ taps, cutoff: 0.25, beta: kaiserBeta(attenuationDb), gain: 1 });
  // Taps at even distance from the centre are zeros of the sinc; only the odd ones carry weight.
  // Scaling them to sum to exactly 1/4 makes the DC gain exactly 1 (centre tap 1/2 plus two
  // mirrored halves), so silence stays silence and a DC offset passes unchanged.
  const centre = 2 * k - 1;
  const coefficients = new Float64Array(k);
  for (let i = 0; i < k; i++) coefficients[i] = h[centre - 1 - 2 * i]!;
  const sum = coefficients.reduce((a, b) => a + b, 0);
  for (let i = 0; i < k; i++) coefficients[i] = (coefficients[i]! * 0.25) / sum;
  if (up === 2) {
    // An interpolator by 2 needs gain 2 on the zero-stuffed signal; the centre phase is then a
    // plain copy of the input and the other phase uses the doubled odd taps.
    for (let i = 0; i < k; i++) coefficients[i] = coefficients[i]! * 2;
    return {
      kind: 'up2',
      up,
      down,
      prototypeTaps: taps,
      tapsPerPhase: 2 * k,
      coefficients,
      historyLength: 2 * k - 1,
      startOffset: 0,
      delaySamples: centre,
    };
  }
  return {
    kind: 'down2',
    up,
    down,
    prototypeTaps: taps,
    tapsPerPhase: taps,
    coefficients,
    historyLength: taps - 1,
    startOffset: centre % 2,
    delaySamples: (centre - (centre % 2)) / 2,
  };
}

function polyphasePlan(
  fromHz: number,
  toHz: number,
  up: number,
  down: number,
  attenuationDb: number,
): ResamplerPlan {
  const upsampledHz = fromHz * up;
  const nyquistHz = Math.min(fromHz, toHz) / 2;
  const passEdgeHz = 0.85 * nyquistHz;
  const transition = (nyquistHz - passEdgeHz) / upsampledHz;
  const cutoff = (passEdgeHz + nyquistHz) / 2 / upsampledHz;
  const taps = kaiserLength(attenuationDb, transition);
  const h = kaiserLowpass({ taps, cutoff, beta: kaiserBeta(attenuationDb), gain: up });
  const tapsPerPhase = Math.ceil(taps / up);
  const coefficients = new Float64Array(up * tapsPerPhase);
  for (let phase = 0; phase < up; phase++) {
    // Phase p reads prototype taps p, p+L, p+2L… against the newest input first; store them
    // reversed (oldest input first) so the inner loop walks both arrays forwards. Each phase is
    // scaled to unit DC gain so a constant input gives a constant output, with no ripple at the
    // phase rate.
    let sum = 0;
    for (let j = 0; j < tapsPerPhase; j++) sum += h[phase + j * up] ?? 0;
    for (let j = 0; j < tapsPerPhase; j++) {
      coefficients[phase * tapsPerPhase + (tapsPerPhase - 1 - j)] = (h[phase + j * up] ?? 0) / sum;
    }
  }
  const centre = (taps - 1) / 2;
  const startOffset = centre % down;
  return {
    kind: 'polyphase',
    up,
    down,
    prototypeTaps: taps,
    tapsPerPhase,
    coefficients,
    historyLength: tapsPerPhase - 1,
    startOffset,
    delaySamples: (centre - startOffset) / down,
  };
}
