import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { HangupResponse, ListCallsQuery, ListCallsResponse, StoreLike } from '../contract/index.js';
import type { GatewayHooks } from './api-server-options.js';
import { callIdParamsSchema, listCallsQuerySchema, transcriptQuerySchema } from './schemas.js';
import { sendApiError } from './send-api-error.js';

const DEFAULT_PAGE_SIZE = 50;

const transcriptContentTypes = {
  json: 'application/json; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  // W3C WebVTT §8: the MIME type is text/vtt, always UTF-8.
  vtt: 'text/vtt; charset=utf-8',
} as const;

/** A one-line reason from a zod error, naming the field, without echoing the input. */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid request';
  const where = issue.path.length > 0 ? issue.path.join('.') : 'request';
  return `${where}: ${issue.message}`;
}

export function registerCallRoutes(app: FastifyInstance, store: StoreLike, gateway: GatewayHooks): void {
  app.get('/v1/calls', async (request, reply) => {
    const parsed = listCallsQuerySchema.safeParse(request.query);
    if (!parsed.success) return sendApiError(reply, 400, 'bad_request', describeIssue(parsed.error));
    const { q, from, to, limit, before, active } = parsed.data;
    const query: ListCallsQuery = {
      limit: limit ?? DEFAULT_PAGE_SIZE,
      ...(q === undefined ? {} : { text: q }),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      ...(before === undefined ? {} : { before }),
      ...(active === undefined ? {} : { active: active === 'true' }),
    };
    const page = store.listCalls(query);
    // A call the store still has open after a crash (kill -9 mid-call) is not live: only the
    // gateway knows what is in progress now.
    const live = active === 'true' ? new Set(gateway.activeCallIds()) : undefined;
    const body: ListCallsResponse = {
      calls: live === undefined ? page.calls : page.calls.filter((call) => live.has(call.id)),
      next: page.next,
    };
    return reply.send(body);
  });

  app.get('/v1/calls/:id', async (request, reply) => {
    const params = callIdParamsSchema.safeParse(request.params);
    if (!params.success) return sendApiError(reply, 400, 'bad_request', describeIssue(params.error));
    const call = store.getCall(params.data.id);
    if (call === undefined) return sendApiError(reply, 404, 'not_found', 'no such call');
    return reply.send(call);
  });

  app.get('/v1/calls/:id/transcript', async (request, reply) => {
    const params = callIdParamsSchema.safeParse(request.params);
    if (!params.success) return sendApiError(reply, 400, 'bad_request', describeIssue(params.error));
    const query = transcriptQuerySchema.safeParse(request.query);
    if (!query.success) return sendApiError(reply, 400, 'bad_request', describeIssue(query.error));
    const format = query.data.format ?? 'json';
    const body = store.exportTranscript(params.data.id, format);
    if (body === undefined) return sendApiError(reply, 404, 'not_found', 'no such call');
    return reply.code(200).type(transcriptContentTypes[format]).send(body);
  });

  app.delete('/v1/calls/:id', async (request, reply) => {
    const params = callIdParamsSchema.safeParse(request.params);
    if (!params.success) return sendApiError(reply, 400, 'bad_request', describeIssue(params.error));
    // Deleting a live call would leave later events of it writing rows for a call that is gone.
    if (gateway.activeCallIds().includes(params.data.id)) {
      return sendApiError(reply, 409, 'conflict', 'the call is live: hang it up first');
    }
    if (!store.deleteCall(params.data.id)) return sendApiError(reply, 404, 'not_found', 'no such call');
    return reply.code(204).send();
  });

  app.post('/v1/calls/:id/hangup', async (request, reply) => {
    const params = callIdParamsSchema.safeParse(request.params);
    if (!params.success) return sendApiError(reply, 400, 'bad_request', describeIssue(params.error));
    if (!(await gateway.hangup(params.data.id))) {
      return sendApiError(reply, 404, 'not_live', 'no live call with this id');
    }
    const body: HangupResponse = { status: 'hanging_up', callId: params.data.id };
    return reply.code(202).send(body);
  });
}
