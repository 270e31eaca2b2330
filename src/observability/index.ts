export { createLogger, redactPaths, REDACT_DEPTH, REDACTED, REDACTED_KEYS } from './create-logger.js';
export type { CreateLoggerOptions } from './create-logger.js';
export type { Logger } from 'pino';
export { createMetrics } from './create-metrics.js';
export { NO_GATEWAY_COUNTS } from './gateway-counters.js';
export type { GatewayCounts } from './gateway-counters.js';
export type {
  CreateMetricsOptions,
  LegRtpStats,
  RecognizerUsage,
  TtsCacheCounts,
  VoxbridgeMetrics,
} from './create-metrics.js';
