/**
 * Kaiser-windowed sinc low-pass design. The resampler designs its filter once at construction, so
 * none of this runs per frame; it favours clarity over speed.
 */

/** Modified Bessel function of the first kind, order zero, by its power series. */
export function besselI0(x: number): number {
  // The series converges quickly for the β values a Kaiser window uses (below ~15); stopping when a
  // term no longer changes the sum in double precision keeps it exact enough for 120 dB designs.
  const halfX = x / 2;
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 200; k++) {
    term *= (halfX / k) * (halfX / k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Kaiser's empirical β for a stopband attenuation of `attenuationDb`. */
export function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb >= 21) return 0.5842 * (attenuationDb - 21) ** 0.4 + 0.07886 * (attenuationDb - 21);
  return 0;
}

/**
 * Kaiser's estimate of the odd tap count that reaches `attenuationDb` across a transition band of
 * `transitionWidth` (a fraction of the sample rate).
 */
export function kaiserLength(attenuationDb: number, transitionWidth: number): number {
  const taps = Math.ceil((attenuationDb - 7.95) / (2.285 * 2 * Math.PI * transitionWidth)) + 1;
  return taps % 2 === 1 ? taps : taps + 1;
}

export interface LowpassDesign {
  /** Number of taps; odd, so the filter has an integer group delay of (taps - 1) / 2. */
  readonly taps: number;
  /** Cutoff (the −6 dB point) as a fraction of the sample rate, in (0, 0.5). */
  readonly cutoff: number;
  /** Kaiser window shape parameter. */
  readonly beta: number;
  /** Gain at DC; an interpolator by L uses L so the zero-stuffed signal keeps its level. */
  readonly gain: number;
}

/** Linear-phase windowed-sinc low-pass taps, h[n] symmetric about the centre tap. */
export function kaiserLowpass(design: LowpassDesign): Float64Array {
  const { taps, cutoff, beta, gain } = design;
  const h = new Float64Array(taps);
  const centre = (taps - 1) / 2;
  const i0Beta = besselI0(beta);
  for (let n = 0; n < taps; n++) {
    const offset = n - centre;
    const ideal = offset === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * offset) / (Math.PI * offset);
    const r = centre === 0 ? 0 : offset / centre;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
    h[n] = gain * ideal * window;
  }
  return h;
}

/**
 * Magnitude response of `h` at `frequency` (a fraction of the sample rate), by direct evaluation.
 * Used by tests and by the design notes, never per frame.
 */
export function firMagnitude(h: Float64Array, frequency: number): number {
  let re = 0;
  let im = 0;
  const w = 2 * Math.PI * frequency;
  for (let n = 0; n < h.length; n++) {
    const tap = h[n]!;
    re += tap * Math.cos(w * n);
    im -= tap * Math.sin(w * n);
  }
  return Math.hypot(re, im);
}
