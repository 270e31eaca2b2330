import type { RtpEndpoint, RtpPortPool } from '../../net/rtp/index.js';
import type { Call, LegRole, MediaLeg } from '../../session/index.js';
import type { G711CodecName, SdpAnswer, SdpSession } from '../../sip/sdp/index.js';
import { answerReoffer, sdpMediaView } from '../../sip/sdp/index.js';
import type { RecordingSession } from '../../sip/siprec/index.js';
import { applyMetadataUpdate } from '../../sip/siprec/index.js';
import type { SiprecOffer } from '../siprec/index.js';
import { legCodec, remoteOf } from './media-plan.js';

/**
 * One answered call as the ingress holds it: the session Call, the SDP answer that is in force,
 * and the RTP endpoint of every accepted m-line. `end` releases all of it exactly once.
 */
export class ActiveCall {
  readonly legsByIndex = new Map<number, MediaLeg>();
  readonly endpoints: RtpEndpoint[];
  #answer: SdpAnswer;
  #siprec: SiprecOffer | undefined;
  #ended: Promise<void> | undefined;

  constructor(
    readonly call: Call,
    answer: SdpAnswer,
    endpoints: readonly RtpEndpoint[],
    siprec: SiprecOffer | undefined,
  ) {
    this.#answer = answer;
    this.endpoints = [...endpoints];
    this.#siprec = siprec;
  }

  get answer(): SdpAnswer {
    return this.#answer;
  }

  get siprec(): SiprecOffer | undefined {
    return this.#siprec;
  }

  /** Resolves once `end` has released everything (immediately if it was never called). */
  get ended(): Promise<void> {
    return this.#ended ?? Promise.resolve();
  }

  /**
   * A re-INVITE or UPDATE offer (RFC 3264 §8): hold and resume, a codec change, a new remote
   * address, and for SIPREC new streams and metadata updates (RFC 7866 §8.2). Existing streams
   * keep their ports; streams the re-offer adds get new ones.
   */
  async reoffer(
    offer: SdpSession,
    options: {
      readonly pool: RtpPortPool;
      readonly codecs?: readonly G711CodecName[];
      readonly update?: SiprecOffer;
    },
  ): Promise<void> {
    const added = Math.max(0, offer.media.length - this.#answer.answer.media.length);
    const fresh = added === 0 ? [] : await options.pool.open(added);
    let used = 0;
    try {
      const reanswer = answerReoffer(this.#answer, offer, {
        mode: this.#siprec === undefined ? 'uas' : 'siprec',
        ...(options.codecs === undefined ? {} : { codecs: options.codecs }),
        ports: () => {
          const endpoint = fresh[used++];
          if (endpoint === undefined)
            throw new Error('the SDP layer asked for more ports than offered m-lines');
          return { rtp: endpoint.rtpPort, rtcp: endpoint.rtcpPort };
        },
      });
      if (options.update !== undefined && this.#siprec !== undefined) {
        this.#siprec = mergeSiprec(this.#siprec, options.update, offer);
      }
      let nextFresh = 0;
      for (const media of reanswer.media) {
        const existing = this.legsByIndex.get(media.index);
        if (existing !== undefined) {
          existing.updateCodec(legCodec(media));
          existing.setHold(media.onHold);
          this.endpointOf(media.index)?.setRemote(remoteOf(media));
          continue;
        }
        const endpoint = fresh[nextFresh++];
        if (endpoint === undefined) continue;
        this.endpoints.push(endpoint);
        const leg = this.call.addLeg({
          role: this.roleOf(media.index, media.label),
          codec: legCodec(media),
          ...(media.label === null ? {} : { label: media.label }),
        });
        leg.setHold(media.onHold);
        endpoint.onPacket = (packet, arrivalMs) => leg.pushRtp(packet, arrivalMs);
        endpoint.setRemote(remoteOf(media));
        this.legsByIndex.set(media.index, leg);
        this.#endpointIndex.set(media.index, endpoint);
      }
      // Ports bound for m-lines the answer rejected go back to the pool.
      await Promise.all(fresh.slice(nextFresh).map((e) => e.close()));
      this.#answer = reanswer;
    } catch (error) {
      await Promise.all(fresh.map((e) => e.close()));
      throw error;
    }
  }

  /** Ends the session call (flushing the last finals) and closes every RTP endpoint. */
  end(reason: string): Promise<void> {
    this.#ended ??= (async () => {
      try {
        await this.call.end(reason);
      } finally {
        await Promise.all(this.endpoints.map((e) => e.close()));
      }
    })();
    return this.#ended;
  }

  readonly #endpointIndex = new Map<number, RtpEndpoint>();

  /** Records which endpoint serves an m-line of the first answer. */
  bindEndpoint(index: number, endpoint: RtpEndpoint): void {
    this.#endpointIndex.set(index, endpoint);
  }

  endpointOf(index: number): RtpEndpoint | undefined {
    return this.#endpointIndex.get(index);
  }

  private roleOf(index: number, label: string | null): LegRole {
    const session = this.#siprec?.recording.session;
    if (session === undefined) return 'unknown';
    const stream =
      (label === null ? undefined : session.streamsByLabel.get(label)) ??
      session.streams.find((s) => s.id === `m-line:${index}`);
    return stream?.role ?? 'unknown';
  }
}

/** Folds a re-INVITE's SIPREC body into what we knew: partial metadata merges, complete replaces. */
function mergeSiprec(previous: SiprecOffer, update: SiprecOffer, offer: SdpSession): SiprecOffer {
  const metadata = update.recording.metadata;
  if (metadata === null) return previous;
  const labelOrder = offer.media.map((_, i) => sdpMediaView(offer, i).label);
  const session: RecordingSession = applyMetadataUpdate(previous.recording.session, metadata, { labelOrder });
  return { sdp: offer, recording: { ...update.recording, session } };
}
