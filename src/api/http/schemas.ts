import { z } from 'zod';
import type {
  ApiErrorBody,
  CallDetail,
  CallSummary,
  HangupResponse,
  HealthResponse,
  ListCallsResponse,
  ReadyResponse,
  TtsCachePurgeResponse,
} from '../contract/index.js';

/**
 * The zod schemas the HTTP layer validates requests with, and from which /openapi.json is
 * generated. Response schemas are documentation only (we do not re-validate our own output), but
 * the compile-time checks at the bottom keep them in step with the contract types.
 */
export const schemaRegistry = z.registry<{ id: string; description?: string }>();

function named<T extends z.ZodType>(schema: T, id: string, description?: string): T {
  schemaRegistry.add(schema, description === undefined ? { id } : { id, description });
  return schema;
}

const legRole = z.enum(['caller', 'agent', 'mixed', 'unknown']);
const isoTime = z.string().describe('ISO 8601 date-time');

export const apiErrorSchema = named(
  z.object({
    error: z.object({
      code: z.enum([
        'unauthorized',
        'bad_request',
        'not_found',
        'not_live',
        'conflict',
        'not_implemented',
        'internal',
      ]),
      message: z.string(),
    }),
  }),
  'ApiError',
  'Every non-2xx JSON response.',
);

export const callSummarySchema = named(
  z.object({
    id: z.string(),
    sipCallId: z.string(),
    kind: z.enum(['sip', 'siprec']),
    startedAt: isoTime,
    endedAt: isoTime.nullable(),
    endReason: z.string().nullable(),
    durationMs: z.number().nullable(),
    legs: z.number().int().describe('Number of legs.'),
    from: z.string().nullable().optional(),
    to: z.string().nullable().optional(),
  }),
  'CallSummary',
);

export const legRecordSchema = named(
  z.object({
    id: z.string(),
    role: legRole,
    label: z.string().nullable(),
    codec: z.string().describe('SDP encoding and clock rate, e.g. PCMU/8000.'),
    participant: z.object({ aor: z.string().nullable(), name: z.string().nullable() }).nullable(),
  }),
  'LegRecord',
);

export const transcriptSegmentSchema = named(
  z.object({
    seq: z.number().int(),
    legId: z.string(),
    role: legRole,
    text: z.string(),
    startMs: z.number().describe('Milliseconds from the start of the call.'),
    endMs: z.number(),
    confidence: z.number().nullable(),
    timestamp: isoTime,
  }),
  'TranscriptSegment',
);

export const dtmfRecordSchema = named(
  z.object({
    seq: z.number().int(),
    legId: z.string(),
    role: legRole,
    digit: z.string(),
    durationMs: z.number(),
    source: z.enum(['rfc4733', 'info']),
    atMs: z.number().describe('Milliseconds from the start of the call.'),
    timestamp: isoTime,
  }),
  'DtmfRecord',
);

export const callDetailSchema = named(
  callSummarySchema.extend({
    legs: z.array(legRecordSchema),
    transcript: z.array(transcriptSegmentSchema),
    dtmf: z.array(dtmfRecordSchema),
    metadata: z.unknown().describe('SIPREC recording metadata, or null.'),
  }),
  'CallDetail',
);

export const listCallsResponseSchema = named(
  z.object({
    calls: z.array(callSummarySchema),
    next: z.string().nullable().describe('Cursor for the next (older) page: pass it as `before`.'),
  }),
  'ListCallsResponse',
);

export const healthResponseSchema = named(z.object({ status: z.literal('ok') }), 'HealthResponse');
export const readyResponseSchema = named(
  z.object({ status: z.enum(['ready', 'draining']) }),
  'ReadyResponse',
);
export const hangupResponseSchema = named(
  z.object({ status: z.literal('hanging_up'), callId: z.string() }),
  'HangupResponse',
);
export const ttsCacheStatsSchema = named(
  z.record(z.string(), z.unknown()).describe('Cache statistics as the TTS cache reports them.'),
  'TtsCacheStats',
);
export const ttsCachePurgeResponseSchema = named(
  z.object({ removed: z.number().int() }),
  'TtsCachePurgeResponse',
);

const booleanText = z.enum(['true', 'false']);

/** GET /v1/calls query string. */
export const listCallsQuerySchema = z.strictObject({
  q: z.string().min(1).max(200).optional().describe('Full-text search over transcripts.'),
  from: z.iso.datetime({ offset: true }).optional().describe('Calls started at or after this time.'),
  to: z.iso.datetime({ offset: true }).optional().describe('Calls started before this time.'),
  limit: z.coerce.number().int().min(1).max(500).optional().describe('Page size, default 50.'),
  before: z.string().min(1).max(200).optional().describe('Cursor: the `next` of the previous page.'),
  active: booleanText.optional().describe('true: only live calls; false: only ended calls.'),
});

export const callIdParamsSchema = z.strictObject({
  id: z.string().min(1).max(200).describe('Call id.'),
});

export const transcriptQuerySchema = z.strictObject({
  format: z
    .enum(['json', 'text', 'vtt'])
    .optional()
    .describe('json (default, a CallDetail), text (text/plain) or vtt (text/vtt, WebVTT).'),
});

/** /v1/events query string: the token is for browsers, which cannot set headers on a WebSocket. */
export const eventsQuerySchema = z.strictObject({
  token: z.string().optional().describe('API key, for clients that cannot send an Authorization header.'),
});

// Compile-time: each documented schema describes exactly what the contract says we send.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type SchemaChecks = [
  Assert<Same<z.infer<typeof callSummarySchema>, Omit<CallSummary, never>>>,
  Assert<Same<z.infer<typeof callDetailSchema>, Omit<CallDetail, never>>>,
  Assert<Same<z.infer<typeof listCallsResponseSchema>, Omit<ListCallsResponse, never>>>,
  Assert<Same<z.infer<typeof healthResponseSchema>, Omit<HealthResponse, never>>>,
  Assert<Same<z.infer<typeof readyResponseSchema>, Omit<ReadyResponse, never>>>,
  Assert<Same<z.infer<typeof hangupResponseSchema>, Omit<HangupResponse, never>>>,
  Assert<Same<z.infer<typeof ttsCachePurgeResponseSchema>, Omit<TtsCachePurgeResponse, never>>>,
  Assert<
    Same<z.infer<typeof apiErrorSchema>, { error: { code: ApiErrorBody['error']['code']; message: string } }>
  >,
];
