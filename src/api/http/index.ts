export { createApiServer } from './create-api-server.js';
export type { ApiListenAddress, ApiServer } from './create-api-server.js';
export type { ApiServerOptions, GatewayHooks, MetricsSource, TtsCacheHooks } from './api-server-options.js';
export { buildOpenApiDocument } from './build-openapi-document.js';
export type { OpenApiDocumentOptions } from './build-openapi-document.js';
export { ApiKeyCheck, bearerToken } from './api-key-check.js';
