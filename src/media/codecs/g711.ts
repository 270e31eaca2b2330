import { alawDecode, alawEncode } from './alaw.js';
import { mulawDecode, mulawEncode } from './mulaw.js';

/** The two G.711 laws, named as AudioEncoding names them. */
export type G711Encoding = 'alaw' | 'mulaw';

/** Encodes PCM16 with the named law; see mulawEncode/alawEncode for the `out` contract. */
export function g711Encode(encoding: G711Encoding, pcm: Int16Array, out?: Uint8Array): Uint8Array {
  return encoding === 'alaw' ? alawEncode(pcm, out) : mulawEncode(pcm, out);
}

/** Decodes G.711 code words with the named law; see mulawDecode/alawDecode for `out`. */
export function g711Decode(encoding: G711Encoding, codes: Uint8Array, out?: Int16Array): Int16Array {
  return encoding === 'alaw' ? alawDecode(codes, out) : mulawDecode(codes, out);
}
