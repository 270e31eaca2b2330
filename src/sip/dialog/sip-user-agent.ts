import { InvalidArgumentError, ParseError } from '../../core/index.js';
import type { SipHeader, SipMessage, SipRequest, SipResponse } from '../message/index.js';
import {
  getCallId,
  getContacts,
  getFrom,
  getHeader,
  getHeaders,
  getRoutes,
  getTo,
  requestProblem,
  serializeUri,
} from '../message/index.js';
import type { ServerTransaction, TimerScheduler, TransactionTimers } from '../transaction/index.js';
import { TransactionLayer } from '../transaction/index.js';
import type { SipDestination } from '../transport/index.js';
import { responseDestination } from '../transport/index.js';
import type { BuiltRequest } from './build-in-dialog-request.js';
import { hostPort } from './build-in-dialog-request.js';
import type { RoutedDestination } from './routed-destination.js';
import { routed, routeOf } from './routed-destination.js';
import { negotiateSessionTimer } from './session-timer.js';
import type { SipUserAgentStats } from './sip-user-agent-stats.js';
import { emptyStats } from './sip-user-agent-stats.js';
import { TrackingScheduler } from './tracking-scheduler.js';
import type { DialogContext } from './dialog-context.js';
import { dialogKey } from './dialog-context.js';
import { UasDialog } from './uas-dialog.js';
import { UnackedBySource } from './unacked-by-source.js';
import type { UasHandler } from './uas-handler.js';
import {
  ALLOW,
  ALLOWED_METHODS,
  capabilityHeaders,
  newTag,
  uasResponse,
  UNDERSTOOD_REQUIRE,
} from './uas-responses.js';

export interface SipUserAgentOptions {
  /** Sends a message; in production `(m, d) => transport.send(m, d).catch(...)`. Must not throw. */
  readonly send: (message: SipMessage, destination: SipDestination) => void;
  readonly scheduler: TimerScheduler;
  readonly handler: UasHandler;
  /** Concurrent dialogs (calls) admitted; beyond it INVITE → 503 + Retry-After. */
  readonly maxCalls: number;
  /** Default 5. */
  readonly retryAfterS?: number;
  /** Our Contact: where in-dialog requests reach us. */
  readonly contact: { readonly host: string; readonly port: number };
  /** Server (and User-Agent) header value; default 'voxbridge'. */
  readonly userAgent?: string;
  /** RFC 4028: the Session-Expires we answer with when the peer asks for timers; default 1800. */
  readonly sessionExpiresS?: number;
  /** RFC 4028: our Min-SE; default 90. */
  readonly minSessionExpiresS?: number;
  readonly timers?: Partial<TransactionTimers>;
  readonly maxTransactions?: number;
  /** How long shutdown() waits for answers to its BYEs; default 4000 ms. */
  readonly shutdownWaitMs?: number;
  /**
   * Dialogs one source may have that are not yet confirmed by an ACK (ringing, being answered,
   * or answered and awaiting the ACK); beyond it a new INVITE from that source gets 503 +
   * Retry-After. Default 32. Each such dialog holds RTP ports and a 2xx that is retransmitted
   * for 32 s, so a spoofed source must not be able to hold them without bound.
   */
  readonly maxUnackedPerSource?: number;
}

const DEFAULT_MAX_UNACKED_PER_SOURCE = 32;

const KNOWN_METHODS: ReadonlySet<string> = new Set(ALLOWED_METHODS);

/**
 * SIP methods defined by the RFCs that a UAS recognizes without supporting them here: REGISTER
 * (RFC 3261), PRACK (3262), SUBSCRIBE/NOTIFY (6665), REFER (3515), MESSAGE (3428), PUBLISH (3903).
 */
const RECOGNIZED_METHODS: ReadonlySet<string> = new Set([
  'REGISTER',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'REFER',
  'MESSAGE',
  'PUBLISH',
]);

/**
 * The UAS core (RFC 3261 §8.2, §12-§15; RFC 4028 session timers) on top of a TransactionLayer:
 * validates and admits INVITEs, creates dialogs, and hands calls to a UasHandler. Network
 * input never throws out of `receive`.
 */
export class SipUserAgent {
  readonly #options: SipUserAgentOptions;
  readonly #scheduler: TrackingScheduler;
  readonly #layer: TransactionLayer;
  readonly #dialogs = new Map<string, UasDialog>();
  readonly #byInvite = new WeakMap<ServerTransaction, UasDialog>();
  readonly #stats = emptyStats();
  readonly #ctx: DialogContext;
  readonly #unacked: UnackedBySource<UasDialog>;
  #active = 0;
  #draining = false;
  #closed = false;

  constructor(options: SipUserAgentOptions) {
    if (!Number.isInteger(options.maxCalls) || options.maxCalls < 0) {
      throw new InvalidArgumentError('maxCalls must be a non-negative integer');
    }
    const maxUnacked = options.maxUnackedPerSource ?? DEFAULT_MAX_UNACKED_PER_SOURCE;
    if (!Number.isInteger(maxUnacked) || maxUnacked < 1) {
      throw new InvalidArgumentError('maxUnackedPerSource must be a positive integer');
    }
    this.#unacked = new UnackedBySource(maxUnacked);
    this.#options = options;
    this.#scheduler = new TrackingScheduler(options.scheduler);
    this.#layer = new TransactionLayer({
      send: (message, destination) => this.#send(message, routeOf(destination)),
      scheduler: this.#scheduler,
      onRequest: (request, tx, source) => this.#onRequestSafely(request, tx, source as RoutedDestination),
      onAck: (ack) => this.#guard(() => this.#onAck(ack)),
      ...(options.timers !== undefined && { timers: options.timers }),
      ...(options.maxTransactions !== undefined && { maxTransactions: options.maxTransactions }),
    });
    const server = options.userAgent ?? 'voxbridge';
    this.#ctx = {
      scheduler: this.#scheduler,
      handler: options.handler,
      stats: this.#stats,
      server,
      warnAgent: hostPort(options.contact.host, options.contact.port),
      retryAfterS: options.retryAfterS ?? 5,
      session: {
        sessionExpiresS: options.sessionExpiresS ?? 1800,
        minSessionExpiresS: options.minSessionExpiresS ?? 90,
      },
      t1Ms: this.#layer.timers.t1Ms,
      t2Ms: this.#layer.timers.t2Ms,
      send: (message, destination) => this.#send(message, destination.route),
      sendRequest: (built, done) => this.#sendRequest(built, done),
      respond: (tx, response) => this.#respond(tx, response),
      ended: (dialog) => {
        this.#active--;
        this.#unacked.release(dialog);
      },
      confirmed: (dialog) => this.#unacked.release(dialog),
      release: (dialog) => {
        if (this.#dialogs.get(dialog.key) === dialog) this.#dialogs.delete(dialog.key);
      },
    };
  }

  /** Feed every message the transport delivers. */
  receive(message: SipMessage, source: SipDestination): void {
    if (this.#closed) return;
    this.#guard(() => {
      if (message.kind === 'response') {
        this.#layer.receive(message, routed(source));
        return;
      }
      // RFC 3261 §18.2.2 / RFC 3581 §4: responses go where the top Via says; over TCP, back on
      // the connection. `source` stays what the handler and our BYEs see.
      this.#layer.receive(message, {
        ...routed(this.#responseRoute(message, source)),
        origin: source,
      } as RoutedDestination);
    });
  }

  /** Dialogs established or being established (onEnded not yet called). */
  get activeCalls(): number {
    return this.#active;
  }

  get draining(): boolean {
    return this.#draining;
  }

  get stats(): Readonly<SipUserAgentStats> {
    return { ...this.#stats };
  }

  /** Timers pending in the user agent and its transactions (0 after shutdown). */
  get pendingTimers(): number {
    return this.#scheduler.pending;
  }

  /** Dialogs still routed to, including ones lingering to send a BYE after the ACK. */
  get dialogCount(): number {
    return this.#dialogs.size;
  }

  /** Ends a call from our side; resolves when the BYE is answered or times out. Unknown id: resolves. */
  hangup(dialogId: string): Promise<void> {
    for (const dialog of this.#dialogs.values()) {
      if (dialog.id === dialogId) return dialog.hangup('local-bye');
    }
    return Promise.resolve();
  }

  /** From now on INVITE and OPTIONS get 503 + Retry-After; running dialogs continue. */
  drain(): void {
    this.#draining = true;
  }

  /** Ends every dialog (BYE, or 503 before the answer), waits (bounded) for answers, stops every timer. */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#draining = true;
    const byes = [...this.#dialogs.values()].map((d) => d.hangup('shutdown'));
    let timer: object | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = this.#scheduler.set(this.#options.shutdownWaitMs ?? 4000, resolve);
    });
    await Promise.race([Promise.all(byes), bound]);
    if (timer !== undefined) this.#scheduler.clear(timer);
    this.#closed = true;
    this.#dialogs.clear();
    this.#scheduler.clearAll();
  }

  #onRequestSafely(request: SipRequest, tx: ServerTransaction, source: RoutedDestination): void {
    try {
      this.#onRequest(request, tx, source);
    } catch {
      // A request we failed on still gets a final response, or its transaction would live forever.
      this.#stats.internalErrors++;
      if (tx.lastResponse === undefined || tx.lastResponse.status < 200) {
        this.#reply(tx, request, 500, { warning: 'internal error while handling the request' });
      }
    }
  }

  #onRequest(request: SipRequest, tx: ServerTransaction, source: RoutedDestination): void {
    if (this.#closed) return;
    if (request.method === 'CANCEL') {
      this.#onCancel(request, tx);
      return;
    }
    let problem;
    let toTag: string | undefined;
    // Which header is being read, for the Warning of a 400 (RFC 3261 §20.43).
    let reading = 'CSeq';
    try {
      problem = requestProblem(request);
      reading = 'Call-ID';
      getCallId(request);
      reading = 'From';
      getFrom(request);
      reading = 'To';
      toTag = getTo(request).tag;
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      this.#reply(tx, request, 400, {
        reason: 'Bad Request',
        warning: `the ${reading} header could not be parsed`,
      });
      return;
    }
    if (request.method === 'INVITE' && toTag === undefined) this.#stats.invites++;
    if (problem !== undefined) {
      if (request.method === 'INVITE' && toTag === undefined) this.#stats.rejected++;
      this.#reply(tx, request, problem.status, { reason: problem.reason, warning: problem.detail });
      return;
    }
    if (!KNOWN_METHODS.has(request.method)) {
      // RFC 3261 §8.2.1: a method we recognize but do not support → 405 with Allow; §21.5.2: a
      // method we do not recognize at all → 501 Not Implemented (with Allow, so the peer learns
      // what we do support).
      const recognized = RECOGNIZED_METHODS.has(request.method);
      this.#reply(tx, request, recognized ? 405 : 501, {
        headers: [{ name: 'Allow', value: ALLOW }],
        warning: recognized
          ? `method ${request.method} is not supported here; see Allow`
          : `method ${request.method} is not implemented; see Allow`,
      });
      return;
    }
    // RFC 3261 §8.2.2.3: option tags we do not understand → 420 listing them in Unsupported.
    const unsupported = getHeaders(request, 'Require').filter(
      (t) => !UNDERSTOOD_REQUIRE.has(t.toLowerCase()),
    );
    if (unsupported.length > 0) {
      this.#reply(tx, request, 420, {
        headers: [{ name: 'Unsupported', value: unsupported.join(', ') }],
        warning: `unsupported Require option tag(s): ${unsupported.join(', ')}`,
      });
      if (request.method === 'INVITE' && toTag === undefined) this.#stats.rejected++;
      return;
    }
    if (toTag !== undefined) {
      this.#inDialog(request, tx, toTag);
      return;
    }
    if (request.method === 'INVITE') this.#onInvite(request, tx, source);
    else if (request.method === 'OPTIONS') this.#onOptions(request, tx);
    else {
      // RFC 3261 §12.2.2 (BYE, INFO, UPDATE without a To tag cannot belong to a dialog).
      this.#stats.unmatched++;
      this.#reply(tx, request, 481, { warning: `a ${request.method} without a To tag matches no dialog` });
    }
  }

  #inDialog(request: SipRequest, tx: ServerTransaction, toTag: string): void {
    const key = dialogKey(getCallId(request), toTag, getFrom(request).tag ?? '');
    const dialog = this.#dialogs.get(key);
    // A dialog that already ended and lingers for its BYE still takes the peer's BYE.
    if (dialog === undefined || (dialog.ended && request.method !== 'BYE')) {
      // RFC 3261 §12.2.2: no such dialog → 481.
      this.#stats.unmatched++;
      this.#reply(tx, request, 481, {
        warning:
          dialog === undefined ? 'no dialog matches Call-ID, From tag and To tag' : 'the dialog has ended',
      });
      return;
    }
    dialog.onRequest(request, tx);
  }

  #onInvite(request: SipRequest, tx: ServerTransaction, source: RoutedDestination): void {
    if (tx.kind !== 'invite') return;
    let contacts;
    try {
      contacts = getContacts(request);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      this.#rejectInvite(tx, request, 400, { warning: 'the Contact header could not be parsed' });
      return;
    }
    const contact = contacts[0];
    if (contact === '*') {
      // RFC 3261 §10.2.2: `*` is only for REGISTER; it cannot be a remote target.
      this.#rejectInvite(tx, request, 400, { warning: 'Contact * in an INVITE' });
      return;
    }
    // RFC 3261 §8.1.1.8 says an RFC 3261 UAC MUST send a Contact, but RFC 2543 let INVITEs omit
    // it, RFC 4475 §3.4.1 (inv2543) is such an INVITE and says elements keeping backward
    // compatibility accept it, and RFC 3261 §8.2 (the checks a UAS refuses a request for) does
    // not list a missing Contact. We accept it: the remote target (§12.1.1) is then the From URI,
    // the only address of the peer the request names, and buildInDialogRequest sends our BYE to
    // where the INVITE came from unless that URI is an IP literal with a port.
    let remoteTarget: string;
    try {
      remoteTarget = serializeUri(contact === undefined ? getFrom(request).uri : contact.uri);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      this.#rejectInvite(tx, request, 400, { warning: 'the From header could not be parsed' });
      return;
    }
    if (contact === undefined) this.#stats.rfc2543Invites++;
    let sessionTimer;
    try {
      sessionTimer = negotiateSessionTimer(request, this.#ctx.session);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      this.#rejectInvite(tx, request, 400, {
        reason: 'Bad Session-Expires',
        warning: 'the Session-Expires or Min-SE header could not be parsed',
      });
      return;
    }
    if (sessionTimer.kind === 'too-small') {
      // RFC 4028 §9: 422 with our Min-SE.
      this.#rejectInvite(tx, request, 422, {
        headers: [{ name: 'Min-SE', value: String(sessionTimer.minSeS) }],
        warning: `Session-Expires is below our Min-SE of ${sessionTimer.minSeS} s`,
      });
      return;
    }
    if (this.#overloaded()) {
      this.#stats.overloaded++;
      this.#rejectInvite(tx, request, 503, {
        headers: [this.#retryAfter()],
        warning: this.#draining ? 'the gateway is draining' : 'the gateway is at its call limit',
      });
      return;
    }
    const origin = source.origin ?? source.route;
    const callId = getCallId(request);
    const remoteTag = getFrom(request).tag ?? '';
    const localTag = newTag();
    const dialog = new UasDialog(this.#ctx, {
      invite: request,
      tx,
      callId,
      remoteTag,
      localTag,
      responseDestination: source,
      sessionTimer,
      request: {
        callId,
        localAddress: `${getHeader(request, 'To') ?? ''};tag=${localTag}`,
        remoteAddress: getHeader(request, 'From') ?? '',
        remoteTarget,
        routeSet: getRoutes(request, 'Record-Route'),
        source: origin,
        contact: this.#options.contact,
        userAgent: this.#ctx.server,
      },
    });
    if (!this.#unacked.admit(dialog, origin)) {
      // 503 rather than 486: nothing is wrong with the callee, this source is asked to come back
      // later (RFC 3261 §21.5.4), and a proxy may try another gateway meanwhile.
      this.#stats.unackedRefused++;
      this.#rejectInvite(tx, request, 503, {
        reason: 'Too Many Unacknowledged Calls',
        headers: [this.#retryAfter()],
        warning: 'too many calls from this source await their ACK',
      });
      return;
    }
    this.#dialogs.set(dialog.key, dialog);
    this.#byInvite.set(tx, dialog);
    this.#active++;
    dialog.start();
  }

  #onCancel(request: SipRequest, tx: ServerTransaction): void {
    const invite = this.#layer.findInviteFor(request);
    if (invite === undefined) {
      // RFC 3261 §9.2: a CANCEL matching no transaction → 481.
      this.#stats.unmatched++;
      this.#reply(tx, request, 481, { warning: 'the CANCEL matches no INVITE transaction' });
      return;
    }
    const dialog = this.#byInvite.get(invite);
    // RFC 3261 §9.2: the 200 to CANCEL carries the To tag of the INVITE's responses.
    this.#reply(tx, request, 200, { ...(dialog !== undefined && { toTag: dialog.localTag }) });
    dialog?.cancel();
  }

  #onOptions(request: SipRequest, tx: ServerTransaction): void {
    if (this.#overloaded()) {
      this.#stats.overloaded++;
      this.#reply(tx, request, 503, {
        headers: [this.#retryAfter()],
        warning: this.#draining ? 'the gateway is draining' : 'the gateway is at its call limit',
      });
      return;
    }
    // RFC 3261 §11.2: the capabilities an INVITE would be answered with.
    this.#reply(tx, request, 200, { headers: capabilityHeaders(true) });
  }

  #onAck(ack: SipRequest): void {
    if (this.#closed) return;
    const toTag = getTo(ack).tag;
    if (toTag === undefined) return;
    // RFC 3261 §17.1.1.3: an ACK never gets a response, matched or not.
    this.#dialogs.get(dialogKey(getCallId(ack), toTag, getFrom(ack).tag ?? ''))?.onAck(ack);
  }

  /** Dialogs not yet confirmed by an ACK, of every source. */
  get unackedDialogs(): number {
    return this.#unacked.size;
  }

  #overloaded(): boolean {
    return this.#draining || this.#active >= this.#options.maxCalls;
  }

  #retryAfter(): SipHeader {
    return { name: 'Retry-After', value: String(this.#ctx.retryAfterS) };
  }

  #rejectInvite(
    tx: ServerTransaction,
    request: SipRequest,
    status: number,
    options: { reason?: string; headers?: readonly SipHeader[]; warning?: string },
  ): void {
    this.#stats.rejected++;
    this.#reply(tx, request, status, options);
  }

  #reply(
    tx: ServerTransaction,
    request: SipRequest,
    status: number,
    options: { reason?: string; headers?: readonly SipHeader[]; toTag?: string; warning?: string } = {},
  ): void {
    let response: SipResponse;
    try {
      response = uasResponse(request, status, {
        server: this.#ctx.server,
        warnAgent: this.#ctx.warnAgent,
        ...options,
      });
    } catch {
      this.#stats.internalErrors++;
      return;
    }
    this.#respond(tx, response);
  }

  #respond(tx: ServerTransaction, response: SipResponse): void {
    try {
      tx.respond(response);
    } catch {
      // The transaction moved on (e.g. a final already sent): nothing to answer any more.
      this.#stats.internalErrors++;
    }
  }

  #send(message: SipMessage, destination: SipDestination): void {
    try {
      this.#options.send(message, destination);
    } catch {
      this.#stats.internalErrors++;
    }
  }

  #sendRequest(built: BuiltRequest, done: (response?: SipResponse) => void): void {
    let finished = false;
    const finish = (response?: SipResponse): void => {
      if (finished) return;
      finished = true;
      done(response);
    };
    try {
      this.#layer.sendRequest(built.request, routed(built.destination), {
        onResponse: (response) => {
          if (response.status >= 200) finish(response);
        },
        onTimeout: () => finish(),
      });
    } catch {
      // Transaction table full or a send that threw: the BYE is lost, the dialog is gone anyway.
      this.#stats.internalErrors++;
      finish();
    }
  }

  /** Where responses to `request` go (RFC 3261 §18.2.2): the connection, else the top Via. */
  #responseRoute(request: SipRequest, source: SipDestination): SipDestination {
    if ('connectionId' in source || source.transport !== 'udp') return source;
    try {
      const route = responseDestination(asViaHolder(request));
      return route ?? source;
    } catch {
      return source;
    }
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch {
      // RFC-conformant peers never get here; a hostile or broken one must not crash us.
      this.#stats.internalErrors++;
    }
  }
}

/** responseDestination reads only the Vias, which a request and its responses share (§8.2.6.2). */
function asViaHolder(request: SipRequest): SipResponse {
  return {
    kind: 'response',
    version: request.version,
    status: 100,
    reason: '',
    headers: request.headers,
    body: request.body,
  };
}
