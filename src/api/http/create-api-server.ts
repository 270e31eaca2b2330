import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import Fastify, { LogController } from 'fastify';
import { resolve } from 'node:path';
import { WS_CLOSE_GOING_AWAY } from '../contract/index.js';
import type { EventSocketStats } from '../ws/index.js';
import { MAX_CLIENT_MESSAGE_BYTES, eventSocketRoute } from '../ws/index.js';
import { ApiKeyCheck, bearerToken } from './api-key-check.js';
import type { ApiServerOptions } from './api-server-options.js';
import { buildOpenApiDocument } from './build-openapi-document.js';
import { registerCallRoutes } from './register-call-routes.js';
import { registerSystemRoutes } from './register-system-routes.js';
import { sendApiError } from './send-api-error.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without an API key. */
    public?: boolean;
    /** Also accepts the key as `?token=` (WebSocket: browsers cannot set headers on it). */
    tokenQuery?: boolean;
  }
}

/** Where the API listens, read from the bound socket (not from the configuration). */
export interface ApiListenAddress {
  readonly address: string;
  readonly port: number;
  /** `http://127.0.0.1:8080/`, or `https://` when TLS is on; an IPv6 address in brackets. */
  readonly url: string;
}

export interface ApiServer {
  readonly app: FastifyInstance;
  /** Listens; resolves with the bound address and port (useful with port 0). */
  listen(host: string, port: number): Promise<ApiListenAddress>;
  /** Closes WebSocket clients (1001), then the HTTP server. */
  close(): Promise<void>;
  /** /v1/events counters: clients, partials dropped for slow clients, slow clients closed. */
  eventStats(): EventSocketStats;
}

const SHUTDOWN_GRACE_MS = 1000;

function queryToken(url: string): string | undefined {
  const query = url.indexOf('?');
  if (query < 0) return undefined;
  return new URLSearchParams(url.slice(query + 1)).get('token') ?? undefined;
}

/**
 * The gateway's HTTP surface: REST under /v1, the /v1/events WebSocket, health, metrics, the
 * OpenAPI document and the dashboard's static files. Every route needs a Bearer key unless it
 * says `public` (health, readiness, the OpenAPI document, the dashboard's static files, and
 * /metrics when `publicMetrics`): the dashboard shell holds no data and asks for the key, which it
 * then sends on every REST call and as `?token=` on the WebSocket.
 */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const keys = new ApiKeyCheck(options.apiKeys);
  if (keys.open && options.allowNoAuth !== true) {
    throw new Error(
      'refusing to start the API without API keys (configure auth.apiKeys or pass allowNoAuth)',
    );
  }
  const app = Fastify({
    ...(options.logger === undefined ? {} : { loggerInstance: options.logger }),
    // The URL of /v1/events may carry `?token=`, so fastify's own request lines (which log the
    // URL) stay off; the onResponse hook below logs the route pattern instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
    // HTTPS (and WSS on the same port) when the service was given a certificate and key. The
    // instance is typed as the plain HTTP one: fastify's routes and hooks are the same either way.
    ...(options.tls === undefined ? {} : { https: { cert: options.tls.cert, key: options.tls.key } }),
  }) as unknown as FastifyInstance;

  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config;
    if (config.public === true || keys.open) return;
    const header = request.headers.authorization;
    const presented =
      bearerToken(header) ?? (config.tokenQuery === true ? queryToken(request.url) : undefined);
    if (keys.verify(presented)) return;
    // RFC 6750 §3: a challenge on every 401; `invalid_token` only when a token was sent.
    const challenge =
      presented === undefined
        ? 'Bearer realm="voxbridge"'
        : 'Bearer realm="voxbridge", error="invalid_token"';
    reply.header('www-authenticate', challenge);
    return sendApiError(
      reply,
      401,
      'unauthorized',
      'a valid API key is required (Authorization: Bearer <key>)',
    );
  });

  app.addHook('onResponse', async (request, reply) => {
    // An upgrade request answered with plain HTTP (401, 404): @fastify/websocket leaves the raw
    // socket to us, paused and never read again, so nothing would ever close it and server
    // close would wait for it forever. The response has been flushed by now (onResponse runs on
    // 'finish'), so the socket can go. Upgraded requests never get here.
    if (request.headers.upgrade !== undefined) request.raw.socket.destroy();
    request.log.debug(
      {
        method: request.method,
        route: request.routeOptions.url,
        statusCode: reply.statusCode,
        responseTimeMs: reply.elapsedTime,
      },
      'http request',
    );
  });

  app.setNotFoundHandler(async (_request, reply) =>
    sendApiError(reply, 404, 'not_found', 'no such resource'),
  );

  app.setErrorHandler(async (error: { statusCode?: number; message?: string }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error, route: request.routeOptions.url }, 'request failed');
      return sendApiError(reply, status, 'internal', 'internal error');
    }
    // Fastify's own 4xx (empty JSON body, bad content type, body too large) have safe messages.
    return sendApiError(reply, status, 'bad_request', error.message ?? 'bad request');
  });

  // Plugins load in order when the server gets ready; the routes go in a plugin after them so
  // @fastify/websocket and @fastify/static are in place when the routes are added.
  void app.register(fastifyWebsocket, {
    options: { maxPayload: MAX_CLIENT_MESSAGE_BYTES },
    // Shutdown is handled by close() below, which gives clients a going-away close first.
    preClose: (done) => done(),
  });
  const webRoot = options.webRoot === undefined ? undefined : resolve(options.webRoot);
  if (webRoot !== undefined) void app.register(fastifyStatic, { root: webRoot, serve: false, index: false });

  const publicMetrics = options.publicMetrics === true;
  const openApiDocument = buildOpenApiDocument({ version: options.version ?? '0.0.0', publicMetrics });
  const events = eventSocketRoute({
    source: options.hub,
    logger: app.log,
    ...(options.eventStreamLimits === undefined ? {} : { limits: options.eventStreamLimits }),
  });

  void app.register((routes, _options, done) => {
    registerSystemRoutes(routes, {
      gateway: options.gateway,
      metrics: options.metrics,
      publicMetrics,
      ttsCache: options.ttsCache,
      openApiDocument,
    });
    registerCallRoutes(routes, options.store, options.gateway);
    events.register(routes);
    // Unknown API paths stay behind the key (and out of the dashboard's public wildcard).
    routes.all('/v1/*', async (_request, reply) => sendApiError(reply, 404, 'not_found', 'no such resource'));
    if (webRoot !== undefined) {
      routes.get('/', { config: { public: true } }, async (_request, reply) => reply.sendFile('index.html'));
      // @fastify/static (send) confines paths to the root and answers 404 for anything else.
      routes.get('/*', { config: { public: true } }, async (request, reply) => {
        const path = (request.params as { '*': string })['*'];
        return reply.sendFile(path);
      });
    }
    done();
  });

  let closing: Promise<void> | undefined;
  const closeAll = async (): Promise<void> => {
    const sockets = [...events.sockets()];
    const closed = sockets.map(
      (socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())),
    );
    for (const socket of sockets) socket.close(WS_CLOSE_GOING_AWAY, 'server shutting down');
    let timer: NodeJS.Timeout | undefined;
    // A client that does not answer the close handshake (or has stopped reading) is cut off.
    await Promise.race([
      Promise.all(closed),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS))),
    ]);
    clearTimeout(timer);
    for (const socket of events.sockets()) socket.terminate();
    await app.close();
  };

  return {
    app,
    async listen(host: string, port: number): Promise<ApiListenAddress> {
      await app.listen({ host, port });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('API server has no TCP address');
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const scheme = options.tls === undefined ? 'http' : 'https';
      return { address: address.address, port: address.port, url: `${scheme}://${shown}:${address.port}/` };
    },
    close: () => (closing ??= closeAll()),
    eventStats: () => events.stats(),
  };
}
