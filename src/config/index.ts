export { loadConfig } from './load-config.js';
export type { LoadConfigOptions } from './load-config.js';
export { ConfigError } from './config-error.js';
export {
  configSchema,
  EVENT_TYPES,
  LOG_LEVELS,
  MIN_WEBHOOK_SECRET_LENGTH,
  STT_CHOICES,
} from './config-schema.js';
export type { Config, ConfigEventType, LogLevel, SttChoice, WebhookTarget } from './config-schema.js';
export { CONFIG_FILE_ENV, CONFIG_KEYS, flagName } from './config-keys.js';
export type { ConfigKey, ConfigKeyKind } from './config-keys.js';
export { configJsonSchema } from './config-json-schema.js';
export { configForLog } from './config-for-log.js';
export { flagsFromCommand } from './flags-from-command.js';
export type { CommandLike } from './flags-from-command.js';
export { createIpAllowlist, parseCidr } from './ip-allowlist.js';
export type { Cidr } from './ip-allowlist.js';
