import type { FastifyReply } from 'fastify';
import type { ApiErrorBody, ApiErrorCode } from '../contract/index.js';

/** Every error response has the same shape: `{ error: { code, message } }`. */
export function sendApiError(
  reply: FastifyReply,
  status: number,
  code: ApiErrorCode,
  message: string,
): FastifyReply {
  const body: ApiErrorBody = { error: { code, message } };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}
