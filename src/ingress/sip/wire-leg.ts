import type { TimerScheduler } from '../../core/index.js';
import { RtpPacer } from '../../net/rtp/index.js';
import type { Call, LegParticipant, LegRole, MediaLeg } from '../../session/index.js';
import type { NegotiatedMedia } from '../../sip/sdp/index.js';
import type { SessionStream } from '../../sip/siprec/index.js';
import type { SiprecOffer } from '../siprec/index.js';
import type { MediaEndpoint } from './media-plan.js';
import { legCodec, remoteOf } from './media-plan.js';

/** A leg and the endpoint it is wired to. */
export interface WiredLeg {
  readonly leg: MediaLeg;
  readonly endpoint: MediaEndpoint;
  /**
   * Moves the leg to another endpoint (a stream disabled and enabled again gets new ports, RFC
   * 3264 §8.3.3): its packets come from there and its pacer sends from there.
   */
  rebind(endpoint: MediaEndpoint): void;
}

/**
 * Turns one accepted m-line into a leg of the call, the same way for the first answer and for
 * streams a re-INVITE adds: role and participant from the SIPREC metadata (RFC 7866), a pacer
 * for plain calls (paced on `scheduler`, whose clock must be monotonic), the hold state, and the
 * endpoint's packets into the leg. `onRtp` sees every packet's arrival time first (the media
 * watchdog).
 */
export function wireLeg(
  call: Call,
  media: NegotiatedMedia,
  endpoint: MediaEndpoint,
  siprec: SiprecOffer | undefined,
  onRtp: (arrivalMs: number) => void,
  scheduler: TimerScheduler,
): WiredLeg {
  let current = endpoint;
  const codec = legCodec(media);
  const stream = siprec === undefined ? undefined : streamOf(siprec, media);
  const role: LegRole = siprec === undefined ? 'caller' : (stream?.role ?? 'unknown');
  const participant = siprec === undefined || stream === undefined ? undefined : senderOf(siprec, stream);
  // A recording server never sends (RFC 7866 §6.1.2: recvonly), so SIPREC legs get no pacer.
  const pacer =
    siprec === undefined
      ? new RtpPacer({
          send: (packet) => current.send(packet),
          scheduler,
          payloadType: codec.payloadType,
          ptimeMs: codec.ptimeMs,
        })
      : undefined;
  const leg = call.addLeg({
    role,
    codec,
    ...(media.label === null ? {} : { label: media.label }),
    ...(pacer === undefined ? {} : { pacer }),
    ...(participant === undefined ? {} : { participant }),
    // Which role rule decided, so that a wrong role can be traced to its rule (issue 10).
    ...(siprec === undefined ? {} : { roleSource: siprec.recording.session.roleSource }),
  });
  leg.setHold(media.onHold);
  const attach = (to: MediaEndpoint): void => {
    to.onPacket = (packet, arrivalMs) => {
      onRtp(arrivalMs);
      leg.pushRtp(packet, arrivalMs);
    };
  };
  attach(endpoint);
  endpoint.setRemote(remoteOf(media));
  return {
    leg,
    get endpoint() {
      return current;
    },
    rebind(next) {
      if (next === current) return;
      current.onPacket = undefined;
      current = next;
      attach(next);
    },
  };
}

/**
 * True when the peer is not expected to send on the stream: it put us on hold or made it
 * inactive, or offered recvonly (RFC 3264 §6.1), or a SIPREC client paused it.
 */
export function peerQuiet(media: NegotiatedMedia): boolean {
  return media.onHold || media.direction === 'sendonly' || media.direction === 'inactive';
}

/** The recording's stream on an m-line: by a=label, else by position (SDP without metadata). */
function streamOf(offer: SiprecOffer, media: NegotiatedMedia): SessionStream | undefined {
  const session = offer.recording.session;
  return (
    (media.label === null ? undefined : session.streamsByLabel.get(media.label)) ??
    session.streams.find((s) => s.id === `m-line:${media.index}`)
  );
}

/** The participant who sends a stream, when exactly one does (a mixed stream has none). */
function senderOf(offer: SiprecOffer, stream: SessionStream): LegParticipant | undefined {
  if (stream.senderIds.length !== 1) return undefined;
  const id = stream.senderIds[0];
  const sender = offer.recording.session.participants.find((p) => p.id === id);
  return sender === undefined ? undefined : { aor: sender.aor, name: sender.name };
}
