/**
 * Spectral analysis used to assert audio by content ("a tone in, the same tone out"): an in-place
 * radix-2 FFT, a Hann-windowed magnitude spectrum of real PCM, and the dominant frequency with
 * parabolic peak interpolation. Meant for tests and diagnostics, not the per-packet path.
 */

/** In-place iterative radix-2 complex FFT; `re.length` must be a power of two. */
export function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n !== im.length || (n & (n - 1)) !== 0) {
    throw new RangeError(`FFT size must be a power of two with matching arrays, got ${n}`);
  }
  // Bit-reversal permutation puts the input in the order the butterflies consume it.
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i]!;
      re[i] = re[j]!;
      re[j] = tr;
      const ti = im[i]!;
      im[i] = im[j]!;
      im[j] = ti;
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = (-2 * Math.PI) / size;
    for (let k = 0; k < half; k++) {
      const wr = Math.cos(step * k);
      const wi = Math.sin(step * k);
      for (let start = k; start < n; start += size) {
        const a = start;
        const b = start + half;
        const br = re[b]! * wr - im[b]! * wi;
        const bi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - br;
        im[b] = im[a]! - bi;
        re[a] = re[a]! + br;
        im[a] = im[a]! + bi;
      }
    }
  }
}

/**
 * Magnitude spectrum (bins 0..N/2) of mono PCM under a Hann window, zero-padded to the next power
 * of two. A real input's spectrum is conjugate-symmetric, so only the lower half is returned.
 */
export function magnitudeSpectrum(pcm: Int16Array | Float32Array): {
  magnitudes: Float64Array;
  fftSize: number;
} {
  let fftSize = 2;
  while (fftSize < pcm.length) fftSize <<= 1;
  const re = new Float64Array(fftSize);
  const im = new Float64Array(fftSize);
  const n = pcm.length;
  for (let i = 0; i < n; i++) {
    const hann = n > 1 ? 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)) : 1;
    re[i] = pcm[i]! * hann;
  }
  fftInPlace(re, im);
  const magnitudes = new Float64Array(fftSize / 2 + 1);
  for (let k = 0; k < magnitudes.length; k++) magnitudes[k] = Math.hypot(re[k]!, im[k]!);
  return { magnitudes, fftSize };
}

/**
 * Frequency of the strongest component of mono PCM, in Hz. The peak bin is refined by fitting a
 * parabola through the log magnitudes of it and its neighbours, which for a Hann window lands
 * within a few hundredths of a bin of the true frequency. Returns 0 for silence.
 */
export function dominantFrequencyHz(pcm: Int16Array | Float32Array, sampleRateHz: number): number {
  const { magnitudes, fftSize } = magnitudeSpectrum(pcm);
  let peak = 1;
  for (let k = 2; k < magnitudes.length - 1; k++) if (magnitudes[k]! > magnitudes[peak]!) peak = k;
  if (magnitudes[peak]! === 0) return 0;
  const floor = 1e-12;
  const left = Math.log(magnitudes[peak - 1]! + floor);
  const centre = Math.log(magnitudes[peak]! + floor);
  const right = Math.log(magnitudes[peak + 1]! + floor);
  const denominator = left - 2 * centre + right;
  const shift = denominator === 0 ? 0 : (0.5 * (left - right)) / denominator;
  return ((peak + shift) * sampleRateHz) / fftSize;
}
