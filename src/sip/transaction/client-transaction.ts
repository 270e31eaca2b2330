import type { SipMessage, SipRequest, SipResponse } from '../message/index.js';
import { buildAck } from './build-ack.js';
import { NamedTimers } from './named-timers.js';
import { TransactionTimeoutError } from './transaction-errors.js';
import type { SipDestination, TransactionTimers } from './transaction-timers.js';
import { isReliable } from './transaction-timers.js';
import type { TimerScheduler } from './timer-scheduler.js';

export type ClientTransactionState =
  'calling' | 'trying' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

/** How the sender of a request hears about it. */
export interface ClientTransactionHandlers {
  /** Every response passed up: provisionals, the final, and (INVITE) retransmitted 2xx. */
  onResponse?(response: SipResponse): void;
  /** Timer B or F: no final response arrived. */
  onTimeout?(error: TransactionTimeoutError): void;
}

export interface ClientTransactionContext {
  readonly scheduler: TimerScheduler;
  readonly timers: TransactionTimers;
  send(message: SipMessage, destination: SipDestination): void;
  onTerminated(tx: ClientTransaction): void;
}

/** RFC 6026 Timer D lower bound for unreliable transports: 32 s. */
const TIMER_D_MS = 32_000;

abstract class ClientTransactionBase {
  protected currentState: ClientTransactionState;
  protected readonly timers: NamedTimers;
  protected readonly reliable: boolean;

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly destination: SipDestination,
    protected readonly ctx: ClientTransactionContext,
    protected readonly handlers: ClientTransactionHandlers,
    initial: ClientTransactionState,
  ) {
    this.currentState = initial;
    this.timers = new NamedTimers(ctx.scheduler);
    this.reliable = isReliable(destination);
  }

  get state(): ClientTransactionState {
    return this.currentState;
  }

  terminate(): void {
    if (this.currentState === 'terminated') return;
    this.currentState = 'terminated';
    this.timers.stopAll();
    this.ctx.onTerminated(this as unknown as ClientTransaction);
  }

  protected afterDelay(name: string, delayMs: number): void {
    if (delayMs <= 0) this.terminate();
    else this.timers.start(name, delayMs, () => this.terminate());
  }

  protected timeout(timer: 'B' | 'F'): void {
    this.terminate();
    this.handlers.onTimeout?.(new TransactionTimeoutError(`no final response (Timer ${timer})`, timer));
  }
}

/** RFC 3261 §17.1.2. */
export class NonInviteClientTransaction extends ClientTransactionBase {
  readonly kind = 'non-invite' as const;

  constructor(
    key: string,
    request: SipRequest,
    destination: SipDestination,
    ctx: ClientTransactionContext,
    handlers: ClientTransactionHandlers,
  ) {
    super(key, request, destination, ctx, handlers, 'trying');
    const { t1Ms, t2Ms } = ctx.timers;
    ctx.send(request, destination);
    if (!this.reliable) {
      // Timer E doubles up to T2 in Trying and stays at T2 once a provisional arrived.
      const retransmit = (intervalMs: number): void => {
        this.timers.start('E', intervalMs, () => {
          this.ctx.send(this.request, this.destination);
          retransmit(this.currentState === 'trying' ? Math.min(2 * intervalMs, t2Ms) : t2Ms);
        });
      };
      retransmit(Math.min(t1Ms, t2Ms));
    }
    this.timers.start('F', 64 * t1Ms, () => this.timeout('F'));
  }

  receiveResponse(response: SipResponse): void {
    if (this.currentState !== 'trying' && this.currentState !== 'proceeding') return;
    if (response.status < 200) {
      this.currentState = 'proceeding';
      this.handlers.onResponse?.(response);
      return;
    }
    // RFC 3261 §17.1.2.2: Timer K (T4 unreliable, 0 reliable) absorbs final retransmissions.
    this.currentState = 'completed';
    this.timers.stop('E');
    this.timers.stop('F');
    this.handlers.onResponse?.(response);
    this.afterDelay('K', this.reliable ? 0 : this.ctx.timers.t4Ms);
  }
}

/** RFC 3261 §17.1.1 with the RFC 6026 Accepted state. */
export class InviteClientTransaction extends ClientTransactionBase {
  readonly kind = 'invite' as const;
  private ack: SipRequest | undefined;

  constructor(
    key: string,
    request: SipRequest,
    destination: SipDestination,
    ctx: ClientTransactionContext,
    handlers: ClientTransactionHandlers,
  ) {
    super(key, request, destination, ctx, handlers, 'calling');
    const { t1Ms } = ctx.timers;
    ctx.send(request, destination);
    if (!this.reliable) {
      // RFC 3261 §17.1.1.2: Timer A doubles without a cap until Timer B ends the transaction.
      const retransmit = (intervalMs: number): void => {
        this.timers.start('A', intervalMs, () => {
          this.ctx.send(this.request, this.destination);
          retransmit(2 * intervalMs);
        });
      };
      retransmit(t1Ms);
    }
    this.timers.start('B', 64 * t1Ms, () => this.timeout('B'));
  }

  /** The ACK this transaction sent for a non-2xx final, if any. */
  get ackRequest(): SipRequest | undefined {
    return this.ack;
  }

  receiveResponse(response: SipResponse): void {
    const { status } = response;
    switch (this.currentState) {
      case 'calling':
      case 'proceeding':
        this.timers.stop('A');
        this.timers.stop('B');
        if (status < 200) {
          this.currentState = 'proceeding';
          this.handlers.onResponse?.(response);
        } else if (status < 300) {
          // RFC 6026 §8.4: Accepted passes further 2xx up for Timer M; the TU sends the ACK.
          this.currentState = 'accepted';
          this.handlers.onResponse?.(response);
          this.afterDelay('M', 64 * this.ctx.timers.t1Ms);
        } else {
          // RFC 3261 §17.1.1.2: the transaction ACKs 300-699 itself; Timer D absorbs retransmissions.
          this.currentState = 'completed';
          this.ack = buildAck(this.request, response);
          this.ctx.send(this.ack, this.destination);
          this.handlers.onResponse?.(response);
          this.afterDelay('D', this.reliable ? 0 : TIMER_D_MS);
        }
        return;
      case 'completed':
        if (status >= 300 && this.ack !== undefined) this.ctx.send(this.ack, this.destination);
        return;
      case 'accepted':
        if (status >= 200 && status < 300) this.handlers.onResponse?.(response);
        return;
      default:
        return;
    }
  }
}

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
