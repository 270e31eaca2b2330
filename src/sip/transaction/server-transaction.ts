import type { SipMessage, SipRequest, SipResponse } from '../message/index.js';
import { createResponse, getTo, headerKey } from '../message/index.js';
import { NamedTimers } from './named-timers.js';
import { TransactionStateError, TransactionTimeoutError } from './transaction-errors.js';
import type { SipDestination, TransactionTimers } from './transaction-timers.js';
import { isReliable } from './transaction-timers.js';
import type { TimerScheduler } from './timer-scheduler.js';

export type ServerTransactionState =
  'trying' | 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

/** What a server transaction needs from the layer that owns it. */
export interface ServerTransactionContext {
  readonly scheduler: TimerScheduler;
  readonly timers: TransactionTimers;
  send(message: SipMessage, destination: SipDestination): void;
  /** Timer H fired: the final response was never acknowledged. */
  onTimeout(tx: ServerTransaction, error: TransactionTimeoutError): void;
  onTerminated(tx: ServerTransaction): void;
}

/** How long the INVITE server transaction waits for the TU before sending 100 Trying itself. */
export const TRYING_DELAY_MS = 200;

/** RFC 3261 §8.2.6.2: the request headers a response copies, and all a transaction keeps. */
const KEPT_HEADERS = new Set(['via', 'from', 'to', 'call-id', 'cseq']);
const NO_BODY = new Uint8Array(0);

/**
 * What a transaction keeps of its request for up to 64·T1 (32 s): the start line and the headers
 * a response copies, without the body. A parsed body is a view into the whole datagram, so
 * keeping the request as received would pin every byte a peer sent (up to 64 KB each) for the
 * life of the transaction; the TU got the full request when the transaction was created.
 */
function slimRequest(request: SipRequest): SipRequest {
  return {
    kind: 'request',
    version: request.version,
    method: request.method,
    uri: request.uri,
    headers: request.headers.filter((h) => KEPT_HEADERS.has(headerKey(h.name))),
    body: NO_BODY,
  };
}

abstract class ServerTransactionBase {
  protected currentState: ServerTransactionState;
  protected last: SipResponse | undefined;
  protected readonly timers: NamedTimers;
  protected readonly reliable: boolean;

  /** The request's start line and the headers responses copy (never its body); see slimRequest. */
  readonly request: SipRequest;

  constructor(
    readonly key: string,
    request: SipRequest,
    /** Where the request came from; responses go back there. */
    readonly source: SipDestination,
    protected readonly ctx: ServerTransactionContext,
    initial: ServerTransactionState,
  ) {
    this.request = slimRequest(request);
    this.currentState = initial;
    this.timers = new NamedTimers(ctx.scheduler);
    this.reliable = isReliable(source);
  }

  get state(): ServerTransactionState {
    return this.currentState;
  }

  /** The most recent response sent (provisional or final). */
  get lastResponse(): SipResponse | undefined {
    return this.last;
  }

  protected transmit(response: SipResponse): void {
    this.last = response;
    this.ctx.send(response, this.source);
  }

  protected resendLast(): void {
    if (this.last !== undefined) this.ctx.send(this.last, this.source);
  }

  /** Stops every timer and lets the layer forget the transaction. Idempotent. */
  terminate(): void {
    if (this.currentState === 'terminated') return;
    this.currentState = 'terminated';
    this.timers.stopAll();
    this.ctx.onTerminated(this as unknown as ServerTransaction);
  }

  protected afterDelay(name: string, delayMs: number): void {
    if (delayMs <= 0) this.terminate();
    else this.timers.start(name, delayMs, () => this.terminate());
  }
}

/** RFC 3261 §17.2.1 with the RFC 6026 Accepted state. */
export class InviteServerTransaction extends ServerTransactionBase {
  readonly kind = 'invite' as const;

  constructor(key: string, request: SipRequest, source: SipDestination, ctx: ServerTransactionContext) {
    super(key, request, source, ctx, 'proceeding');
    // RFC 3261 §17.2.1: send 100 Trying ourselves unless the TU answers within 200 ms.
    this.timers.start('trying', TRYING_DELAY_MS, () => {
      if (this.currentState === 'proceeding' && this.last === undefined) {
        this.transmit(createResponse(this.request, 100));
      }
    });
  }

  respond(response: SipResponse): void {
    const { t1Ms, t2Ms } = this.ctx.timers;
    if (this.currentState === 'accepted' && response.status >= 200 && response.status < 300) {
      // RFC 6026 §7.1: the TU retransmits its 2xx through the Accepted transaction.
      this.transmit(response);
      return;
    }
    if (this.currentState !== 'proceeding') {
      throw new TransactionStateError(`cannot send ${response.status} in state ${this.currentState}`);
    }
    this.timers.stop('trying');
    this.transmit(response);
    if (response.status < 200) return;
    if (response.status < 300) {
      // RFC 6026 §7.1: a 2xx moves to Accepted; Timer L absorbs INVITE retransmissions meanwhile.
      this.currentState = 'accepted';
      this.afterDelay('L', 64 * t1Ms);
      return;
    }
    // RFC 3261 §17.2.1: a 300-699 moves to Completed.
    this.currentState = 'completed';
    if (!this.reliable) {
      const retransmit = (intervalMs: number): void => {
        this.timers.start('G', intervalMs, () => {
          this.resendLast();
          retransmit(Math.min(2 * intervalMs, t2Ms));
        });
      };
      retransmit(Math.min(t1Ms, t2Ms));
    }
    this.timers.start('H', 64 * t1Ms, () => {
      const error = new TransactionTimeoutError('no ACK for the final response (Timer H)', 'H');
      this.terminate();
      this.ctx.onTimeout(this, error);
    });
  }

  /**
   * A retransmitted INVITE or an ACK that matched this transaction. Returns false when the
   * request is not absorbed and belongs to the TU (an ACK in Accepted, RFC 6026 §7.1).
   */
  receiveRequest(request: SipRequest): boolean {
    if (request.method === 'ACK') {
      if (this.currentState === 'accepted') return false;
      if (this.currentState === 'completed') {
        // RFC 3261 §17.2.1: ACK stops G and H; Timer I absorbs further ACKs.
        this.currentState = 'confirmed';
        this.timers.stop('G');
        this.timers.stop('H');
        this.afterDelay('I', this.reliable ? 0 : this.ctx.timers.t4Ms);
      }
      return true;
    }
    // A retransmitted INVITE gets the most recent response again, whatever the state.
    if (
      this.currentState === 'proceeding' ||
      this.currentState === 'completed' ||
      this.currentState === 'accepted'
    ) {
      this.resendLast();
    }
    return true;
  }

  /** The To tag of the final response, which an RFC 2543 ACK must carry. */
  get responseToTag(): string | undefined {
    return this.last === undefined ? undefined : getTo(this.last).tag;
  }
}

/** RFC 3261 §17.2.2. */
export class NonInviteServerTransaction extends ServerTransactionBase {
  readonly kind = 'non-invite' as const;

  constructor(key: string, request: SipRequest, source: SipDestination, ctx: ServerTransactionContext) {
    super(key, request, source, ctx, 'trying');
  }

  respond(response: SipResponse): void {
    if (this.currentState !== 'trying' && this.currentState !== 'proceeding') {
      throw new TransactionStateError(`cannot send ${response.status} in state ${this.currentState}`);
    }
    this.transmit(response);
    if (response.status < 200) {
      this.currentState = 'proceeding';
      return;
    }
    // RFC 3261 §17.2.2: Timer J (64·T1 unreliable, 0 reliable) absorbs request retransmissions.
    this.currentState = 'completed';
    this.afterDelay('J', this.reliable ? 0 : 64 * this.ctx.timers.t1Ms);
  }

  /** RFC 3261 §17.2.2: retransmissions are dropped in Trying and answered with the last response after. */
  receiveRequest(_request: SipRequest): boolean {
    if (this.currentState === 'proceeding' || this.currentState === 'completed') this.resendLast();
    return true;
  }
}

export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;
