export { Store } from './store.js';
export type { StoreOptions } from './store.js';
export type { DueWebhook, WebhookCounts, WebhookDelivery, WebhookStatus } from './webhook-outbox.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './call-query.js';
