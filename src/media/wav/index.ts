export { parseWav } from './parse-wav.js';
export { splitChannels } from './split-channels.js';
export { encodeWav } from './encode-wav.js';
export { WavFileWriter, DEFAULT_PATCH_INTERVAL_MS } from './wav-file-writer.js';
export { WavStreamReader } from './wav-stream-reader.js';
export { MAX_STREAM_HEADER_BYTES } from './wav-header.js';
export {
  WAVE_FORMAT_PCM,
  WAVE_FORMAT_IEEE_FLOAT,
  WAVE_FORMAT_ALAW,
  WAVE_FORMAT_MULAW,
  WAVE_FORMAT_EXTENSIBLE,
} from './wav-info.js';
export type { WavInfo, WavData } from './wav-info.js';
