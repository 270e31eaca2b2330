/**
 * The fan-out peer for `npm run bench -- api`: a bare `ws` WebSocketServer (the library under
 * @fastify/websocket) that numbers each event, serialises it once and sends it to every open
 * client: no store, no authentication, no per-client policy. It is fed by the same
 * TranscriptInjector as the service, so the difference is what voxbridge does per event on top
 * of a broadcast. IPC requests (`{ id, cmd }` → `{ id, reply }`):
 *
 *   info         { httpPort }
 *   gc, mark     as bench/api-service-child.ts
 *   sample       PeerSample
 *   startEvents  { synthetic }  inject transcripts for that many made-up calls
 *   stopEvents   stop injecting
 *   close        close every client and the server, exit
 */
import { WebSocketServer } from 'ws';
import type { CallEvent } from '../src/session/index.js';
import type { InjectedCounts, ProbeSample, PublishCost } from './api-events.js';
import { LoopProbe, PublishTimer, TranscriptInjector, syntheticCalls } from './api-events.js';

export interface PeerSample {
  readonly clients: number;
  readonly probe: ProbeSample;
  /** broadcast() per transcript event in the window: numbering, serialising, sending to all. */
  readonly publish: PublishCost;
  readonly injected: InjectedCounts;
}

type Request =
  | { id: number; cmd: 'info' | 'gc' | 'mark' | 'sample' | 'stopEvents' | 'close' }
  | { id: number; cmd: 'startEvents'; synthetic: number };

const probe = new LoopProbe();
const publishTimer = new PublishTimer();
const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/v1/events' });
let seq = 0;
let injector: TranscriptInjector | undefined;
let calls: ReturnType<typeof syntheticCalls> | undefined;

server.on('connection', (socket) => {
  socket.on('error', () => undefined);
  socket.on('message', () => {
    // Whatever the client asks, it gets everything; the reply keeps the client's protocol.
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'subscribed', seq }));
  });
});

function broadcast(event: CallEvent): void {
  const text = JSON.stringify({ ...event, seq: ++seq });
  for (const client of server.clients) {
    if (client.readyState === client.OPEN) client.send(text);
  }
}

function startEvents(synthetic: number): number {
  injector?.stop();
  calls = syntheticCalls(synthetic, broadcast);
  injector = new TranscriptInjector(publishTimer.wrap(broadcast));
  injector.start(calls.targets);
  return calls.targets.length;
}

function stopEvents(): void {
  injector?.stop();
  calls?.end();
  calls = undefined;
}

async function close(): Promise<void> {
  injector?.stop();
  for (const client of server.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  probe.disable();
  setImmediate(() => process.disconnect());
}

async function handle(request: Request): Promise<unknown> {
  switch (request.cmd) {
    case 'info': {
      const address = server.address();
      return { httpPort: typeof address === 'object' && address !== null ? address.port : 0 };
    }
    case 'gc':
      (globalThis as { gc?: () => void }).gc?.();
      return null;
    case 'mark':
      probe.mark();
      publishTimer.mark();
      return null;
    case 'sample':
      return {
        clients: server.clients.size,
        probe: probe.sample(),
        publish: publishTimer.cost(),
        injected: { ...(injector?.counts ?? { partials: 0, finals: 0 }) },
      } satisfies PeerSample;
    case 'startEvents':
      return startEvents(request.synthetic);
    case 'stopEvents':
      stopEvents();
      return null;
    case 'close':
      await close();
      return null;
  }
}

process.on('message', (request: Request) => {
  handle(request).then(
    (reply) => process.send?.({ id: request.id, reply }),
    (error: unknown) => process.send?.({ id: request.id, error: String(error) }),
  );
});
server.on('listening', () => process.send?.({ type: 'ready' }));
server.on('error', (error) => {
  process.send?.({ type: 'failed', error: String(error) });
  process.exitCode = 1;
  setImmediate(() => process.disconnect());
});
