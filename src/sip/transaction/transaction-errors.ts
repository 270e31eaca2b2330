import { VoxError } from '../../core/index.js';

/** A transaction gave up: Timer B/F (no response) or Timer H (no ACK for a final response). */
export class TransactionTimeoutError extends VoxError {
  constructor(
    message: string,
    readonly timer: 'B' | 'F' | 'H',
  ) {
    super('SIP_TRANSACTION_TIMEOUT', message);
    this.name = 'TransactionTimeoutError';
  }
}

/** The TU asked a transaction for something its state does not allow (a response after a final). */
export class TransactionStateError extends VoxError {
  constructor(message: string) {
    super('SIP_TRANSACTION_STATE', message);
    this.name = 'TransactionStateError';
  }
}

/** The layer already holds its maximum number of transactions. */
export class TransactionLimitError extends VoxError {
  constructor(limit: number) {
    super('SIP_TRANSACTION_LIMIT', `transaction limit of ${limit} reached`);
    this.name = 'TransactionLimitError';
  }
}
