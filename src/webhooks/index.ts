export { WebhookDispatcher, DEFAULT_WEBHOOK_EVENTS } from './webhook-dispatcher.js';
export type {
  WebhookDispatcherOptions,
  WebhookOutboxStore,
  WebhookOutcome,
  WebhookScheduler,
  WebhookTarget,
} from './webhook-dispatcher.js';
export { verifyWebhookSignature, webhookSignature } from './webhook-signature.js';
export { DEFAULT_WEBHOOK_BACKOFF, webhookBackoffMs } from './webhook-backoff.js';
export type { WebhookBackoff } from './webhook-backoff.js';
