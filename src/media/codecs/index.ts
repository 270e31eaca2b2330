export { mulawEncode, mulawDecode, MULAW_ENCODE_TABLE, MULAW_DECODE_TABLE } from './mulaw.js';
export { alawEncode, alawDecode, ALAW_ENCODE_TABLE, ALAW_DECODE_TABLE } from './alaw.js';
export { g711Encode, g711Decode } from './g711.js';
export type { G711Encoding } from './g711.js';
export { transcodeFrame } from './transcode-frame.js';
export { G711_CODECS, codecForPayloadType, codecForName } from './codec-registry.js';
export type { CodecInfo } from './codec-registry.js';
