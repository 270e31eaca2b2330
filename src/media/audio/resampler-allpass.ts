/**
 * Design of the polyphase IIR half-band filter the resampler uses by default for 8↔16 kHz.
 *
 * H(z) = ½·(A0(z²) + z⁻¹·A1(z²)), where A0 and A1 are cascades of first-order allpass sections in
 * z², (a + z⁻²)/(1 + a·z⁻²). Both branches have unit magnitude at every frequency; in the passband
 * their phases agree and the sum passes, in the stopband they are opposite and it cancels. Each
 * section runs at the low rate as y[n] = a·(x[n] − y[n−1]) + x[n−1]: one multiply per coefficient
 * per low-rate sample, against 14 for the 55-tap linear-phase FIR of the same attenuation. The
 * price is a phase response that is not linear (see `allpassGroupDelay`).
 *
 * The coefficients are the closed-form elliptic half-band design of R. A. Valenzuela and
 * A. G. Constantinides, "Digital signal processing schemes for efficient interpolation and
 * decimation", IEE Proceedings G 130(6), 1983. The design runs once, when this module loads.
 */

export interface AllpassHalfBandDesign {
  /** Allpass coefficients in ascending order; A0 takes those at even indices, A1 the odd ones. */
  readonly coefficients: Float64Array;
  /** Nome q of the elliptic modulus, which sets how fast the attenuation grows with the order. */
  readonly nome: number;
  /** Stopband attenuation the design guarantees from the stopband edge up, in dB. */
  readonly attenuationDb: number;
}

/**
 * Elliptic half-band allpass coefficients for `count` coefficients (filter order 2·count + 1) and a
 * transition band `transitionWidth` wide (a fraction of the high sample rate), centred on a quarter
 * of that rate. The passband edge is then (1 − 2·transitionWidth)/4 of the rate.
 */
export function designAllpassHalfBand(count: number, transitionWidth: number): AllpassHalfBandDesign {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be ≥ 1, got ${count}`);
  if (!(transitionWidth > 0 && transitionWidth < 0.5)) {
    throw new RangeError(`transitionWidth must be in (0, 0.5), got ${transitionWidth}`);
  }
  // Selectivity: the half-band has its stopband edge mirrored about π/2, so
  // k = tan(ωp/2)/tan(ωs/2) = tan²(ωp/2) with ωp = (1 − 2·tbw)·π/2.
  const k = Math.tan(((1 - 2 * transitionWidth) * Math.PI) / 4) ** 2;
  const kComplement = Math.sqrt(1 - k * k);
  const e = (0.5 * (1 - Math.sqrt(kComplement))) / (1 + Math.sqrt(kComplement));
  // The nome by its usual series in e; the next term (1707·e¹⁷) is below 1e-25 for any useful band.
  const q = e + 2 * e ** 5 + 15 * e ** 9 + 150 * e ** 13;
  const order = 2 * count + 1;
  const coefficients = new Float64Array(count);
  for (let i = 1; i <= count; i++) {
    // ω_i = 2·q^¼·Σ(−1)^m·q^(m(m+1))·sin((2m+1)πi/N) / (1 + 2·Σ(−1)^m·q^(m²)·cos(2mπi/N)): the
    // pole positions from the Jacobi theta-function series, which converge in a few terms for q < 0.2.
    let numerator = 0;
    let denominator = 1;
    for (let m = 0; m < 30; m++) {
      // Stop once q^(m(m+1)) no longer matters; it bounds this numerator term and every later
      // term of both sums, since q^((m+1)²) < q^(m(m+1)).
      const weight = q ** (m * (m + 1));
      const sign = m % 2 === 0 ? 1 : -1;
      numerator += sign * weight * Math.sin(((2 * m + 1) * Math.PI * i) / order);
      if (m > 0) denominator += 2 * sign * q ** (m * m) * Math.cos((2 * m * Math.PI * i) / order);
      if (weight < 1e-20) break;
    }
    const w = (2 * q ** 0.25 * numerator) / denominator;
    const w2 = w * w;
    const aPrime = Math.sqrt((1 - w2 * k) * (1 - w2 / k)) / (1 + w2);
    coefficients[i - 1] = (1 - aPrime) / (1 + aPrime);
  }
  coefficients.sort();
  // Power complementarity (|H(ω)|² + |H(π−ω)|² = 1) ties the elliptic ripples together: the
  // discrimination is 4·q^(N/2), so the stopband attenuation is 10·log10(1 + 1/(4·q^(N/2))).
  const attenuationDb = 10 * Math.log10(1 + 1 / (4 * q ** (order / 2)));
  return { coefficients, nome: q, attenuationDb };
}

/**
 * Group delay of H at `frequency` (a fraction of the high rate), in high-rate samples. In the
 * passband both branches have unit magnitude and nearly equal phase, so the phase of their sum is
 * exactly the mean of their phases and the delay is the mean of the branch delays. A section
 * (a + z⁻²)/(1 + a·z⁻²) delays by 2·(1 − a²)/(1 + 2a·cos 2ω + a²); A1 adds one sample for its z⁻¹.
 */
export function allpassGroupDelay(coefficients: Float64Array, frequency: number): number {
  const cos2w = Math.cos(4 * Math.PI * frequency);
  let total = 1;
  for (const a of coefficients) total += (2 * (1 - a * a)) / (1 + 2 * a * cos2w + a * a);
  return total / 2;
}

/**
 * Complex response of H at `frequency` (a fraction of the high rate), as [re, im]. Used by tests
 * and the design notes, never per frame.
 */
export function allpassResponse(coefficients: Float64Array, frequency: number): [number, number] {
  const w = 2 * Math.PI * frequency;
  // z⁻² on the unit circle.
  const zr = Math.cos(2 * w);
  const zi = -Math.sin(2 * w);
  const branch = [
    [1, 0],
    [Math.cos(w), -Math.sin(w)],
  ] as [number, number][];
  coefficients.forEach((a, i) => {
    const b = branch[i % 2]!;
    // (a + z⁻²)/(1 + a·z⁻²) as a complex quotient.
    const nr = a + zr;
    const ni = zi;
    const dr = 1 + a * zr;
    const di = a * zi;
    const d = dr * dr + di * di;
    const sr = (nr * dr + ni * di) / d;
    const si = (ni * dr - nr * di) / d;
    const [br, bi] = b;
    branch[i % 2] = [br * sr - bi * si, br * si + bi * sr];
  });
  const [b0, b1] = branch as [[number, number], [number, number]];
  return [(b0[0] + b1[0]) / 2, (b0[1] + b1[1]) / 2];
}

/**
 * Coefficient count of the telephone-band filter. The transition band 3.4 → 4.6 kHz is 0.075 of
 * 16 kHz, where every coefficient adds about 15 dB: 4 would give 62 dB, 5 give 77 dB, which clears
 * the 65 dB of the FIR it replaces with room for int16 rounding. The kernels are unrolled for 5.
 */
export const TELEPHONE_ALLPASS_COUNT = 5;

/** (4600 − 3400) / 16000: the telephone transition band as a fraction of 16 kHz. */
export const TELEPHONE_TRANSITION_WIDTH = (4600 - 3400) / 16000;

/** The 8↔16 kHz design, computed once at module load. */
export const TELEPHONE_ALLPASS: AllpassHalfBandDesign = designAllpassHalfBand(
  TELEPHONE_ALLPASS_COUNT,
  TELEPHONE_TRANSITION_WIDTH,
);
