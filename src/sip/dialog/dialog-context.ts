import type { SipHeader, SipMessage, SipRequest, SipResponse } from '../message/index.js';
import type { InviteServerTransaction, ServerTransaction, TimerScheduler } from '../transaction/index.js';
import type { BuiltRequest, DialogRequestState } from './build-in-dialog-request.js';
import type { RoutedDestination } from './routed-destination.js';
import type { SessionTimerDecision, SessionTimerPolicy } from './session-timer.js';
import { SipRejection } from './sip-rejection.js';
import type { SipUserAgentStats } from './sip-user-agent-stats.js';
import type { UasHandler } from './uas-handler.js';
import type { UasDialog } from './uas-dialog.js';

/** What a dialog needs from the user agent that owns it. */
export interface DialogContext {
  readonly scheduler: TimerScheduler;
  readonly handler: UasHandler;
  readonly stats: SipUserAgentStats;
  readonly server: string;
  /** The warn-agent of our Warning headers (RFC 3261 §20.43): our Contact host and port. */
  readonly warnAgent: string;
  readonly retryAfterS: number;
  readonly session: SessionTimerPolicy;
  readonly t1Ms: number;
  readonly t2Ms: number;
  /** Sends a response outside any transaction (2xx retransmissions, RFC 3261 §13.3.1.4). */
  send(message: SipMessage, destination: RoutedDestination): void;
  /** Runs a client transaction; `done` is called once with the final response or on timeout/failure. */
  sendRequest(built: BuiltRequest, done: (response?: SipResponse) => void): void;
  /** Responds through a transaction, never throwing. */
  respond(tx: ServerTransaction, response: SipResponse): void;
  /** onEnded is about to fire: the call no longer counts as active. */
  ended(dialog: UasDialog): void;
  /** The initial 2xx was ACKed (before onConfirmed): the dialog is established. */
  confirmed(dialog: UasDialog): void;
  /** The dialog is finished with: stop routing requests to it. */
  release(dialog: UasDialog): void;
}

export interface UasDialogInit {
  readonly invite: SipRequest;
  readonly tx: InviteServerTransaction;
  readonly callId: string;
  readonly remoteTag: string;
  readonly localTag: string;
  /** Where responses go (RFC 3261 §18.2.2). */
  readonly responseDestination: RoutedDestination;
  readonly request: DialogRequestState;
  readonly sessionTimer: SessionTimerDecision;
}

/** How a dialog is found from an incoming request: Call-ID, our tag, their tag (RFC 3261 §12). */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return JSON.stringify([callId, localTag, remoteTag]);
}

export function rejectionOf(error: unknown): {
  status: number;
  reason: string | undefined;
  headers: readonly SipHeader[];
  warning: string | undefined;
} {
  if (
    error instanceof SipRejection &&
    Number.isInteger(error.status) &&
    error.status >= 300 &&
    error.status <= 699
  ) {
    return { status: error.status, reason: error.reason, headers: error.headers, warning: error.warning };
  }
  // The cause stays in our logs; the peer learns only that it was not its fault.
  return { status: 500, reason: undefined, headers: [], warning: 'internal error while answering' };
}

/** Handler callbacks must never break the SIP machinery. */
export function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A throwing observer is the handler's bug; the dialog carries on.
  }
}
