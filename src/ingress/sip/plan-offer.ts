import type { G711CodecName, SdpDirection, SdpSession } from '../../sip/sdp/index.js';
import { createOffer } from '../../sip/sdp/index.js';
import type { MediaEndpoint, MediaPortPool } from './media-plan.js';

export interface OfferPlanOptions {
  readonly pool: MediaPortPool;
  /** The address written into our SDP (c=): where the peer sends RTP. */
  readonly mediaAddress: string;
  /** One audio m-line per entry: its direction and, for SIPREC, its a=label. */
  readonly streams: readonly { readonly direction: SdpDirection; readonly label?: string }[];
  readonly codecs?: readonly G711CodecName[];
}

/** Our offer and one bound RTP endpoint per m-line, in m-line order. */
export interface OfferPlan {
  readonly offer: SdpSession;
  readonly endpoints: readonly MediaEndpoint[];
}

/**
 * For an INVITE without an offer (RFC 3261 §13.3.1: the UAS offers in its 2xx): binds one
 * RTP/RTCP pair per stream (contiguous, as for answers) and writes an offer of our codecs, G.711
 * in our order of preference plus RFC 4733 telephone-event (RFC 3264 §5). Nothing is left bound
 * if it throws.
 */
export async function planOffer(options: OfferPlanOptions): Promise<OfferPlan> {
  const endpoints = await options.pool.open(options.streams.length);
  try {
    const sessionId = String(Date.now() * 1000 + Math.floor(Math.random() * 1000));
    const offer = createOffer({
      address: options.mediaAddress,
      sessionId,
      sessionVersion: sessionId,
      ...(options.codecs === undefined ? {} : { codecs: options.codecs }),
      streams: options.streams.map((s, i) => ({
        ports: { rtp: endpoints[i]!.rtpPort, rtcp: endpoints[i]!.rtcpPort },
        direction: s.direction,
        ...(s.label === undefined ? {} : { label: s.label }),
      })),
    });
    return { offer, endpoints };
  } catch (error) {
    await Promise.all(endpoints.map((e) => e.close()));
    throw error;
  }
}
