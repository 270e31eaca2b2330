import { randomUUID } from 'node:crypto';
import type { SipHeader, SipRequest, SipResponse } from '../message/index.js';
import { getContentType, getCseq, getHeaders, quotedText } from '../message/index.js';
import type { InviteServerTransaction, ServerTransaction, TimerHandle } from '../transaction/index.js';
import { isReliable } from '../transaction/index.js';
import { buildInDialogRequest } from './build-in-dialog-request.js';
import type { DialogContext, UasDialogInit } from './dialog-context.js';
import { dialogKey, rejectionOf, safely } from './dialog-context.js';
import { parseDtmfInfo } from './parse-dtmf-info.js';
import type { SessionTimerDecision } from './session-timer.js';
import { negotiateSessionTimer, sessionExpiryDelayMs } from './session-timer.js';
import { SipRejection } from './sip-rejection.js';
import type { DialogEndReason, DialogInfo, SessionAnswer } from './uas-handler.js';
import { capabilityHeaders, uasResponse } from './uas-responses.js';

type Phase = 'early' | 'awaiting-ack' | 'confirmed';
/** RFC 3261 §14.2 / RFC 3311 §5.2: whose offer is outstanding. */
type OfferState = 'idle' | 'answering' | 'offer-sent';

const encoder = new TextEncoder();

/**
 * One UAS dialog, from the initial INVITE to its end (RFC 3261 §12, §13.3, §14, §15). It calls
 * `handler.onEnded` exactly once, on whichever path ends it, and stops its timers there.
 */
export class UasDialog {
  readonly id = randomUUID();
  readonly info: DialogInfo;
  private phase: Phase = 'early';
  private endedFlag = false;
  private releasedFlag = false;
  private readonly abort = new AbortController();
  private readonly timers = new Map<string, TimerHandle>();
  private remoteCseq: number;
  private localCseq = 0;
  private offer: OfferState = 'answering';
  /** The re-INVITE or UPDATE being answered by the handler. */
  private pending: ServerTransaction | undefined;
  /** The 2xx awaiting its ACK (RFC 3261 §13.3.1.4). */
  private unacked: { readonly seq: number; readonly response: SipResponse } | undefined;
  /** A BYE that must wait for the ACK (RFC 3261 §15: not before the 2xx is ACKed or times out). */
  private deferredBye: (() => void) | undefined;
  private byeDone: Promise<void> | undefined;
  private sessionIntervalS: number | undefined;

  constructor(
    private readonly ctx: DialogContext,
    private readonly init: UasDialogInit,
  ) {
    this.info = { dialogId: this.id, sipCallId: init.callId };
    this.remoteCseq = getCseq(init.invite).seq;
  }

  get localTag(): string {
    return this.init.localTag;
  }

  get key(): string {
    return dialogKey(this.init.callId, this.init.localTag, this.init.remoteTag);
  }

  get inviteTx(): InviteServerTransaction {
    return this.init.tx;
  }

  /** True once onEnded has fired; the dialog may linger to send a BYE after the ACK. */
  get ended(): boolean {
    return this.endedFlag;
  }

  /** Sends 180 Ringing and offers the call to the handler. */
  start(): void {
    const { invite, tx } = this.init;
    // RFC 3261 §12.1.1: a response that creates a dialog carries our tag, Contact and the
    // request's Record-Route.
    this.ctx.respond(tx, this.response(invite, 180, { headers: this.dialogHeaders(true) }));
    // The executor runs onInvite synchronously; a synchronous throw becomes a rejection.
    const answer = new Promise<SessionAnswer>((resolve) => {
      resolve(
        this.ctx.handler.onInvite({
          dialogId: this.id,
          sipCallId: this.init.callId,
          request: invite,
          source: this.init.request.source,
          signal: this.abort.signal,
        }),
      );
    });
    answer.then(
      (a) => this.answerInvite(a),
      (error: unknown) => this.rejectInvite(error),
    );
  }

  private answerInvite(answer: SessionAnswer): void {
    // CANCEL, BYE or shutdown got there first: the answer is discarded (RFC 3261 §9.2).
    if (this.endedFlag || this.init.tx.state !== 'proceeding') return;
    const { invite } = this.init;
    const headers = [...this.dialogHeaders(true), ...this.applySessionTimer(this.init.sessionTimer)];
    const response = this.okWithBody(invite, answer, headers);
    this.ctx.stats.answered++;
    this.ctx.respond(this.init.tx, response);
    this.phase = 'awaiting-ack';
    // RFC 3261 §13.2.1: an INVITE without an offer (no body, or a SIPREC body without SDP) gets
    // our offer in the 2xx, and the ACK must carry the answer.
    this.offer = answer.offer === true || invite.body.length === 0 ? 'offer-sent' : 'idle';
    this.awaitAck(getCseq(invite).seq, response);
  }

  private rejectInvite(error: unknown): void {
    if (this.endedFlag || this.init.tx.state !== 'proceeding') return;
    const { status, reason, headers, warning } = rejectionOf(error);
    this.ctx.stats.rejected++;
    this.ctx.respond(this.init.tx, this.response(this.init.invite, status, { reason, headers, warning }));
    this.end(error instanceof SipRejection ? 'rejected' : 'error');
    this.finish();
  }

  /** RFC 3261 §9.2: CANCEL before the final response → 487 to the INVITE. */
  cancel(): void {
    if (this.endedFlag || this.init.tx.state !== 'proceeding') return;
    this.ctx.stats.cancelled++;
    this.ctx.respond(
      this.init.tx,
      this.response(this.init.invite, 487, { warning: 'the INVITE was cancelled by a CANCEL' }),
    );
    this.end('cancelled');
    this.finish();
  }

  /** An ACK for one of our 2xx responses (RFC 3261 §13.3.1.4, §17.2.3). */
  onAck(ack: SipRequest): void {
    const unacked = this.unacked;
    if (unacked === undefined || getCseq(ack).seq !== unacked.seq) return;
    this.unacked = undefined;
    this.stopTimer('retransmit');
    this.stopTimer('no-ack');
    const answerDue = this.offer === 'offer-sent';
    if (answerDue) this.offer = 'idle';
    if (this.deferredBye !== undefined) {
      this.deferredBye();
      return;
    }
    if (this.phase === 'awaiting-ack') {
      this.phase = 'confirmed';
      this.ctx.confirmed(this);
      if (answerDue && ack.body.length === 0) {
        // RFC 3261 §13.2.1: when the 2xx carried the offer, the ACK MUST carry the answer. An
        // ACK cannot be refused (§17.1.1.3), so a session without one is ended with a BYE.
        this.failAnswer('the ACK carries no SDP answer to the offer in our 200');
        return;
      }
      try {
        this.ctx.handler.onConfirmed?.(this.info, ack);
      } catch (error) {
        // The handler refuses the answer in the ACK (RFC 3261 §13.2.1, RFC 3264 §6): same end.
        if (answerDue && error instanceof SipRejection) {
          this.failAnswer(error.warning ?? error.reason ?? 'the answer in the ACK is not acceptable');
        }
        // Any other throw is the handler's bug; the dialog carries on.
      }
    }
  }

  /**
   * The answer in the ACK to our offer is missing or unusable: the session cannot run, so the
   * dialog ends with a BYE whose Reason (RFC 3326) says why, and onEnded('bad-answer').
   */
  private failAnswer(text: string): void {
    this.ctx.stats.badAnswers++;
    this.end('bad-answer');
    const cause = quotedText(text);
    void this.bye([{ name: 'Reason', value: `SIP ;cause=488 ;text="${cause}"` }]);
  }

  /** A request inside this dialog (RFC 3261 §12.2.2). */
  onRequest(request: SipRequest, tx: ServerTransaction): void {
    const seq = getCseq(request).seq;
    // RFC 3261 §12.2.2: a request older than the last one is out of order.
    if (seq < this.remoteCseq) {
      this.ctx.respond(
        tx,
        this.response(request, 500, {
          reason: 'Out of Order',
          warning: `CSeq ${seq} is lower than ${this.remoteCseq}, the last one in this dialog`,
        }),
      );
      return;
    }
    this.remoteCseq = seq;
    switch (request.method) {
      case 'BYE':
        this.onBye(request, tx);
        return;
      case 'INVITE':
      case 'UPDATE':
        this.onReoffer(request, tx);
        return;
      case 'INFO':
        this.onInfo(request, tx);
        return;
      default:
        // OPTIONS inside a dialog: the capabilities, like outside (RFC 3261 §11.2).
        this.ctx.respond(tx, this.response(request, 200, { headers: capabilityHeaders(true) }));
    }
  }

  private onBye(request: SipRequest, tx: ServerTransaction): void {
    this.ctx.respond(tx, this.response(request, 200));
    if (this.endedFlag) {
      // Their BYE crossed our deferred one: nothing left to tear down.
      this.deferredBye = undefined;
      this.finish();
      return;
    }
    // RFC 3261 §15.1.2: a BYE before our final response ends the INVITE with 487.
    if (this.init.tx.state === 'proceeding') {
      this.ctx.respond(
        this.init.tx,
        this.response(this.init.invite, 487, { warning: 'the INVITE was ended by a BYE' }),
      );
    }
    this.ctx.stats.remoteByes++;
    this.end('remote-bye');
    this.finish();
  }

  private onInfo(request: SipRequest, tx: ServerTransaction): void {
    this.ctx.respond(tx, this.response(request, 200));
    let type;
    try {
      type = getContentType(request);
    } catch {
      return;
    }
    const dtmf = parseDtmfInfo(type, request.body);
    if (dtmf === undefined) return;
    this.ctx.stats.dtmf++;
    safely(() => this.ctx.handler.onDtmf?.(this.info, dtmf));
  }

  private onReoffer(request: SipRequest, tx: ServerTransaction): void {
    const isInvite = request.method === 'INVITE';
    const hasOffer = isInvite || request.body.length > 0;
    if (hasOffer && this.offer === 'answering') {
      // RFC 3261 §14.2 / RFC 3311 §5.2: an offer of theirs is still unanswered → 500 + Retry-After.
      const retry = String(Math.floor(Math.random() * 11));
      this.ctx.respond(
        tx,
        this.response(request, 500, {
          headers: [{ name: 'Retry-After', value: retry }],
          warning: 'an earlier offer of yours is still being answered',
        }),
      );
      return;
    }
    if (hasOffer && this.offer === 'offer-sent') {
      // RFC 3261 §14.2 / RFC 3311 §5.2: our offer awaits their answer → 491 Request Pending.
      this.ctx.respond(tx, this.response(request, 491, { warning: 'our offer awaits your answer (glare)' }));
      return;
    }
    let timer: SessionTimerDecision;
    try {
      timer = negotiateSessionTimer(request, this.ctx.session);
    } catch {
      this.ctx.respond(
        tx,
        this.response(request, 400, {
          reason: 'Bad Session-Expires',
          warning: 'the Session-Expires or Min-SE header could not be parsed',
        }),
      );
      return;
    }
    if (timer.kind === 'too-small') {
      this.ctx.respond(
        tx,
        this.response(request, 422, {
          headers: [{ name: 'Min-SE', value: String(timer.minSeS) }],
          warning: `Session-Expires is below our Min-SE of ${timer.minSeS} s`,
        }),
      );
      return;
    }
    if (!hasOffer) {
      // RFC 3311 §5.2 / RFC 4028 §9: a bodiless UPDATE only refreshes the session.
      this.ctx.respond(
        tx,
        this.response(request, 200, {
          headers: [...this.dialogHeaders(false), ...this.applySessionTimer(timer)],
        }),
      );
      return;
    }
    this.ctx.stats.reoffers++;
    this.offer = 'answering';
    this.pending = tx;
    const answer = new Promise<SessionAnswer>((resolve) =>
      resolve(this.ctx.handler.onReoffer(this.info, request)),
    );
    answer.then(
      (a) => this.answerReoffer(request, tx, timer, a),
      (error: unknown) => this.rejectReoffer(request, tx, error),
    );
  }

  private answerReoffer(
    request: SipRequest,
    tx: ServerTransaction,
    timer: SessionTimerDecision,
    answer: SessionAnswer,
  ): void {
    if (this.pending !== tx) return;
    this.pending = undefined;
    const headers = [...this.dialogHeaders(false), ...this.applySessionTimer(timer)];
    const response = this.okWithBody(request, answer, headers);
    this.ctx.respond(tx, response);
    if (request.method === 'INVITE') {
      // RFC 3264 §5 / RFC 3261 §14.2: an offerless re-INVITE's 2xx is our offer; the ACK answers.
      // So is a re-INVITE whose body had no SDP (a SIPREC metadata-only update) when the handler
      // says its answer is an offer.
      this.offer = request.body.length === 0 || answer.offer === true ? 'offer-sent' : 'idle';
      this.awaitAck(getCseq(request).seq, response);
    } else {
      this.offer = 'idle';
    }
  }

  private rejectReoffer(request: SipRequest, tx: ServerTransaction, error: unknown): void {
    if (this.pending !== tx) return;
    this.pending = undefined;
    this.offer = 'idle';
    const { status, reason, headers, warning } = rejectionOf(error);
    // The dialog and its session stay as they were (RFC 3261 §14.2).
    this.ctx.respond(tx, this.response(request, status, { reason, headers, warning }));
  }

  /** Ends the call from our side: BYE, or a final error response if it was not answered yet. */
  hangup(reason: 'local-bye' | 'shutdown'): Promise<void> {
    if (this.endedFlag) {
      // At shutdown a BYE deferred until the ACK goes now.
      if (reason === 'shutdown') this.deferredBye?.();
      return this.byeDone ?? Promise.resolve();
    }
    if (this.phase === 'early') {
      if (this.init.tx.state === 'proceeding') {
        const status = reason === 'shutdown' ? 503 : 480;
        const headers =
          reason === 'shutdown' ? [{ name: 'Retry-After', value: String(this.ctx.retryAfterS) }] : [];
        const warning =
          reason === 'shutdown'
            ? 'the gateway is shutting down'
            : 'the call was ended before it was answered';
        this.ctx.respond(this.init.tx, this.response(this.init.invite, status, { headers, warning }));
      }
      this.end(reason);
      this.finish();
      return Promise.resolve();
    }
    if (reason === 'local-bye') this.ctx.stats.localByes++;
    this.end(reason);
    // RFC 3261 §15: no BYE before the 2xx is ACKed or its retransmissions time out; at shutdown
    // we do not wait.
    if (this.unacked !== undefined && reason === 'local-bye') {
      this.byeDone = new Promise((resolve) => {
        this.deferredBye = () => {
          this.deferredBye = undefined;
          this.bye().then(resolve, resolve);
        };
      });
      return this.byeDone;
    }
    this.byeDone = this.bye();
    return this.byeDone;
  }

  /** Sends BYE (RFC 3261 §15.1.1) and forgets the dialog; resolves on any final response or timeout. */
  private bye(extra: readonly SipHeader[] = []): Promise<void> {
    this.stopAllTimers();
    this.unacked = undefined;
    this.finish();
    const built = buildInDialogRequest(this.init.request, 'BYE', ++this.localCseq, extra);
    return new Promise((resolve) => this.ctx.sendRequest(built, () => resolve()));
  }

  private awaitAck(seq: number, response: SipResponse): void {
    this.unacked = { seq, response };
    const { t1Ms, t2Ms } = this.ctx;
    const destination = this.init.responseDestination;
    if (!isReliable(destination)) {
      // RFC 3261 §13.3.1.4: retransmit the 2xx at T1, doubling up to T2, until the ACK.
      const retransmit = (intervalMs: number): void => {
        this.startTimer('retransmit', intervalMs, () => {
          this.ctx.send(response, destination);
          retransmit(Math.min(2 * intervalMs, t2Ms));
        });
      };
      retransmit(Math.min(t1Ms, t2Ms));
    }
    // RFC 3261 §13.3.1.4: no ACK within 64*T1 → the session ends with a BYE.
    this.startTimer('no-ack', 64 * t1Ms, () => {
      this.stopTimer('retransmit');
      this.unacked = undefined;
      if (this.deferredBye !== undefined) {
        this.deferredBye();
        return;
      }
      this.ctx.stats.noAck++;
      this.end('no-ack');
      void this.bye();
    });
  }

  /** Applies a negotiated session timer and returns the headers announcing it (RFC 4028 §9). */
  private applySessionTimer(decision: SessionTimerDecision): SipHeader[] {
    this.stopTimer('session');
    if (decision.kind !== 'on') {
      this.sessionIntervalS = undefined;
      return [];
    }
    this.sessionIntervalS = decision.intervalS;
    this.startTimer('session', sessionExpiryDelayMs(decision.intervalS), () => {
      // RFC 4028 §10: the refresher (the UAC) let the session expire: end it with a BYE.
      this.ctx.stats.sessionExpired++;
      this.end('session-expired');
      void this.bye();
    });
    return [
      { name: 'Session-Expires', value: `${decision.intervalS};refresher=uac` },
      { name: 'Require', value: 'timer' },
    ];
  }

  /** The negotiated session interval, while a session timer runs. */
  get sessionExpiresS(): number | undefined {
    return this.sessionIntervalS;
  }

  /** Fires onEnded once, aborts the signal, answers what is pending, and frees the dialog's slot. */
  private end(reason: DialogEndReason): void {
    if (this.endedFlag) return;
    this.endedFlag = true;
    // The 2xx timers keep running only for a BYE deferred until the ACK; finish() stops them.
    this.stopTimer('session');
    this.abort.abort();
    if (this.pending !== undefined) {
      // RFC 3261 §15.1.2: requests still pending in the dialog get 487.
      const tx = this.pending;
      this.pending = undefined;
      this.ctx.respond(
        tx,
        this.response(tx.request, 487, { warning: 'the dialog ended while this request was pending' }),
      );
    }
    this.ctx.ended(this);
    safely(() => this.ctx.handler.onEnded(this.info, reason));
  }

  /** Forgets the dialog for good (the user agent stops routing to it). */
  private finish(): void {
    if (this.releasedFlag) return;
    this.releasedFlag = true;
    this.stopAllTimers();
    this.ctx.release(this);
  }

  /** True once nothing is left to route to this dialog. */
  get released(): boolean {
    return this.releasedFlag;
  }

  private okWithBody(request: SipRequest, answer: SessionAnswer, headers: SipHeader[]): SipResponse {
    const body = encoder.encode(answer.body);
    if (body.length > 0)
      headers.push({ name: 'Content-Type', value: answer.contentType ?? 'application/sdp' });
    headers.push(...(answer.headers ?? []));
    return this.response(request, 200, { headers, body });
  }

  /** Contact, capabilities and (for the INVITE) Record-Route, RFC 3261 §12.1.1 / §13.3.1.4. */
  private dialogHeaders(withRecordRoute: boolean): SipHeader[] {
    const { contact, source } = this.init.request;
    const transport = source.transport === 'tcp' ? ';transport=tcp' : '';
    const headers: SipHeader[] = [
      { name: 'Contact', value: `<sip:${contactHost(contact.host)}:${contact.port}${transport}>` },
    ];
    headers.push(...capabilityHeaders(false));
    if (withRecordRoute) {
      for (const value of getHeaders(this.init.invite, 'Record-Route'))
        headers.push({ name: 'Record-Route', value });
    }
    return headers;
  }

  private response(
    request: SipRequest,
    status: number,
    options: {
      reason?: string | undefined;
      headers?: readonly SipHeader[];
      body?: Uint8Array;
      warning?: string | undefined;
    } = {},
  ): SipResponse {
    return uasResponse(request, status, {
      server: this.ctx.server,
      warnAgent: this.ctx.warnAgent,
      toTag: this.init.localTag,
      ...(options.warning !== undefined && { warning: options.warning }),
      ...(options.reason !== undefined && { reason: options.reason }),
      ...(options.headers !== undefined && { headers: options.headers }),
      ...(options.body !== undefined && { body: options.body }),
    });
  }

  private startTimer(name: string, delayMs: number, fn: () => void): void {
    this.stopTimer(name);
    const handle = this.ctx.scheduler.set(delayMs, () => {
      this.timers.delete(name);
      fn();
    });
    this.timers.set(name, handle);
  }

  private stopTimer(name: string): void {
    const handle = this.timers.get(name);
    if (handle === undefined) return;
    this.ctx.scheduler.clear(handle);
    this.timers.delete(name);
  }

  private stopAllTimers(): void {
    for (const handle of this.timers.values()) this.ctx.scheduler.clear(handle);
    this.timers.clear();
  }
}

function contactHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
