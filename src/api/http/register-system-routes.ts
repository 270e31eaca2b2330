import type { FastifyInstance } from 'fastify';
import type { HealthResponse, ReadyResponse, TtsCachePurgeResponse } from '../contract/index.js';
import type { GatewayHooks, MetricsSource, TtsCacheHooks } from './api-server-options.js';
import { sendApiError } from './send-api-error.js';

export interface SystemRouteDeps {
  readonly gateway: GatewayHooks;
  readonly metrics: MetricsSource | undefined;
  readonly publicMetrics: boolean;
  readonly ttsCache: TtsCacheHooks | undefined;
  readonly openApiDocument: Record<string, unknown>;
}

/** Health, readiness, metrics, the OpenAPI document and the TTS cache. */
export function registerSystemRoutes(app: FastifyInstance, deps: SystemRouteDeps): void {
  const { gateway, metrics, ttsCache } = deps;

  app.get('/healthz', { config: { public: true } }, async (_request, reply) => {
    const body: HealthResponse = { status: 'ok' };
    return reply.send(body);
  });

  app.get('/readyz', { config: { public: true } }, async (_request, reply) => {
    const ready = gateway.ready();
    const body: ReadyResponse = { status: ready ? 'ready' : 'draining' };
    return reply.code(ready ? 200 : 503).send(body);
  });

  app.get('/metrics', { config: { public: deps.publicMetrics } }, async (_request, reply) => {
    if (metrics === undefined) return sendApiError(reply, 501, 'not_implemented', 'no metrics configured');
    const text = await metrics.render();
    return reply.code(200).type(metrics.contentType).send(text);
  });

  const openApiJson = JSON.stringify(deps.openApiDocument);
  app.get('/openapi.json', { config: { public: true } }, async (_request, reply) => {
    return reply.code(200).type('application/json; charset=utf-8').send(openApiJson);
  });

  app.get('/v1/tts/cache', async (_request, reply) => {
    if (ttsCache === undefined) return sendApiError(reply, 501, 'not_implemented', 'no TTS cache configured');
    return reply.send(ttsCache.stats());
  });

  app.delete('/v1/tts/cache', async (_request, reply) => {
    if (ttsCache === undefined) return sendApiError(reply, 501, 'not_implemented', 'no TTS cache configured');
    const body: TtsCachePurgeResponse = { removed: await ttsCache.purge() };
    return reply.send(body);
  });
}
