export * from './contract/index.js';
export { EventHub } from './events/index.js';
export type { EventFilter, EventHubOptions, EventListener } from './events/index.js';
export { ApiKeyCheck, bearerToken, buildOpenApiDocument, createApiServer } from './http/index.js';
export type {
  ApiListenAddress,
  ApiServer,
  ApiServerOptions,
  GatewayHooks,
  MetricsSource,
  OpenApiDocumentOptions,
  TtsCacheHooks,
} from './http/index.js';
export { EventStream, defaultEventStreamLimits } from './ws/index.js';
export type {
  EventSocket,
  EventSocketStats,
  EventSource,
  EventStreamLimits,
  EventStreamOptions,
  EventStreamStats,
} from './ws/index.js';
