import type { Call, MediaLeg } from '../../session/index.js';
import type { G711CodecName, NegotiatedMedia, SdpAnswer, SdpSession } from '../../sip/sdp/index.js';
import { answerReoffer, sdpMediaView } from '../../sip/sdp/index.js';
import type { RecordingSession } from '../../sip/siprec/index.js';
import { applyMetadataUpdate } from '../../sip/siprec/index.js';
import type { SiprecOffer } from '../siprec/index.js';
import type { MediaEndpoint, MediaPortPool } from './media-plan.js';
import { legCodec, remoteOf } from './media-plan.js';
import type { MediaTimeouts } from './media-watchdog.js';
import { MediaWatchdog } from './media-watchdog.js';
import type { WiredLeg } from './wire-leg.js';
import { peerQuiet, wireLeg } from './wire-leg.js';
import type { TimerScheduler } from '../../core/index.js';

export interface ActiveCallInit {
  /** The first answer and one bound endpoint per accepted m-line, parallel to `answer.media`. */
  readonly answer: SdpAnswer;
  readonly endpoints: readonly MediaEndpoint[];
  readonly siprec: SiprecOffer | undefined;
  /** Builds the session Call; called once, when the dialog is confirmed. */
  readonly createCall: () => Call;
  readonly scheduler: TimerScheduler;
  readonly timeouts: MediaTimeouts;
  /** No RTP for the timeout: the owner hangs up (BYE) and ends the call as `media-timeout`. */
  readonly onMediaTimeout: () => void;
  /** Called once when `end` has released everything (admission's release). */
  readonly onEnded?: () => void;
  /** An RTP packet arrived before the ACK: it has no leg yet and is dropped (counted). */
  readonly onRtpBeforeAck?: () => void;
}

/**
 * One answered call as the ingress holds it: the SDP answer in force and the RTP endpoint of
 * every accepted m-line from the INVITE on; the session Call, its legs (recognizers, recorders)
 * and the media watchdog only from the ACK on (`confirm`), so a dialog that is never ACKed costs
 * ports until it ends, never a decoder. Every leg, from the first answer or a re-INVITE, is wired
 * by `wireLeg`. `end` releases all of it exactly once.
 */
export class ActiveCall {
  readonly #legsByIndex = new Map<number, WiredLeg>();
  readonly #endpointsByIndex = new Map<number, MediaEndpoint>();
  #endpoints: MediaEndpoint[];
  readonly #createCall: () => Call;
  readonly #onEnded: (() => void) | undefined;
  readonly #onRtpBeforeAck: (() => void) | undefined;
  /**
   * Packets before the ACK (RFC 3261 lets the caller send media once it has the 2xx; a lost ACK
   * is only retransmitted after T1) have no leg to go to yet. Until the call exists they are
   * counted rather than silently lost.
   */
  readonly #beforeAck = (): void => {
    this.#onRtpBeforeAck?.();
  };
  readonly #watchdog: MediaWatchdog;
  readonly #scheduler: TimerScheduler;
  #answer: SdpAnswer;
  #siprec: SiprecOffer | undefined;
  #call: Call | undefined;
  #ended: Promise<void> | undefined;
  /** Endpoints of m-lines an ACK's answer declined, being given back to the pool. */
  #declined: Promise<unknown> = Promise.resolve();

  constructor(init: ActiveCallInit) {
    this.#answer = init.answer;
    this.#endpoints = [...init.endpoints];
    init.answer.media.forEach((media, i) => {
      const endpoint = init.endpoints[i];
      if (endpoint !== undefined) this.#endpointsByIndex.set(media.index, endpoint);
    });
    this.#siprec = init.siprec;
    this.#createCall = init.createCall;
    this.#onEnded = init.onEnded;
    this.#scheduler = init.scheduler;
    this.#onRtpBeforeAck = init.onRtpBeforeAck;
    for (const endpoint of this.#endpoints) endpoint.onPacket = this.#beforeAck;
    this.#watchdog = new MediaWatchdog({
      ...init.timeouts,
      scheduler: init.scheduler,
      onTimeout: init.onMediaTimeout,
    });
  }

  /** The session call, once the dialog is confirmed. */
  get call(): Call | undefined {
    return this.#call;
  }

  get answer(): SdpAnswer {
    return this.#answer;
  }

  get siprec(): SiprecOffer | undefined {
    return this.#siprec;
  }

  /** RTP endpoints held (ports lent by the pool). */
  get endpoints(): readonly MediaEndpoint[] {
    return this.#endpoints;
  }

  /** True once the media watchdog ended the call for lack of RTP. */
  get timedOut(): boolean {
    return this.#watchdog.fired;
  }

  /** Resolves once `end` has released everything (immediately if it was never called). */
  get ended(): Promise<void> {
    return this.#ended ?? Promise.resolve();
  }

  legOf(index: number): MediaLeg | undefined {
    return this.#legsByIndex.get(index)?.leg;
  }

  endpointOf(index: number): MediaEndpoint | undefined {
    return this.#endpointsByIndex.get(index);
  }

  /**
   * An offerless INVITE (RFC 3261 §13.2.1): our 2xx offered `endpoints[i]` on m-line i, and the
   * ACK's answer, now `answer`, says which streams run. Call before `confirm`. The endpoints of
   * m-lines it declined (port 0) go back to the pool at once.
   */
  acceptAnswer(answer: SdpAnswer): void {
    if (this.#call !== undefined || this.#ended !== undefined) return;
    const byLine = this.#endpoints;
    this.#endpointsByIndex.clear();
    for (const media of answer.media) {
      const endpoint = byLine[media.index];
      if (endpoint !== undefined) this.#endpointsByIndex.set(media.index, endpoint);
    }
    const kept = new Set(this.#endpointsByIndex.values());
    const declined = byLine.filter((e) => !kept.has(e));
    this.#endpoints = [...kept];
    this.#answer = answer;
    // Closing a socket fails only if it is already closed: nothing is left to release then.
    this.#declined = Promise.all(declined.map((e) => e.close())).catch(() => undefined);
  }

  /**
   * The 2xx was ACKed: create the call and a leg for every stream in force, and start the media
   * watchdog. Idempotent; nothing happens after `end`.
   */
  confirm(): void {
    if (this.#call !== undefined || this.#ended !== undefined) return;
    this.#call = this.#createCall();
    this.#apply(this.#answer.media);
    this.#watchdog.start();
  }

  /** Folds a metadata-only SIPREC update (no SDP: nothing renegotiated) into the recording. */
  updateMetadata(update: SiprecOffer): void {
    if (this.#siprec === undefined) return;
    this.#siprec = mergeSiprec(this.#siprec, update, this.#siprec.sdp);
  }

  /**
   * A re-INVITE or UPDATE offer (RFC 3264 §8): hold and resume, a codec change, a new remote
   * address, and for SIPREC new streams and metadata updates (RFC 7866 §8.2). Existing streams
   * keep their ports; streams the re-offer adds get new ones (and, once confirmed, legs).
   */
  async reoffer(
    offer: SdpSession,
    options: {
      readonly pool: MediaPortPool;
      readonly codecs?: readonly G711CodecName[];
      readonly update?: SiprecOffer;
    },
  ): Promise<void> {
    // Only audio m-lines that were not accepted before can ask for ports; the stream cap bounds
    // them, so a re-offer padded with other m-lines binds nothing for them.
    const accepted = new Set(this.#answer.media.map((m) => m.index));
    const wanted = offer.media.filter(
      (m, i) => m.media === 'audio' && m.port !== 0 && !accepted.has(i),
    ).length;
    const fresh = wanted === 0 ? [] : await options.pool.open(wanted);
    const assigned = new Map<number, MediaEndpoint>();
    try {
      const reanswer = answerReoffer(this.#answer, offer, {
        mode: this.#siprec === undefined ? 'uas' : 'siprec',
        ...(options.codecs === undefined ? {} : { codecs: options.codecs }),
        ports: (index) => {
          const endpoint = fresh[assigned.size];
          if (endpoint === undefined) throw new Error('the SDP layer asked for more ports than were bound');
          assigned.set(index, endpoint);
          return { rtp: endpoint.rtpPort, rtcp: endpoint.rtcpPort };
        },
      });
      if (this.#ended !== undefined) throw new Error('the call ended while the re-offer was answered');
      if (options.update !== undefined && this.#siprec !== undefined) {
        this.#siprec = mergeSiprec(this.#siprec, options.update, offer);
      }
      const replaced: MediaEndpoint[] = [];
      for (const [index, endpoint] of assigned) {
        // A stream disabled earlier and enabled again got new ports: its old pair goes back.
        const old = this.#endpointsByIndex.get(index);
        if (old !== undefined) replaced.push(old);
        this.#endpointsByIndex.set(index, endpoint);
        if (this.#call === undefined) endpoint.onPacket = this.#beforeAck;
      }
      this.#endpoints = [...this.#endpointsByIndex.values()];
      this.#answer = reanswer;
      if (this.#call !== undefined) this.#apply(reanswer.media);
      // Ports replaced, or bound for m-lines the answer rejected, go back to the pool.
      const used = new Set(assigned.values());
      await Promise.all([...replaced, ...fresh.filter((e) => !used.has(e))].map((e) => e.close()));
    } catch (error) {
      await Promise.all(fresh.filter((e) => !this.#endpoints.includes(e)).map((e) => e.close()));
      throw error;
    }
  }

  /** Ends the session call (flushing the last finals) and closes every RTP endpoint. */
  end(reason: string): Promise<void> {
    this.#ended ??= (async () => {
      this.#watchdog.stop();
      try {
        await this.#call?.end(reason);
      } finally {
        await Promise.all([...this.#endpoints.map((e) => e.close()), this.#declined]);
        this.#onEnded?.();
      }
    })();
    return this.#ended;
  }

  /** Brings the legs in line with the streams in force: new ones wired, existing ones updated. */
  #apply(streams: readonly NegotiatedMedia[]): void {
    const call = this.#call;
    if (call === undefined) return;
    for (const media of streams) {
      const existing = this.#legsByIndex.get(media.index);
      const endpoint = this.#endpointsByIndex.get(media.index);
      if (endpoint === undefined) continue;
      if (existing !== undefined) {
        existing.leg.updateCodec(legCodec(media));
        existing.leg.setHold(media.onHold);
        existing.rebind(endpoint);
        endpoint.setRemote(remoteOf(media));
        continue;
      }
      const wired = wireLeg(
        call,
        media,
        endpoint,
        this.#siprec,
        (arrivalMs) => this.#watchdog.heard(arrivalMs),
        this.#scheduler,
      );
      this.#legsByIndex.set(media.index, wired);
    }
    this.#watchdog.setQuiet(streams.length > 0 && streams.every(peerQuiet));
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
