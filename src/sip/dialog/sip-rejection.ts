import { VoxError } from '../../core/index.js';
import type { SipHeader } from '../message/index.js';

/**
 * Thrown by a UasHandler to answer an INVITE, re-INVITE or UPDATE with a final error response
 * (486 Busy Here, 488 Not Acceptable Here, 603 Decline, ...). A status outside 300..699 is
 * answered as 500, because a rejection cannot be a success or a provisional response.
 */
export class SipRejection extends VoxError {
  readonly status: number;
  readonly reason: string | undefined;
  readonly headers: readonly SipHeader[];
  /**
   * What was wrong, sent as the response's Warning (RFC 3261 §20.43) with our host as the agent;
   * default the reason phrase. A Warning among `headers` is sent as it is instead.
   */
  readonly warning: string | undefined;

  constructor(status: number, reason?: string, headers: readonly SipHeader[] = [], warning?: string) {
    super('SIP_REJECTION', `rejected with ${status}${reason === undefined ? '' : ` ${reason}`}`);
    this.name = 'SipRejection';
    this.status = status;
    this.reason = reason;
    this.headers = headers;
    this.warning = warning;
  }
}
