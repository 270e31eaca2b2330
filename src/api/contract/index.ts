export { EVENT_TYPES } from './wire-types.js';
export type { StoreLike } from './store-like.js';
export type {
  CallEndedEvent,
  CallStartedEvent,
  DtmfCallEvent,
  LegAddedEvent,
  LegRoleSource,
  TranscriptEvent,
} from '../../session/index.js';
export type {
  CallDetail,
  CallEvent,
  CallSummary,
  DtmfRecord,
  EventType,
  LegParticipantRecord,
  LegRecord,
  LegRole,
  ListCallsQuery,
  ListCallsResult,
  SequencedEvent,
  TranscriptFormat,
  TranscriptSegment,
} from './wire-types.js';
export type {
  ApiErrorBody,
  ApiErrorCode,
  CallDetailResponse,
  HangupResponse,
  HealthResponse,
  ListCallsResponse,
  ReadyResponse,
  TranscriptJsonResponse,
  TtsCachePurgeResponse,
} from './rest-types.js';
export { WS_CLOSE_GOING_AWAY, WS_CLOSE_POLICY, WS_CLOSE_SLOW_CONSUMER } from './ws-messages.js';
export type {
  WsClientMessage,
  WsErrorCode,
  WsErrorMessage,
  WsEventMessage,
  WsServerMessage,
  WsSubscribedMessage,
  WsSubscribeMessage,
  WsUnsubscribedMessage,
  WsUnsubscribeMessage,
} from './ws-messages.js';
