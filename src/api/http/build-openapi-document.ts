import { z } from 'zod';
import {
  apiErrorSchema,
  callDetailSchema,
  callIdParamsSchema,
  eventsQuerySchema,
  hangupResponseSchema,
  healthResponseSchema,
  listCallsQuerySchema,
  listCallsResponseSchema,
  readyResponseSchema,
  schemaRegistry,
  transcriptQuerySchema,
  ttsCachePurgeResponseSchema,
  ttsCacheStatsSchema,
} from './schemas.js';

type JsonObject = Record<string, unknown>;

export interface OpenApiDocumentOptions {
  readonly version: string;
  /** Whether GET /metrics is served without an API key. */
  readonly publicMetrics: boolean;
}

const ref = (schema: z.ZodType): JsonObject => {
  const meta = schemaRegistry.get(schema);
  if (meta === undefined) throw new Error('schema is not registered');
  return { $ref: `#/components/schemas/${meta.id}` };
};

function componentSchemas(): JsonObject {
  const generated = z.toJSONSchema(schemaRegistry, { uri: (id) => `#/components/schemas/${id}` }) as {
    schemas: Record<string, JsonObject>;
  };
  const schemas: JsonObject = {};
  for (const [id, schema] of Object.entries(generated.schemas)) {
    // OpenAPI 3.1 §4.8.24: component schemas are JSON Schema 2020-12, but `$schema`/`$id` on each
    // would make every $ref resolve against a different base; the document is the base.
    const { $schema: _schema, $id: _id, ...rest } = schema;
    schemas[id] = rest;
  }
  return schemas;
}

/** OpenAPI parameters (OpenAPI 3.1 §4.8.12) from a zod object of query or path fields. */
function parameters(object: z.ZodObject, location: 'query' | 'path'): JsonObject[] {
  return Object.entries(object.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const { $schema: _schema, description, ...schema } = z.toJSONSchema(field, { io: 'input' });
    const parameter: JsonObject = {
      name,
      in: location,
      required: location === 'path' || !field.safeParse(undefined).success,
      schema,
    };
    if (typeof description === 'string') parameter.description = description;
    return parameter;
  });
}

const json = (schema: z.ZodType, description: string): JsonObject => ({
  description,
  content: { 'application/json': { schema: ref(schema) } },
});

const errorResponse = (description: string): JsonObject => json(apiErrorSchema, description);

const unauthorized = errorResponse('Missing or wrong API key (`WWW-Authenticate: Bearer`).');

/**
 * The OpenAPI 3.1 document for every route createApiServer serves, generated from the same zod
 * schemas the routes validate with, so the two cannot drift apart.
 */
export function buildOpenApiDocument(options: OpenApiDocumentOptions): JsonObject {
  const bearer = [{ bearerAuth: [] }];
  const callId = parameters(callIdParamsSchema, 'path');
  return {
    openapi: '3.1.0',
    info: {
      title: 'voxbridge gateway API',
      version: options.version,
      description:
        'Calls, transcripts and live events of a voxbridge telephony speech gateway. Every route ' +
        'except /healthz, /readyz and /openapi.json needs `Authorization: Bearer <api key>`.',
    },
    security: bearer,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'One of the configured API keys.' },
      },
      schemas: componentSchemas(),
    },
    paths: {
      '/healthz': {
        get: {
          operationId: 'health',
          summary: 'Liveness: the process answers.',
          security: [],
          responses: { '200': json(healthResponseSchema, 'Alive.') },
        },
      },
      '/readyz': {
        get: {
          operationId: 'ready',
          summary: 'Readiness: 503 while the gateway drains calls before shutting down.',
          security: [],
          responses: {
            '200': json(readyResponseSchema, 'Accepting calls.'),
            '503': json(readyResponseSchema, 'Draining.'),
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          summary: 'Prometheus metrics, text exposition format.',
          ...(options.publicMetrics ? { security: [] } : {}),
          responses: {
            '200': { description: 'Metrics.', content: { 'text/plain': { schema: { type: 'string' } } } },
            ...(options.publicMetrics ? {} : { '401': unauthorized }),
            '501': errorResponse('No metrics registry configured.'),
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openapi',
          summary: 'This document.',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1 document.', content: { 'application/json': {} } } },
        },
      },
      '/v1/calls': {
        get: {
          operationId: 'listCalls',
          summary: 'List and search calls, newest first, a page at a time.',
          parameters: parameters(listCallsQuerySchema, 'query'),
          responses: {
            '200': json(listCallsResponseSchema, 'A page of calls.'),
            '400': errorResponse('Invalid query.'),
            '401': unauthorized,
          },
        },
      },
      '/v1/calls/{id}': {
        get: {
          operationId: 'getCall',
          summary: 'A call with its legs, final transcript segments per leg and DTMF.',
          parameters: callId,
          responses: {
            '200': json(callDetailSchema, 'The call.'),
            '401': unauthorized,
            '404': errorResponse('No such call.'),
          },
        },
        delete: {
          operationId: 'deleteCall',
          summary: 'Delete a call and everything recorded about it (privacy request).',
          parameters: callId,
          responses: {
            '204': { description: 'Deleted.' },
            '401': unauthorized,
            '404': errorResponse('No such call.'),
            '409': errorResponse('The call is still live: hang it up first.'),
          },
        },
      },
      '/v1/calls/{id}/transcript': {
        get: {
          operationId: 'getTranscript',
          summary: 'Export a call transcript as JSON, plain text or WebVTT.',
          parameters: [...callId, ...parameters(transcriptQuerySchema, 'query')],
          responses: {
            '200': {
              description: 'The transcript.',
              content: {
                'application/json': { schema: ref(callDetailSchema) },
                'text/plain': { schema: { type: 'string' } },
                'text/vtt': { schema: { type: 'string' } },
              },
            },
            '400': errorResponse('Unknown format.'),
            '401': unauthorized,
            '404': errorResponse('No such call.'),
          },
        },
      },
      '/v1/calls/{id}/hangup': {
        post: {
          operationId: 'hangupCall',
          summary: 'Hang up a live call (BYE to every leg); the call.ended event follows.',
          parameters: callId,
          responses: {
            '202': json(hangupResponseSchema, 'Hanging up.'),
            '401': unauthorized,
            '404': errorResponse('No live call with this id.'),
          },
        },
      },
      '/v1/tts/cache': {
        get: {
          operationId: 'ttsCacheStats',
          summary: 'TTS cache statistics.',
          responses: {
            '200': json(ttsCacheStatsSchema, 'Statistics.'),
            '401': unauthorized,
            '501': errorResponse('No TTS cache configured.'),
          },
        },
        delete: {
          operationId: 'ttsCachePurge',
          summary: 'Remove every entry from the TTS cache.',
          responses: {
            '200': json(ttsCachePurgeResponseSchema, 'Purged.'),
            '401': unauthorized,
            '501': errorResponse('No TTS cache configured.'),
          },
        },
      },
      '/v1/events': {
        get: {
          operationId: 'events',
          summary: 'WebSocket of live call events (RFC 6455 upgrade).',
          description:
            'Send `{"type":"subscribe","callId"?:string,"sinceSeq"?:number}`; the server answers ' +
            '`{"type":"subscribed","seq":n,"callId":...}`, then (with sinceSeq) every persisted event ' +
            'with a greater seq (no partials), then live events: call.started, leg.added, ' +
            'transcript.partial, transcript.final, transcript.gap, dtmf, call.ended, each with its `seq`. ' +
            '`{"type":"unsubscribe"}` stops them. A consumer that falls behind loses partials first ' +
            'and is closed with code 1013 past a bound. The key may be given as `?token=`.',
          parameters: parameters(eventsQuerySchema, 'query'),
          responses: {
            '101': { description: 'Switching protocols to WebSocket.' },
            '401': unauthorized,
          },
        },
      },
    },
  };
}
