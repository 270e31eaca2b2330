/**
 * The subscriber side of `npm run bench -- api`: N WebSocket clients of /v1/events in one
 * process (on the load core), each subscribed to every call, as an agent desktop or a bot is.
 * Delay = wall time the message is handled here − the event's `timestamp` (wall time when it was
 * published); both clocks are this machine's, at 1 ms resolution. IPC (`{ id, cmd }` → reply):
 *
 *   connect   { url, count }  open `count` clients, subscribe each, resolve when all are subscribed
 *   mark      restart the delay window and this process's loop/CPU window
 *   sample    SubscriberSample
 *   closeAll  close every client (1000) and wait for the closes
 */
import WebSocket from 'ws';
import type { DelayStats, ProbeSample } from './api-events.js';
import { delayStats, LoopProbe } from './api-events.js';

export interface SubscriberSample {
  readonly open: number;
  /** Messages received over every client since connect, by kind. */
  readonly finals: number;
  readonly partials: number;
  readonly others: number;
  /** Sequence numbers skipped (every client subscribes to everything, so a gap is a drop). */
  readonly missed: number;
  /** Closes this process did not ask for, by close code. */
  readonly disconnects: Readonly<Record<string, number>>;
  /** Delays of the messages received since `mark`. */
  readonly finalDelay: DelayStats;
  readonly partialDelay: DelayStats;
  readonly probe: ProbeSample;
}

type Request =
  | { id: number; cmd: 'mark' | 'sample' | 'closeAll' }
  | { id: number; cmd: 'connect'; url: string; count: number };

interface Client {
  readonly socket: WebSocket;
  lastSeq: number | undefined;
}

const probe = new LoopProbe();
let clients: Client[] = [];
let closing = false;
let counts = { finals: 0, partials: 0, others: 0, missed: 0 };
let disconnects: Record<string, number> = {};
let finalDelays: number[] = [];
let partialDelays: number[] = [];

interface WireMessage {
  readonly type?: string;
  readonly seq?: number;
  readonly timestamp?: string;
}

function text(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function onMessage(client: Client, data: WebSocket.RawData, receivedMs: number): void {
  const message = JSON.parse(text(data)) as WireMessage;
  if (message.type === 'subscribed') {
    client.lastSeq = message.seq;
    return;
  }
  if (typeof message.seq !== 'number') return;
  if (client.lastSeq !== undefined && message.seq > client.lastSeq + 1) {
    counts.missed += message.seq - client.lastSeq - 1;
  }
  client.lastSeq = message.seq;
  const delayMs = message.timestamp === undefined ? NaN : receivedMs - Date.parse(message.timestamp);
  if (message.type === 'transcript.final') {
    counts.finals++;
    finalDelays.push(delayMs);
  } else if (message.type === 'transcript.partial') {
    counts.partials++;
    partialDelays.push(delayMs);
  } else {
    counts.others++;
  }
}

function open(url: string): Promise<Client | undefined> {
  const socket = new WebSocket(url);
  const client: Client = { socket, lastSeq: undefined };
  return new Promise((resolve) => {
    socket.on('message', (data) => {
      try {
        onMessage(client, data, Date.now());
      } catch {
        counts.others++;
      }
      if (client.lastSeq !== undefined) resolve(client);
    });
    socket.on('open', () => socket.send(JSON.stringify({ type: 'subscribe' })));
    socket.on('close', (code) => {
      if (!closing) disconnects[code] = (disconnects[code] ?? 0) + 1;
      resolve(undefined);
    });
    socket.on('error', () => resolve(undefined));
  });
}

async function connect(url: string, count: number): Promise<number> {
  closing = false;
  counts = { finals: 0, partials: 0, others: 0, missed: 0 };
  disconnects = {};
  const opened = await Promise.all(Array.from({ length: count }, () => open(url)));
  clients = opened.filter((c): c is Client => c !== undefined);
  return clients.length;
}

function sample(): SubscriberSample {
  return {
    open: clients.filter((c) => c.socket.readyState === WebSocket.OPEN).length,
    ...counts,
    disconnects: { ...disconnects },
    finalDelay: delayStats(finalDelays),
    partialDelay: delayStats(partialDelays),
    probe: probe.sample(),
  };
}

async function closeAll(): Promise<void> {
  closing = true;
  await Promise.all(
    clients.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.socket.readyState === WebSocket.CLOSED) return resolve();
          c.socket.once('close', () => resolve());
          c.socket.close(1000, 'bench done');
        }),
    ),
  );
  clients = [];
}

async function handle(request: Request): Promise<unknown> {
  switch (request.cmd) {
    case 'connect':
      return connect(request.url, request.count);
    case 'mark':
      probe.mark();
      finalDelays = [];
      partialDelays = [];
      return null;
    case 'sample':
      return sample();
    case 'closeAll':
      await closeAll();
      return null;
  }
}

process.on('message', (request: Request) => {
  handle(request).then(
    (reply) => process.send?.({ id: request.id, reply }),
    (error: unknown) => process.send?.({ id: request.id, error: String(error) }),
  );
});
process.on('disconnect', () => {
  closing = true;
  for (const c of clients) c.socket.terminate();
  probe.disable();
});
process.send?.({ type: 'ready' });
