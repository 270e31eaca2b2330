import { parseSdp } from './parse-sdp.js';
import { sdpMediaView } from './sdp-media-view.js';
import type { SdpSession } from './sdp-session.js';

/**
 * True when a description puts its receiver on hold: it has at least one active audio stream
 * and the sender stops receiving on every one of them, by a=sendonly or a=inactive (RFC 3264
 * §8.4) or by the RFC 2543 connection address 0.0.0.0. Text is parsed first (ParseError).
 */
export function isHold(description: SdpSession | string | Uint8Array): boolean {
  const sdp =
    typeof description === 'string' || description instanceof Uint8Array
      ? parseSdp(description)
      : description;
  const audio = sdp.media
    .map((_, i) => sdpMediaView(sdp, i))
    // A defective m-line (parseSdp) is declined, so it says nothing about hold.
    .filter((v) => v.media.media === 'audio' && v.media.port !== 0 && v.media.defect === undefined);
  return (
    audio.length > 0 &&
    audio.every((v) => v.connectionOnHold || v.direction === 'sendonly' || v.direction === 'inactive')
  );
}
