export { EventHub } from './event-hub.js';
export type { EventFilter, EventHubOptions, EventListener } from './event-hub.js';
