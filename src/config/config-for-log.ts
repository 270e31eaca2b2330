import type { Config } from './config-schema.js';

/**
 * The configuration as it may be logged at start: API keys and webhook secrets replaced by
 * `[REDACTED]` (their count still shows), webhook URLs without credentials or query string.
 */
export function configForLog(config: Config): unknown {
  return {
    ...config,
    auth: { ...config.auth, apiKeys: config.auth.apiKeys.map(() => '[REDACTED]') },
    webhooks: config.webhooks.map((target) => ({
      ...target,
      url: withoutSecrets(target.url),
      secret: '[REDACTED]',
    })),
  };
}

function withoutSecrets(text: string): string {
  const url = new URL(text);
  url.username = '';
  url.password = '';
  url.search = '';
  return url.toString();
}
