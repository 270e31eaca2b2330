import type { CallDetail, CallSummary } from './wire-types.js';

/** Every non-2xx JSON response has this body. */
export interface ApiErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string };
}

export type ApiErrorCode =
  'unauthorized' | 'bad_request' | 'not_found' | 'not_live' | 'conflict' | 'not_implemented' | 'internal';

/** GET /healthz */
export interface HealthResponse {
  readonly status: 'ok';
}

/** GET /readyz: 200 `ready`, 503 `draining`. */
export interface ReadyResponse {
  readonly status: 'ready' | 'draining';
}

/** GET /v1/calls */
export interface ListCallsResponse {
  readonly calls: CallSummary[];
  readonly next: string | null;
}

/** GET /v1/calls/:id */
export type CallDetailResponse = CallDetail;

/** POST /v1/calls/:id/hangup (202) */
export interface HangupResponse {
  readonly status: 'hanging_up';
  readonly callId: string;
}

/**
 * GET /v1/calls/:id/transcript?format=json: the store's JSON export, a CallDetail. The text and
 * vtt formats are text/plain and text/vtt bodies.
 */
export type TranscriptJsonResponse = CallDetail;

/** DELETE /v1/tts/cache */
export interface TtsCachePurgeResponse {
  readonly removed: number;
}
