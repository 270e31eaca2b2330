import type { AudioFormat } from '../audio/index.js';

/** WAVE format tags voxbridge reads (Microsoft mmreg.h). */
export const WAVE_FORMAT_PCM = 0x0001;
export const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
export const WAVE_FORMAT_ALAW = 0x0006;
export const WAVE_FORMAT_MULAW = 0x0007;
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** What a WAV header says, after resolving WAVE_FORMAT_EXTENSIBLE to its SubFormat. */
export interface WavInfo {
  /** Effective tag: for WAVE_FORMAT_EXTENSIBLE the SubFormat's tag (1, 3, 6 or 7). */
  formatTag: number;
  /** As stored in the file: 8, 16, 24, 32 or 64. */
  bitsPerSample: number;
  channels: number;
  sampleRateHz: number;
  /** Byte offset of the first sample in the file. */
  dataOffset: number;
  /** Bytes of sample data actually present, rounded down to whole sample frames. */
  dataLength: number;
  /** Samples per channel. */
  frameCount: number;
  durationMs: number;
}

/**
 * A parsed file. `format` and `samples` describe the audio as voxbridge carries it: PCM16, A-law
 * and µ-law as stored, every other PCM or float layout converted to PCM16. Samples are interleaved.
 */
export interface WavData {
  info: WavInfo;
  format: AudioFormat;
  samples: Int16Array | Uint8Array;
}
