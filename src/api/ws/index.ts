export { EventStream, defaultEventStreamLimits } from './event-stream.js';
export type {
  EventSocket,
  EventSource,
  EventStreamLimits,
  EventStreamOptions,
  EventStreamStats,
} from './event-stream.js';
export { MAX_CLIENT_MESSAGE_BYTES, eventSocketRoute } from './register-event-socket.js';
export type { EventSocketRoute, EventSocketOptions, EventSocketStats } from './register-event-socket.js';
