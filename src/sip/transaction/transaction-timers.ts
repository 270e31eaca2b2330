import { InvalidArgumentError } from '../../core/index.js';

/** RFC 3261 §17.1.1.1 / Table 4 base values; every other timer derives from these. */
export interface TransactionTimers {
  /** RTT estimate (default 500 ms). */
  readonly t1Ms: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses (default 4 s). */
  readonly t2Ms: number;
  /** Maximum time a message remains in the network (default 5 s). */
  readonly t4Ms: number;
}

export const DEFAULT_TRANSACTION_TIMERS: TransactionTimers = { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 };

export function resolveTransactionTimers(partial: Partial<TransactionTimers> = {}): TransactionTimers {
  const timers = { ...DEFAULT_TRANSACTION_TIMERS, ...partial };
  for (const [name, value] of Object.entries(timers)) {
    if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(`${name} must be > 0`);
  }
  if (timers.t2Ms < timers.t1Ms) throw new InvalidArgumentError('t2Ms must be >= t1Ms');
  return timers;
}

/** Where a message goes or came from. The transport layer owns sockets; this is only an address. */
export interface SipDestination {
  /** UDP, TCP, TLS, WS, ... as in Via. */
  readonly transport: string;
  readonly host: string;
  readonly port: number;
}

/** RFC 3261 §17: only unreliable transports retransmit; UDP is the one we speak. */
export function isReliable(destination: SipDestination): boolean {
  return destination.transport.toUpperCase() !== 'UDP';
}
