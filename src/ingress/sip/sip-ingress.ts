import { ParseError } from '../../core/index.js';
import type { SttEngine, SttOptions } from '../../engines/spi/index.js';
import { RtpPacer, RtpPortsExhaustedError } from '../../net/rtp/index.js';
import type { RtpPortPool } from '../../net/rtp/index.js';
import type { Call, CallEvent, LegRole, MediaTicker } from '../../session/index.js';
import { Call as SessionCall } from '../../session/index.js';
import type {
  DialogEndReason,
  DialogInfo,
  IncomingCall,
  SessionAnswer,
  UasHandler,
} from '../../sip/dialog/index.js';
import { SipRejection } from '../../sip/dialog/index.js';
import type { SipRequest } from '../../sip/message/index.js';
import { getContentType, getFrom, getTo, serializeUri } from '../../sip/message/index.js';
import { parseSdp, SdpNegotiationError, serializeSdp } from '../../sip/sdp/index.js';
import type { G711CodecName, SdpSession } from '../../sip/sdp/index.js';
import type { AgentMatcher } from '../../sip/siprec/index.js';
import { isSiprecInvite, readSiprecOffer, senderOf } from '../siprec/index.js';
import type { SiprecOffer } from '../siprec/index.js';
import { ActiveCall } from './active-call.js';
import { legCodec, planMedia, remoteOf } from './media-plan.js';

export interface SipIngressOptions {
  readonly pool: RtpPortPool;
  /** Our media address as written in SDP answers. */
  readonly mediaAddress: string;
  /** Recognizer for every leg; undefined runs calls without recognition. */
  readonly stt?: SttEngine;
  readonly sttOptions?: SttOptions;
  readonly recordDir?: string;
  readonly codecs?: readonly G711CodecName[];
  readonly agentMatcher?: AgentMatcher;
  readonly ticker?: MediaTicker;
  /**
   * Ring time before answering, in ms (default 0: answer at once). A PBX-like delay lets callers
   * abandon a ringing call with CANCEL, which then costs no ports.
   */
  readonly answerDelayMs?: number;
  /** Recognizer usage reports of every leg (for the real-time factor metric). */
  readonly onRecognizerUsage?: (usage: { readonly audioMs: number; readonly processingMs: number }) => void;
  /** Every event of every call, in order per call. */
  readonly onEvent: (event: CallEvent) => void;
  /** Something went wrong that the caller should log (never thrown at the network). */
  readonly onError?: (error: unknown, context: { readonly sipCallId: string }) => void;
}

const RETRY_AFTER_S = '5';

/**
 * Turns answered SIP dialogs into session Calls: plain INVITEs become one caller leg, SIPREC
 * INVITEs (RFC 7866) one leg per recorded stream with its role from the metadata. It is the
 * UasHandler of sip/dialog, so every onInvite ends in exactly one onEnded, where the call's
 * ports, recognizers and recordings are released.
 */
export class SipIngress implements UasHandler {
  readonly #options: SipIngressOptions;
  readonly #calls = new Map<string, ActiveCall>();
  /** Dialogs whose onInvite is still binding ports, and those of them that ended meanwhile. */
  readonly #pending = new Set<string>();
  readonly #endedWhilePending = new Set<string>();

  constructor(options: SipIngressOptions) {
    this.#options = options;
  }

  /** Calls with media set up and not yet ended. */
  get activeCalls(): number {
    return this.#calls.size;
  }

  /** Our call ids by dialog, for hang-up requests from the API. */
  dialogIdOf(callId: string): string | undefined {
    for (const [dialogId, active] of this.#calls) if (active.call.id === callId) return dialogId;
    return undefined;
  }

  get calls(): readonly Call[] {
    return [...this.#calls.values()].map((c) => c.call);
  }

  async onInvite(incoming: IncomingCall): Promise<SessionAnswer> {
    this.#pending.add(incoming.dialogId);
    try {
      return await this.#answer(incoming);
    } finally {
      this.#pending.delete(incoming.dialogId);
      this.#endedWhilePending.delete(incoming.dialogId);
    }
  }

  async #answer(incoming: IncomingCall): Promise<SessionAnswer> {
    const { request, dialogId, sipCallId } = incoming;
    const siprec = isSiprecInvite(request);
    const { offer, siprecOffer } = readOffer(request, siprec, this.#options.agentMatcher);
    await ring(this.#options.answerDelayMs ?? 0, incoming.signal);
    let plan;
    try {
      plan = await planMedia(offer, {
        pool: this.#options.pool,
        mediaAddress: this.#options.mediaAddress,
        mode: siprec ? 'siprec' : 'uas',
        ...(this.#options.codecs === undefined ? {} : { codecs: this.#options.codecs }),
      });
    } catch (error) {
      throw rejectionFor(error);
    }
    // CANCEL (or shutdown) may have come while the ports were being bound.
    if (incoming.signal.aborted || this.#endedWhilePending.has(dialogId)) {
      await Promise.all(plan.endpoints.map((e) => e.close()));
      throw new SipRejection(487);
    }
    const call = new SessionCall({
      sipCallId,
      kind: siprec ? 'siprec' : 'sip',
      // A SIPREC INVITE's From and To name the recording client and server, not the recorded
      // parties; those come from the metadata's participants on each leg.
      ...(siprec ? {} : partiesOf(request)),
      ...(this.#options.stt === undefined ? {} : { stt: this.#options.stt }),
      ...(this.#options.sttOptions === undefined ? {} : { sttOptions: this.#options.sttOptions }),
      ...(this.#options.recordDir === undefined ? {} : { recordDir: this.#options.recordDir }),
      ...(this.#options.ticker === undefined ? {} : { ticker: this.#options.ticker }),
      ...(this.#options.onRecognizerUsage === undefined
        ? {}
        : { onRecognizerUsage: this.#options.onRecognizerUsage }),
    });
    call.on('event', (event) => this.#options.onEvent(event));
    const active = new ActiveCall(call, plan.answer, plan.endpoints, siprecOffer);
    plan.answer.media.forEach((media, i) => {
      const endpoint = plan.endpoints[i];
      if (endpoint === undefined) return;
      const mLine = siprecOffer?.recording.mLines[media.index];
      const role: LegRole = siprec ? (mLine?.role ?? 'unknown') : 'caller';
      const sender =
        siprecOffer !== undefined && mLine !== undefined ? senderOf(siprecOffer, mLine) : undefined;
      const codec = legCodec(media);
      // A recording server never sends (RFC 7866 §6.1.2: recvonly), so SIPREC legs get no pacer.
      const pacer = siprec
        ? undefined
        : new RtpPacer({
            send: (packet) => endpoint.send(packet),
            payloadType: codec.payloadType,
            ptimeMs: codec.ptimeMs,
          });
      const leg = call.addLeg({
        role,
        codec,
        ...(media.label === null ? {} : { label: media.label }),
        ...(pacer === undefined ? {} : { pacer }),
        ...(sender === undefined ? {} : { participant: { aor: sender.aor, name: sender.name } }),
      });
      leg.setHold(media.onHold);
      endpoint.onPacket = (packet, arrivalMs) => leg.pushRtp(packet, arrivalMs);
      endpoint.setRemote(remoteOf(media));
      active.legsByIndex.set(media.index, leg);
      active.bindEndpoint(media.index, endpoint);
    });
    this.#calls.set(dialogId, active);
    return { body: serializeSdp(plan.answer.answer) };
  }

  async onReoffer(dialog: DialogInfo, request: SipRequest): Promise<SessionAnswer> {
    const active = this.#calls.get(dialog.dialogId);
    if (active === undefined) throw new SipRejection(481);
    if (request.body.length === 0) {
      // RFC 3261 §14.2: an offerless re-INVITE is answered with our current description as an offer.
      return { body: serializeSdp(active.answer.answer) };
    }
    const { offer, siprecOffer } = readOffer(
      request,
      active.siprec !== undefined,
      this.#options.agentMatcher,
    );
    try {
      await active.reoffer(offer, {
        pool: this.#options.pool,
        ...(siprecOffer === undefined ? {} : { update: siprecOffer }),
        ...(this.#options.codecs === undefined ? {} : { codecs: this.#options.codecs }),
      });
    } catch (error) {
      throw rejectionFor(error);
    }
    return { body: serializeSdp(active.answer.answer) };
  }

  onDtmf(dialog: DialogInfo, dtmf: { readonly digit: string; readonly durationMs: number }): void {
    const active = this.#calls.get(dialog.dialogId);
    active?.call.legs[0]?.pushDtmf(dtmf.digit, dtmf.durationMs);
  }

  onEnded(dialog: DialogInfo, reason: DialogEndReason): void {
    const active = this.#calls.get(dialog.dialogId);
    if (active === undefined) {
      // Ended while onInvite was still binding ports: onInvite sees this and releases them.
      if (this.#pending.has(dialog.dialogId)) this.#endedWhilePending.add(dialog.dialogId);
      return;
    }
    this.#calls.delete(dialog.dialogId);
    active
      .end(reason)
      .catch((error: unknown) => this.#options.onError?.(error, { sipCallId: dialog.sipCallId }));
  }

  /** Resolves when every call has ended and released its resources. */
  async idle(): Promise<void> {
    await Promise.all([...this.#calls.values()].map((c) => c.ended));
  }
}

/** The From and To URIs of a plain INVITE, without tags or display names. */
function partiesOf(request: SipRequest): { from?: string; to?: string } {
  try {
    return { from: serializeUri(getFrom(request).uri), to: serializeUri(getTo(request).uri) };
  } catch (error) {
    if (error instanceof ParseError) return {};
    throw error;
  }
}

/** Waits out the ring time; a CANCEL during it ends the wait with 487 Request Terminated. */
async function ring(delayMs: number, signal: AbortSignal): Promise<void> {
  if (delayMs <= 0) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, delayMs);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
  if (signal.aborted) throw new SipRejection(487);
}

function readOffer(
  request: SipRequest,
  siprec: boolean,
  agentMatcher: AgentMatcher | undefined,
): { offer: SdpSession; siprecOffer?: SiprecOffer } {
  try {
    if (siprec) {
      const siprecOffer = readSiprecOffer(request, agentMatcher === undefined ? {} : { agentMatcher });
      return { offer: siprecOffer.sdp, siprecOffer };
    }
    const type = getContentType(request)?.mediaType;
    if (request.body.length === 0) {
      // An offerless INVITE would need our offer in the 200 and the answer in the ACK; contact
      // centers' SBCs always offer, so it is refused clearly rather than half supported.
      throw new SipRejection(488, 'Not Acceptable Here', [warning('an SDP offer is required in the INVITE')]);
    }
    if (type !== 'application/sdp') {
      throw new SipRejection(415, 'Unsupported Media Type', [{ name: 'Accept', value: 'application/sdp' }]);
    }
    return { offer: parseSdp(request.body) };
  } catch (error) {
    throw rejectionFor(error);
  }
}

/** Maps what went wrong while answering to the SIP final response the UAC gets. */
function rejectionFor(error: unknown): unknown {
  if (error instanceof SipRejection) return error;
  if (error instanceof SdpNegotiationError || error instanceof ParseError) {
    // A body we cannot use is "Not Acceptable Here" (RFC 3261 §21.4.26); the Warning says why.
    return new SipRejection(488, 'Not Acceptable Here', [warning(error.message)]);
  }
  if (error instanceof RtpPortsExhaustedError) {
    return new SipRejection(503, 'Service Unavailable', [
      { name: 'Retry-After', value: RETRY_AFTER_S },
      warning('no free RTP ports'),
    ]);
  }
  return error;
}

/** RFC 3261 §20.43: code 399 (miscellaneous), our agent name, and the reason in quotes. */
function warning(text: string): { name: string; value: string } {
  const quoted = text
    .replace(/[\\"]/g, "'")
    .replace(/[\r\n]+/g, ' ')
    .slice(0, 200);
  return { name: 'Warning', value: `399 voxbridge "${quoted}"` };
}
