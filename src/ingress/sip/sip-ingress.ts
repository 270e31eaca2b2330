import { createTimerScheduler, InvalidArgumentError, ParseError, VoxError } from '../../core/index.js';
import type { TimerScheduler } from '../../core/index.js';
import type { SttEngine, SttOptions } from '../../engines/spi/index.js';
import { RtpPortsExhaustedError } from '../../net/rtp/index.js';
import type { Call, CallEvent, MediaTicker } from '../../session/index.js';
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
import type { G711CodecName, SdpAnswer, SdpSession } from '../../sip/sdp/index.js';
import type { AgentMatcher, RecordingSession } from '../../sip/siprec/index.js';
import {
  isOfferlessSiprec,
  isSiprecInvite,
  offerlessSiprecLabels,
  readOfferlessSiprec,
  readSiprecMetadataUpdate,
  readSiprecOffer,
} from '../siprec/index.js';
import type { SiprecOffer, SiprecOfferOptions } from '../siprec/index.js';
import { acceptAckAnswer } from './accept-ack-answer.js';
import { ActiveCall } from './active-call.js';
import { planOffer } from './plan-offer.js';
import type { MediaEndpoint, MediaPortPool } from './media-plan.js';
import { activeAudioStreams, planMedia } from './media-plan.js';
import type { MediaTimeouts } from './media-watchdog.js';

export interface SipIngressOptions {
  readonly pool: MediaPortPool;
  /** Our media address as written in SDP answers. */
  readonly mediaAddress: string;
  /** Recognizer for every leg; undefined runs calls without recognition. */
  readonly stt?: SttEngine;
  readonly sttOptions?: SttOptions;
  readonly recordDir?: string;
  readonly codecs?: readonly G711CodecName[];
  /** SIPREC: which participants are agents by AoR (the role rule's configuration step). */
  readonly agentMatcher?: AgentMatcher;
  /**
   * SIPREC: headers in which the SRC passes the recorded call's From and To (the role rule's
   * `recorded-call-parties` step); see SiprecOfferOptions.
   */
  readonly recordedCallHeaders?: SiprecOfferOptions['recordedCallHeaders'];
  readonly ticker?: MediaTicker;
  /**
   * Ring time before answering, in ms (default 0: answer at once). A PBX-like delay lets callers
   * abandon a ringing call with CANCEL, which then costs no ports.
   */
  readonly answerDelayMs?: number;
  /** Recognizer usage reports of every leg (for the real-time factor metric). */
  readonly onRecognizerUsage?: (usage: { readonly audioMs: number; readonly processingMs: number }) => void;
  /** No RTP on any leg for this long ends the call with a BYE (`media-timeout`); default 30, 0 off. */
  readonly rtpTimeoutSec?: number;
  /** The same while every stream is held or inactive (the peer need not send); default 300. */
  readonly rtpHoldTimeoutSec?: number;
  /** Audio m-lines one call may have; an offer with more gets 488. Default 4. */
  readonly maxAudioStreams?: number;
  /** Runs the media timeout; default real timers on the system clock (the RTP arrival clock). */
  readonly scheduler?: TimerScheduler;
  /** Sends BYE for a dialog (the user agent's hangup); the media timeout needs it. */
  readonly hangup?: (dialogId: string) => Promise<void>;
  /**
   * Admission before any port is bound (after the ring time): throw SipRejection to refuse
   * (e.g. 503 + Retry-After when the recognizers are full), or admit without live recognition.
   * `release` is called once when the dialog ends, whatever the path (also never ACKed).
   */
  readonly admit?: (request: AdmissionRequest) => Admission;
  /** Every event of every call, in order per call. */
  readonly onEvent: (event: CallEvent) => void;
  /** Something went wrong that the caller should log (never thrown at the network). */
  readonly onError?: (error: unknown, context: { readonly sipCallId: string }) => void;
}

/** What admission is asked about: a new INVITE, before anything is allocated for it. */
export interface AdmissionRequest {
  readonly siprec: boolean;
  /** Audio streams offered (already within maxAudioStreams): the recognizers it would need. */
  readonly audioStreams: number;
  readonly source: IncomingCall['source'];
}

export interface Admission {
  /** False: the call is answered and recorded, but its legs get no recognizer. */
  readonly transcribe: boolean;
  /** Gives back what admission reserved; called exactly once when the dialog ends. */
  readonly release?: () => void;
}

const RETRY_AFTER_S = '5';
const DEFAULT_RTP_TIMEOUT_S = 30;
const DEFAULT_RTP_HOLD_TIMEOUT_S = 300;
/** Two for SIPREC (caller and agent), with room for a re-INVITE that briefly adds streams. */
const DEFAULT_MAX_AUDIO_STREAMS = 4;
/**
 * m-lines allowed beyond the audio cap (disabled audio, video, T.38 image, BFCP, text): plenty
 * for real offers, which we answer with port 0 for all but audio.
 */
const MAX_OTHER_MEDIA_LINES = 8;

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
  /** Calls whose end is releasing their resources. */
  readonly #ending = new Set<Promise<void>>();
  readonly #scheduler: TimerScheduler;
  readonly #timeouts: MediaTimeouts;
  readonly #maxAudioStreams: number;
  /** Offerless calls whose 2xx carried our offer and whose ACK (with the answer) is awaited. */
  readonly #awaitingAnswer = new Map<string, { readonly problem?: string }>();
  #mediaTimeouts = 0;
  #tooManyStreams = 0;
  #rtpBeforeAck = 0;
  #metadataWarnings = 0;
  #offerless = 0;
  #badAnswers = 0;

  constructor(options: SipIngressOptions) {
    this.#options = options;
    this.#scheduler = options.scheduler ?? createTimerScheduler();
    this.#timeouts = {
      timeoutMs: (options.rtpTimeoutSec ?? DEFAULT_RTP_TIMEOUT_S) * 1000,
      holdTimeoutMs: (options.rtpHoldTimeoutSec ?? DEFAULT_RTP_HOLD_TIMEOUT_S) * 1000,
    };
    this.#maxAudioStreams = options.maxAudioStreams ?? DEFAULT_MAX_AUDIO_STREAMS;
    if (!Number.isInteger(this.#maxAudioStreams) || this.#maxAudioStreams < 1) {
      throw new InvalidArgumentError('maxAudioStreams must be a positive integer');
    }
  }

  /** Dialogs with media set up (ports bound) and not yet ended, confirmed or not. */
  get activeCalls(): number {
    return this.#calls.size;
  }

  /** Calls ended because no RTP arrived for the media timeout. */
  get mediaTimeouts(): number {
    return this.#mediaTimeouts;
  }

  /** INVITEs and re-INVITEs refused with 488 for offering more audio streams than the cap. */
  get tooManyStreams(): number {
    return this.#tooManyStreams;
  }

  /** RTP packets that arrived before their call's ACK, so before it had legs: dropped. */
  get rtpBeforeAck(): number {
    return this.#rtpBeforeAck;
  }

  /**
   * What SIPREC metadata parsing tolerated instead of refusing the call (missing or empty ids,
   * associations that could not be linked), one per RecordingMetadata warning, INVITEs and
   * re-INVITEs alike.
   */
  get siprecMetadataWarnings(): number {
    return this.#metadataWarnings;
  }

  /** INVITEs without an SDP offer answered with ours in the 200 (RFC 3261 §13.2.1). */
  get offerlessInvites(): number {
    return this.#offerless;
  }

  /** Offerless calls ended with a BYE because the ACK had no answer or an unusable one. */
  get badAnswers(): number {
    return this.#badAnswers;
  }

  /** What the SIPREC readers need to decide roles. */
  #siprecOptions(): SiprecOfferOptions {
    const { agentMatcher, recordedCallHeaders } = this.#options;
    return {
      ...(agentMatcher === undefined ? {} : { agentMatcher }),
      ...(recordedCallHeaders === undefined ? {} : { recordedCallHeaders }),
    };
  }

  /** A SIPREC call's recording as known now (metadata updates folded in); undefined otherwise. */
  recordingOf(dialogId: string): RecordingSession | undefined {
    return this.#calls.get(dialogId)?.siprec?.recording.session;
  }

  /** Our call ids by dialog, for hang-up requests from the API. */
  dialogIdOf(callId: string): string | undefined {
    for (const [dialogId, active] of this.#calls) if (active.call?.id === callId) return dialogId;
    return undefined;
  }

  /** Confirmed calls (ACKed) not yet ended. */
  get calls(): readonly Call[] {
    const calls: Call[] = [];
    for (const active of this.#calls.values()) if (active.call !== undefined) calls.push(active.call);
    return calls;
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
    const { request } = incoming;
    const siprec = isSiprecInvite(request);
    if (isOfferless(request, siprec)) return this.#offer(incoming, siprec);
    const { offer, siprecOffer } = readOffer(request, siprec, this.#siprecOptions());
    this.#metadataWarnings += siprecOffer?.recording.metadata?.warnings.length ?? 0;
    const audioStreams = this.#checkStreamCount(offer);
    await ring(this.#options.answerDelayMs ?? 0, incoming.signal);
    const admission = this.#options.admit?.({ siprec, audioStreams, source: incoming.source }) ?? {
      transcribe: true,
    };
    let plan;
    try {
      plan = await planMedia(offer, {
        pool: this.#options.pool,
        mediaAddress: this.#options.mediaAddress,
        mode: siprec ? 'siprec' : 'uas',
        ...(this.#options.codecs === undefined ? {} : { codecs: this.#options.codecs }),
      });
    } catch (error) {
      admission.release?.();
      throw rejectionFor(error);
    }
    await this.#hold(incoming, {
      siprec,
      admission,
      answer: plan.answer,
      endpoints: plan.endpoints,
      siprecOffer,
    });
    return { body: serializeSdp(plan.answer.answer) };
  }

  /**
   * An INVITE without an SDP offer (RFC 3261 §13.3.1; Cisco CUCM's built-in-bridge recording
   * sends SIPREC INVITEs so): we offer our codecs in the 200, `recvonly` for SIPREC with one
   * labelled m-line per stream its metadata describes (else two), `sendrecv` for a plain call,
   * and take the answer from the ACK (onConfirmed). Ports are bound now, as for an answer; the
   * call and its legs are created at the ACK, as always.
   */
  async #offer(incoming: IncomingCall, siprec: boolean): Promise<SessionAnswer> {
    const { request } = incoming;
    let labels: string[] = [];
    try {
      labels = siprec ? offerlessSiprecLabels(request) : [];
    } catch (error) {
      throw rejectionFor(error);
    }
    const audioStreams = siprec ? labels.length : 1;
    if (audioStreams > this.#maxAudioStreams) {
      this.#tooManyStreams++;
      throw new SipRejection(
        488,
        'Not Acceptable Here',
        [],
        `the metadata describes ${audioStreams} streams; at most ${this.#maxAudioStreams} per call`,
      );
    }
    await ring(this.#options.answerDelayMs ?? 0, incoming.signal);
    const admission = this.#options.admit?.({ siprec, audioStreams, source: incoming.source }) ?? {
      transcribe: true,
    };
    let plan;
    let siprecOffer: SiprecOffer | undefined;
    try {
      plan = await planOffer({
        pool: this.#options.pool,
        mediaAddress: this.#options.mediaAddress,
        streams: siprec
          ? labels.map((label) => ({ direction: 'recvonly' as const, label }))
          : [{ direction: 'sendrecv' as const }],
        ...(this.#options.codecs === undefined ? {} : { codecs: this.#options.codecs }),
      });
    } catch (error) {
      admission.release?.();
      throw rejectionFor(error);
    }
    try {
      siprecOffer = siprec ? readOfferlessSiprec(request, plan.offer, this.#siprecOptions()) : undefined;
    } catch (error) {
      admission.release?.();
      await Promise.all(plan.endpoints.map((e) => e.close()));
      throw rejectionFor(error);
    }
    // Until the ACK, nothing is agreed: no stream is in force, the endpoints wait by m-line.
    await this.#hold(incoming, {
      siprec,
      admission,
      answer: { answer: plan.offer, media: [] },
      endpoints: plan.endpoints,
      siprecOffer,
    });
    this.#awaitingAnswer.set(incoming.dialogId, {});
    this.#offerless++;
    return { body: serializeSdp(plan.offer), offer: true };
  }

  /** Keeps an answered (or offered) INVITE's media until the ACK; a CANCEL meanwhile frees it. */
  async #hold(
    incoming: IncomingCall,
    held: {
      readonly siprec: boolean;
      readonly admission: Admission;
      readonly answer: SdpAnswer;
      readonly endpoints: readonly MediaEndpoint[];
      readonly siprecOffer: SiprecOffer | undefined;
    },
  ): Promise<void> {
    const { request, dialogId, sipCallId } = incoming;
    const { admission, siprec } = held;
    // CANCEL (or shutdown) may have come while the ports were being bound.
    if (incoming.signal.aborted || this.#endedWhilePending.has(dialogId)) {
      admission.release?.();
      await Promise.all(held.endpoints.map((e) => e.close()));
      throw new SipRejection(487, undefined, [], 'the INVITE was cancelled');
    }
    const active: ActiveCall = new ActiveCall({
      answer: held.answer,
      endpoints: held.endpoints,
      siprec: held.siprecOffer,
      // Nothing expensive before the ACK: the call (and with it call.started, recognizers and
      // recorders) exists only once the dialog is confirmed.
      createCall: () => this.#createCall(sipCallId, siprec, request, admission.transcribe),
      ...(admission.release === undefined ? {} : { onEnded: admission.release }),
      scheduler: this.#scheduler,
      timeouts: this.#timeouts,
      onMediaTimeout: () => this.#onMediaTimeout(dialogId, active),
      onRtpBeforeAck: () => this.#rtpBeforeAck++,
    });
    this.#calls.set(dialogId, active);
  }

  #createCall(sipCallId: string, siprec: boolean, request: SipRequest, transcribe: boolean): Call {
    const call = new SessionCall({
      sipCallId,
      kind: siprec ? 'siprec' : 'sip',
      // A SIPREC INVITE's From and To name the recording client and server, not the recorded
      // parties; those come from the metadata's participants on each leg.
      ...(siprec ? {} : partiesOf(request)),
      // Refused by admission: recorded, and call.started says it is not transcribed live.
      ...(this.#options.stt === undefined
        ? {}
        : { stt: this.#options.stt, transcription: transcribe ? 'live' : 'refused' }),
      ...(this.#options.sttOptions === undefined ? {} : { sttOptions: this.#options.sttOptions }),
      ...(this.#options.recordDir === undefined ? {} : { recordDir: this.#options.recordDir }),
      ...(this.#options.ticker === undefined ? {} : { ticker: this.#options.ticker }),
      ...(this.#options.onRecognizerUsage === undefined
        ? {}
        : { onRecognizerUsage: this.#options.onRecognizerUsage }),
    });
    call.on('event', (event) => this.#options.onEvent(event));
    return call;
  }

  /**
   * RFC 3264 §6 leaves how many streams to accept to us; more audio streams than the cap → 488,
   * nothing bound. Other m-lines cost no ports but each must be answered (with port 0), and the
   * 2xx is retransmitted until the ACK, so their number is bounded too.
   */
  #checkStreamCount(offer: SdpSession): number {
    const streams = activeAudioStreams(offer);
    const limit = this.#maxAudioStreams + MAX_OTHER_MEDIA_LINES;
    let problem: string | undefined;
    if (streams > this.#maxAudioStreams) {
      problem = `${streams} audio streams offered; at most ${this.#maxAudioStreams} per call`;
    } else if (offer.media.length > limit) {
      problem = `${offer.media.length} m-lines offered; at most ${limit} per call`;
    }
    if (problem === undefined) return streams;
    this.#tooManyStreams++;
    throw new SipRejection(488, 'Not Acceptable Here', [], problem);
  }

  #onMediaTimeout(dialogId: string, active: ActiveCall): void {
    this.#mediaTimeouts++;
    const hangup = this.#options.hangup;
    if (hangup === undefined) {
      // No user agent to send the BYE (tests): end the call here.
      this.onEnded({ dialogId, sipCallId: active.call?.sipCallId ?? '' }, 'local-bye');
      return;
    }
    // The BYE ends the dialog, whose onEnded releases the call with reason media-timeout.
    hangup(dialogId).catch((error: unknown) =>
      this.#options.onError?.(error, { sipCallId: active.call?.sipCallId ?? '' }),
    );
  }

  onConfirmed(dialog: DialogInfo, ack?: SipRequest): void {
    const active = this.#calls.get(dialog.dialogId);
    if (active === undefined) return;
    if (this.#awaitingAnswer.has(dialog.dialogId)) {
      try {
        active.acceptAnswer(this.#answerInAck(active, ack));
      } catch (error) {
        const rejection = rejectionFor(error);
        const problem =
          rejection instanceof SipRejection
            ? (rejection.warning ?? rejection.reason ?? 'unusable answer')
            : 'unusable answer';
        this.#awaitingAnswer.set(dialog.dialogId, { problem });
        // The user agent ends the dialog with a BYE (onEnded 'bad-answer').
        throw new SipRejection(488, 'Not Acceptable Here', [], problem);
      }
      this.#awaitingAnswer.delete(dialog.dialogId);
    }
    active.confirm();
  }

  /** RFC 3261 §13.2.1: the answer to the offer of our 2xx, from the ACK. */
  #answerInAck(active: ActiveCall, ack: SipRequest | undefined): SdpAnswer {
    if (ack === undefined || ack.body.length === 0) {
      throw new SipRejection(488, undefined, [], 'the ACK carries no SDP answer to our offer');
    }
    const type = getContentType(ack)?.mediaType;
    if (type !== 'application/sdp') {
      throw new SipRejection(488, undefined, [], `the ACK body is ${type ?? 'untyped'}, not application/sdp`);
    }
    const endpoints = active.endpoints;
    return acceptAckAnswer(active.answer.answer, ack.body, {
      mode: active.siprec === undefined ? 'uas' : 'siprec',
      address: this.#options.mediaAddress,
      ...(this.#options.codecs === undefined ? {} : { codecs: this.#options.codecs }),
      ports: (index) => {
        const endpoint = endpoints[index];
        if (endpoint === undefined) throw new Error(`no endpoint was bound for m-line ${index}`);
        return { rtp: endpoint.rtpPort, rtcp: endpoint.rtcpPort };
      },
    });
  }

  async onReoffer(dialog: DialogInfo, request: SipRequest): Promise<SessionAnswer> {
    const active = this.#calls.get(dialog.dialogId);
    if (active === undefined) throw new SipRejection(481, undefined, [], 'no call is set up for this dialog');
    if (request.body.length === 0) {
      // RFC 3261 §14.2: an offerless re-INVITE is answered with our current description as an offer.
      return { body: serializeSdp(active.answer.answer) };
    }
    if (active.siprec !== undefined) {
      // RFC 7866 §7.1.2: a SIPREC re-INVITE or UPDATE may carry metadata alone, in any dialect.
      let update: SiprecOffer | undefined;
      try {
        update = readSiprecMetadataUpdate(request, active.siprec.sdp, this.#siprecOptions());
      } catch (error) {
        throw rejectionFor(error);
      }
      if (update !== undefined) {
        this.#metadataWarnings += update.recording.metadata?.warnings.length ?? 0;
        active.updateMetadata(update);
        // Nothing to negotiate: an UPDATE without an offer gets a 2xx without a body (RFC 3311
        // §5.2); a re-INVITE without one gets our current description as an offer (§14.2).
        return request.method === 'UPDATE'
          ? { body: '' }
          : { body: serializeSdp(active.answer.answer), offer: true };
      }
    }
    const { offer, siprecOffer } = readOffer(request, active.siprec !== undefined, this.#siprecOptions());
    this.#metadataWarnings += siprecOffer?.recording.metadata?.warnings.length ?? 0;
    this.#checkStreamCount(offer);
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
    active?.call?.legs[0]?.pushDtmf(dtmf.digit, dtmf.durationMs);
  }

  onEnded(dialog: DialogInfo, reason: DialogEndReason): void {
    const awaiting = this.#awaitingAnswer.get(dialog.dialogId);
    this.#awaitingAnswer.delete(dialog.dialogId);
    if (reason === 'bad-answer') {
      // Counted and logged: the SRC (or caller) did not complete our offer/answer exchange.
      this.#badAnswers++;
      this.#options.onError?.(
        new VoxError(
          'OFFERLESS_BAD_ANSWER',
          `offerless call ended with BYE: ${awaiting?.problem ?? 'the ACK carried no SDP answer'}`,
        ),
        { sipCallId: dialog.sipCallId },
      );
    }
    const active = this.#calls.get(dialog.dialogId);
    if (active === undefined) {
      // Ended while onInvite was still binding ports: onInvite sees this and releases them.
      if (this.#pending.has(dialog.dialogId)) this.#endedWhilePending.add(dialog.dialogId);
      return;
    }
    this.#calls.delete(dialog.dialogId);
    const ending = active
      .end(active.timedOut ? 'media-timeout' : reason)
      .catch((error: unknown) => this.#options.onError?.(error, { sipCallId: dialog.sipCallId }));
    // Until its ports are closed and its last finals flushed, idle() still waits for it.
    this.#ending.add(ending);
    void ending.finally(() => this.#ending.delete(ending));
  }

  /** Resolves when every call has ended and released its resources (ports, legs, recordings). */
  async idle(): Promise<void> {
    await Promise.all([...[...this.#calls.values()].map((c) => c.ended), ...this.#ending]);
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
  if (signal.aborted) throw new SipRejection(487, undefined, [], 'the INVITE was cancelled while ringing');
}

/** An INVITE without an SDP offer, for which we offer in the 2xx (RFC 3261 §13.3.1). */
function isOfferless(request: SipRequest, siprec: boolean): boolean {
  if (!siprec) return request.body.length === 0;
  try {
    return isOfferlessSiprec(request);
  } catch (error) {
    throw rejectionFor(error);
  }
}

function readOffer(
  request: SipRequest,
  siprec: boolean,
  siprecOptions: SiprecOfferOptions,
): { offer: SdpSession; siprecOffer?: SiprecOffer } {
  try {
    if (siprec) {
      const siprecOffer = readSiprecOffer(request, siprecOptions);
      return { offer: siprecOffer.sdp, siprecOffer };
    }
    const type = getContentType(request)?.mediaType;
    if (type !== 'application/sdp') {
      throw new SipRejection(
        415,
        'Unsupported Media Type',
        [{ name: 'Accept', value: 'application/sdp' }],
        `a plain INVITE's body must be application/sdp, not ${type ?? 'untyped'}`,
      );
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
    // A body we cannot use is "Not Acceptable Here" (RFC 3261 §21.4.26); the Warning (written by
    // the user agent, with our host as its agent, RFC 3261 §20.43) says why.
    return new SipRejection(488, 'Not Acceptable Here', [], error.message);
  }
  if (error instanceof RtpPortsExhaustedError) {
    return new SipRejection(
      503,
      'Service Unavailable',
      [{ name: 'Retry-After', value: RETRY_AFTER_S }],
      'no free RTP ports',
    );
  }
  return error;
}
