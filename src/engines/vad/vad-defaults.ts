/** Defaults of VadOptions, shared by every detector so that swapping kinds never changes timing. */
export const DEFAULT_TRAILING_SILENCE_MS = 500;
export const DEFAULT_MIN_SPEECH_MS = 250;

/** The only rate detectors accept (the contract's input is 16 kHz mono PCM16). */
export const VAD_SAMPLE_RATE_HZ = 16000;

/** Converts a sample count at 16 kHz to ms. */
export function samplesToMs(samples: number): number {
  return (samples * 1000) / VAD_SAMPLE_RATE_HZ;
}

/** Converts ms to a sample count at 16 kHz (rounded). */
export function msToSamples(ms: number): number {
  return Math.round((ms * VAD_SAMPLE_RATE_HZ) / 1000);
}
