import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, ParseError } from '../../core/index.js';
import type { SipMessage, SipRequest, SipResponse } from '../message/index.js';
import { createResponse, getTo } from '../message/index.js';
import type {
  ClientTransaction,
  ClientTransactionContext,
  ClientTransactionHandlers,
} from './client-transaction.js';
import { InviteClientTransaction, NonInviteClientTransaction } from './client-transaction.js';
import type { ServerTransaction, ServerTransactionContext } from './server-transaction.js';
import { InviteServerTransaction, NonInviteServerTransaction } from './server-transaction.js';
import { TransactionLimitError } from './transaction-errors.js';
import type { TransactionTimeoutError } from './transaction-errors.js';
import { clientTransactionKey, hasRfc3261Branch, serverTransactionKey } from './transaction-key.js';
import type { SipDestination, TransactionTimers } from './transaction-timers.js';
import { resolveTransactionTimers } from './transaction-timers.js';
import type { TimerScheduler } from './timer-scheduler.js';

export interface TransactionLayerOptions {
  /** Hands a message to the transport layer; no sockets here. */
  send(message: SipMessage, destination: SipDestination): void;
  readonly scheduler: TimerScheduler;
  /** The TU: a request that created a new server transaction. Answer through `tx.respond`. */
  onRequest(request: SipRequest, tx: ServerTransaction, source: SipDestination): void;
  /** An ACK that belongs to the TU: no transaction (ACK for a 2xx) or an Accepted one. */
  onAck?(ack: SipRequest, source: SipDestination): void;
  /** Timer H fired on an INVITE server transaction. */
  onServerTimeout?(tx: ServerTransaction, error: TransactionTimeoutError): void;
  /** A response no client transaction matches (RFC 3261 §17.1.3: goes to the core). */
  onStrayResponse?(response: SipResponse, source: SipDestination): void;
  readonly timers?: Partial<TransactionTimers>;
  /** Server plus client transactions held at once; beyond it requests get a stateless 503. */
  readonly maxTransactions?: number;
}

export interface TransactionLayerStats {
  /** Requests answered 503 because the layer was full. */
  rejected: number;
  /** Messages dropped because the transaction headers could not be read. */
  dropped: number;
}

const DEFAULT_MAX_TRANSACTIONS = 10_000;

/**
 * RFC 3261 §17: routes incoming messages to their transactions, creates server transactions
 * for new requests, and runs client transactions for requests we send.
 */
export class TransactionLayer {
  readonly timers: TransactionTimers;
  readonly stats: TransactionLayerStats = { rejected: 0, dropped: 0 };
  private readonly maxTransactions: number;
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly serverCtx: ServerTransactionContext;
  private readonly clientCtx: ClientTransactionContext;

  constructor(private readonly options: TransactionLayerOptions) {
    this.timers = resolveTransactionTimers(options.timers);
    this.maxTransactions = options.maxTransactions ?? DEFAULT_MAX_TRANSACTIONS;
    if (!Number.isInteger(this.maxTransactions) || this.maxTransactions < 1) {
      throw new InvalidArgumentError('maxTransactions must be a positive integer');
    }
    const send = (message: SipMessage, destination: SipDestination): void =>
      options.send(message, destination);
    this.serverCtx = {
      scheduler: options.scheduler,
      timers: this.timers,
      send,
      onTimeout: (tx, error) => options.onServerTimeout?.(tx, error),
      onTerminated: (tx) => {
        if (this.servers.get(tx.key) === tx) this.servers.delete(tx.key);
      },
    };
    this.clientCtx = {
      scheduler: options.scheduler,
      timers: this.timers,
      send,
      onTerminated: (tx) => {
        if (this.clients.get(tx.key) === tx) this.clients.delete(tx.key);
      },
    };
  }

  /** Live transactions, server and client. */
  get size(): number {
    return this.servers.size + this.clients.size;
  }

  receive(message: SipMessage, source: SipDestination): void {
    try {
      if (message.kind === 'request') this.receiveRequest(message, source);
      else this.receiveResponse(message, source);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      this.stats.dropped++;
    }
  }

  /** RFC 3261 §9.2: the INVITE server transaction a CANCEL refers to, if it is still there. */
  findInviteFor(cancel: SipRequest): InviteServerTransaction | undefined {
    const tx = this.servers.get(serverTransactionKey(cancel, 'INVITE'));
    return tx?.kind === 'invite' ? tx : undefined;
  }

  /**
   * Starts a client transaction. The request's top Via must carry a branch with the RFC 3261
   * magic cookie (see `newBranch`); the transaction sends the request at once.
   */
  sendRequest(
    request: SipRequest,
    destination: SipDestination,
    handlers: ClientTransactionHandlers = {},
  ): ClientTransaction {
    if (request.method === 'ACK') throw new InvalidArgumentError('ACK is sent without a transaction');
    if (!hasRfc3261Branch(request)) throw new InvalidArgumentError('top Via needs a z9hG4bK branch');
    if (this.size >= this.maxTransactions) throw new TransactionLimitError(this.maxTransactions);
    const key = clientTransactionKey(request);
    if (this.clients.has(key)) throw new InvalidArgumentError('a client transaction with this branch exists');
    const tx =
      request.method === 'INVITE'
        ? new InviteClientTransaction(key, request, destination, this.clientCtx, handlers)
        : new NonInviteClientTransaction(key, request, destination, this.clientCtx, handlers);
    // A reliable transport can finish a transaction inside its constructor only on a response,
    // which cannot have arrived yet, so registering afterwards is safe.
    this.clients.set(key, tx);
    return tx;
  }

  private receiveRequest(request: SipRequest, source: SipDestination): void {
    const key = serverTransactionKey(request);
    const existing = this.servers.get(key);
    if (existing !== undefined && this.ackMatches(request, existing)) {
      if (!existing.receiveRequest(request)) this.options.onAck?.(request, source);
      return;
    }
    if (request.method === 'ACK') {
      // RFC 3261 §17.2.3 / RFC 6026: an ACK matching no transaction is the ACK for a 2xx.
      this.options.onAck?.(request, source);
      return;
    }
    if (this.size >= this.maxTransactions) {
      // Overload: answer statelessly so the peer backs off instead of retransmitting into us.
      this.stats.rejected++;
      const response = createResponse(request, 503, undefined, {
        toTag: randomBytes(6).toString('hex'),
        headers: [
          { name: 'Retry-After', value: '5' },
          // RFC 3261 §20.43: every 4xx/5xx of ours says what was wrong.
          { name: 'Warning', value: '399 voxbridge "transaction table full"' },
        ],
      });
      this.options.send(response, source);
      return;
    }
    const tx =
      request.method === 'INVITE'
        ? new InviteServerTransaction(key, request, source, this.serverCtx)
        : new NonInviteServerTransaction(key, request, source, this.serverCtx);
    this.servers.set(key, tx);
    this.options.onRequest(request, tx, source);
  }

  /** RFC 3261 §17.2.3: an RFC 2543 ACK must also carry the To tag of the response it acknowledges. */
  private ackMatches(request: SipRequest, tx: ServerTransaction): boolean {
    if (request.method !== 'ACK' || tx.kind !== 'invite' || hasRfc3261Branch(request)) return true;
    return getTo(request).tag === tx.responseToTag;
  }

  private receiveResponse(response: SipResponse, source: SipDestination): void {
    const tx = this.clients.get(clientTransactionKey(response));
    if (tx === undefined) this.options.onStrayResponse?.(response, source);
    else tx.receiveResponse(response);
  }
}

/** A fresh RFC 3261 branch: the magic cookie plus 96 random bits. */
export function newBranch(): string {
  return `z9hG4bK${randomBytes(12).toString('base64url')}`;
}
