export { createTimerScheduler } from './timer-scheduler.js';
export type { TimerHandle, TimerScheduler } from './timer-scheduler.js';
export { DEFAULT_TRANSACTION_TIMERS, resolveTransactionTimers, isReliable } from './transaction-timers.js';
export type { TransactionTimers, SipDestination } from './transaction-timers.js';
export {
  TransactionTimeoutError,
  TransactionStateError,
  TransactionLimitError,
} from './transaction-errors.js';
export { MAGIC_COOKIE, serverTransactionKey, clientTransactionKey } from './transaction-key.js';
export {
  InviteServerTransaction,
  NonInviteServerTransaction,
  TRYING_DELAY_MS,
} from './server-transaction.js';
export type { ServerTransaction, ServerTransactionState } from './server-transaction.js';
export { InviteClientTransaction, NonInviteClientTransaction } from './client-transaction.js';
export type {
  ClientTransaction,
  ClientTransactionState,
  ClientTransactionHandlers,
} from './client-transaction.js';
export { buildAck } from './build-ack.js';
export { TransactionLayer, newBranch } from './transaction-layer.js';
export type { TransactionLayerOptions, TransactionLayerStats } from './transaction-layer.js';
