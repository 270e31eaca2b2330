import type { SequencedEvent } from './wire-types.js';

/** Client → server on /v1/events. */
export type WsClientMessage = WsSubscribeMessage | WsUnsubscribeMessage;

export interface WsSubscribeMessage {
  readonly type: 'subscribe';
  /** Only this call's events; all calls when absent. */
  readonly callId?: string;
  /**
   * Resume: first replay every persisted event (finals, dtmf, lifecycle — never partials) with
   * seq > sinceSeq, then live events, with no gap or duplicate between the two.
   */
  readonly sinceSeq?: number;
}

export interface WsUnsubscribeMessage {
  readonly type: 'unsubscribe';
}

/** Server → client: every event as it is, `type` being the event type, plus its seq. */
export type WsEventMessage = SequencedEvent;

/**
 * Sent once a subscribe is in place. `seq` is the hub's latest seq at that moment: replayed events
 * (if sinceSeq was given) and then live ones follow with seq > sinceSeq.
 */
export interface WsSubscribedMessage {
  readonly type: 'subscribed';
  readonly seq: number;
  readonly callId: string | null;
}

export interface WsUnsubscribedMessage {
  readonly type: 'unsubscribed';
}

export type WsErrorCode = 'bad_message' | 'internal';

export interface WsErrorMessage {
  readonly type: 'error';
  readonly code: WsErrorCode;
  readonly message: string;
}

export type WsServerMessage = WsEventMessage | WsSubscribedMessage | WsUnsubscribedMessage | WsErrorMessage;

/** Close code for a consumer that fell too far behind (RFC 6455 §7.4.1 registry: 1013 Try Again Later). */
export const WS_CLOSE_SLOW_CONSUMER = 1013;
/** Close code when the server shuts down (RFC 6455 §7.4.1: 1001 Going Away). */
export const WS_CLOSE_GOING_AWAY = 1001;
/** Close code for a policy violation, e.g. a client message too large (RFC 6455 §7.4.1: 1008). */
export const WS_CLOSE_POLICY = 1008;
