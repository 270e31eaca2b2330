import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { SequencedEvent, WsErrorMessage } from '../contract/index.js';
import type { EventSource, EventStreamLimits } from './event-stream.js';
import { EventStream } from './event-stream.js';

/** Counters over every /v1/events client, for metrics. */
export interface EventSocketStats {
  readonly clients: number;
  readonly droppedPartials: number;
  readonly slowConsumersClosed: number;
}

export interface EventSocketOptions {
  readonly source: EventSource;
  readonly limits?: Partial<EventStreamLimits>;
  readonly logger: FastifyBaseLogger;
}

const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('subscribe'),
    callId: z.string().min(1).max(200).optional(),
    sinceSeq: z.number().int().min(0).optional(),
  }),
  z.object({ type: z.literal('unsubscribe') }),
]);

/** Largest client message we read; subscribe messages are tiny (RFC 6455 §10.4: limit frames). */
export const MAX_CLIENT_MESSAGE_BYTES = 4096;

export interface EventSocketRoute {
  /** Adds GET /v1/events to a fastify instance that has @fastify/websocket registered. */
  register(app: FastifyInstance): void;
  stats(): EventSocketStats;
  /** Every open client socket (for shutdown). */
  sockets(): ReadonlySet<WebSocket>;
}

/**
 * GET /v1/events: one EventStream per client. Authentication happens before the upgrade (the
 * server's onRequest hook, which also takes `?token=` on this route only).
 */
export function eventSocketRoute(options: EventSocketOptions): EventSocketRoute {
  const open = new Set<WebSocket>();
  let droppedPartials = 0;
  let slowConsumersClosed = 0;
  // One JSON string per event however many clients get it: fan-out to 100 subscribers must not
  // cost 100 serialisations on the event loop the media path shares.
  const serialized = new WeakMap<SequencedEvent, string>();
  const serialize = (event: SequencedEvent): string => {
    let text = serialized.get(event);
    if (text === undefined) {
      text = JSON.stringify(event);
      serialized.set(event, text);
    }
    return text;
  };

  const register = (app: FastifyInstance): void => {
    app.get('/v1/events', { websocket: true, config: { tokenQuery: true } }, (socket) => {
      open.add(socket);
      const stream = new EventStream({
        source: options.source,
        socket,
        serialize,
        ...(options.limits === undefined ? {} : { limits: options.limits }),
        onDroppedPartial: () => {
          droppedPartials++;
        },
        onSlowConsumer: (reason, stats) => {
          slowConsumersClosed++;
          options.logger.warn({ reason, ...stats }, 'closed a slow /v1/events consumer');
        },
      });
      const reject = (message: string): void => {
        const body: WsErrorMessage = { type: 'error', code: 'bad_message', message };
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(body));
      };
      socket.on('message', (data, isBinary) => {
        if (isBinary) return reject('messages are JSON text');
        let json: unknown;
        try {
          const bytes = Array.isArray(data)
            ? Buffer.concat(data)
            : Buffer.isBuffer(data)
              ? data
              : Buffer.from(data);
          json = JSON.parse(bytes.toString('utf8'));
        } catch {
          return reject('not JSON');
        }
        const parsed = clientMessageSchema.safeParse(json);
        if (!parsed.success)
          return reject('expected {"type":"subscribe","callId"?,"sinceSeq"?} or {"type":"unsubscribe"}');
        const message = parsed.data;
        if (message.type === 'subscribe') {
          stream.subscribe(message.callId, message.sinceSeq);
        } else {
          stream.unsubscribeAll();
          socket.send(JSON.stringify({ type: 'unsubscribed' }));
        }
      });
      socket.on('error', (error) => {
        options.logger.debug({ err: error }, '/v1/events socket error');
      });
      socket.on('close', () => {
        open.delete(socket);
        stream.dispose();
      });
    });
  };

  return {
    register,
    stats: () => ({ clients: open.size, droppedPartials, slowConsumersClosed }),
    sockets: () => open,
  };
}
