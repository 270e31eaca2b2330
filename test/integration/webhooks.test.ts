import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { SequencedEvent } from '../../src/api/contract/index.js';
import { FakeScheduler } from '../../src/sip/transaction/testing.js';
import type { Store } from '../../src/store/index.js';
import type { WebhookDispatcherOptions } from '../../src/webhooks/index.js';
import { WebhookDispatcher, verifyWebhookSignature } from '../../src/webhooks/index.js';
import { CallScript, StoreFixture } from '../unit/store/support.js';

const SECRET = 'whsec_integration';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
}

/** A webhook receiver on 127.0.0.1 answering each request with the next status of `statuses()`. */
async function receiver(statuses: (n: number) => number): Promise<{
  url: string;
  received: Received[];
  onRequest: (fn: () => void) => void;
  close: () => Promise<void>;
}> {
  const received: Received[] = [];
  const listeners: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = statuses(received.length + 1);
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'thanks' : 'try later');
      for (const fn of listeners.splice(0)) fn();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/voxbridge`,
    received,
    onRequest: (fn) => listeners.push(fn),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function header(r: Received | undefined, name: string): string {
  const value = r?.headers[name];
  return typeof value === 'string' ? value : '';
}

function assertSigned(r: Received | undefined): void {
  assert.equal(
    verifyWebhookSignature(
      SECRET,
      header(r, 'x-voxbridge-timestamp'),
      r?.body ?? '',
      header(r, 'x-voxbridge-signature'),
    ),
    true,
    'the receiver verifies the signature over the raw body',
  );
}

describe('webhooks over real HTTP on 127.0.0.1', () => {
  let fx: StoreFixture;
  let store: Store;
  const cleanups: (() => Promise<void> | void)[] = [];
  const c = new CallScript('call-h');

  function dispatcher(url: string, options: Partial<WebhookDispatcherOptions> = {}): WebhookDispatcher {
    const d = new WebhookDispatcher({
      store,
      targets: [{ url, secret: SECRET }],
      clock: fx.clock,
      random: () => 0,
      ...options,
    });
    cleanups.push(() => d.stop());
    return d;
  }

  beforeEach(() => {
    fx = new StoreFixture();
    store = fx.open();
    store.recordEvent(c.started());
  });
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
    fx.cleanup();
  });

  it('500, 500, 200: one delivery, three signed attempts with the same body and delivery id', async () => {
    const server = await receiver((n) => (n <= 2 ? 500 : 200));
    cleanups.push(server.close);
    const scheduler = new FakeScheduler(fx.clock);
    const d = dispatcher(server.url, { scheduler });
    const final = store.recordEvent(c.final('leg-1', 'caller', 'I would like a refund', 1250, 3100));
    d.enqueue(final);
    d.start();
    scheduler.advance(0);
    await d.idle();
    assert.equal(server.received.length, 1);
    scheduler.advance(1000);
    await d.idle();
    assert.equal(server.received.length, 2);
    scheduler.advance(2000);
    await d.idle();
    assert.deepEqual(
      server.received.map((r) => r.status),
      [500, 500, 200],
    );
    for (const r of server.received) {
      assertSigned(r);
      assert.deepEqual(JSON.parse(r.body), final);
      assert.equal(header(r, 'x-voxbridge-event'), 'transcript.final');
      assert.equal(header(r, 'content-type'), 'application/json');
    }
    const ids = new Set(server.received.map((r) => header(r, 'x-voxbridge-delivery')));
    assert.equal(ids.size, 1, 'one delivery id for all attempts');
    assert.deepEqual(
      store.webhookDeliveries('call-h').map((r) => [String(r.id), r.status, r.attempts]),
      [[[...ids][0], 'delivered', 3]],
    );
    scheduler.advance(600_000);
    await d.idle();
    assert.equal(server.received.length, 3, 'nothing more after delivery');
  });

  it('a restart delivers what the previous run left in the outbox', async () => {
    let up = false;
    const server = await receiver(() => (up ? 200 : 503));
    cleanups.push(server.close);
    const events: SequencedEvent[] = [
      store.recordEvent(c.final('leg-1', 'caller', 'first words', 0, 900)),
      store.recordEvent(c.dtmf('leg-1', '4', 1000)),
    ];
    const firstScheduler = new FakeScheduler(fx.clock);
    const first = dispatcher(server.url, { scheduler: firstScheduler });
    for (const e of events) first.enqueue(e);
    first.start();
    firstScheduler.advance(0);
    await first.idle();
    assert.equal(server.received.length, 2, 'both tried once and refused');
    // One more event is enqueued after the loop stopped: it was never tried at all.
    await first.stop();
    const ended = store.recordEvent(c.ended(2000));
    first.enqueue(ended);
    store.close();

    up = true;
    store = fx.open();
    const secondScheduler = new FakeScheduler(fx.clock);
    const second = dispatcher(server.url, { scheduler: secondScheduler });
    second.start();
    secondScheduler.advance(0);
    await second.idle();
    secondScheduler.advance(1000);
    await second.idle();
    const accepted = server.received.filter((r) => r.status === 200);
    accepted.forEach(assertSigned);
    assert.deepEqual(
      accepted.map((r) => (JSON.parse(r.body) as SequencedEvent).seq).sort((a, b) => a - b),
      [...events, ended].map((e) => e.seq),
    );
    assert.deepEqual(
      store.webhookDeliveries('call-h').map((r) => [r.eventType, r.status, r.attempts]),
      [
        ['transcript.final', 'delivered', 2],
        ['dtmf', 'delivered', 2],
        ['call.ended', 'delivered', 1],
      ],
    );
  });

  // The timeout only keeps a broken loop from hanging the run; nothing here asserts on time.
  it(
    'retries on real timers too (short backoff), until the receiver takes it',
    { timeout: 20_000 },
    async () => {
      const server = await receiver((n) => (n === 1 ? 502 : 204));
      cleanups.push(server.close);
      // The real clock and timers: the row the fake-clocked store enqueued is long due by it.
      const d = dispatcher(server.url, { clock: undefined, backoff: { initialMs: 20 } });
      const accepted = new Promise<void>((resolve) => {
        const check = (): void => {
          if (server.received.some((r) => r.status === 204)) resolve();
          else server.onRequest(check);
        };
        server.onRequest(check);
      });
      d.enqueue(store.recordEvent(c.dtmf('leg-1', '9', 500)));
      d.start();
      await accepted;
      await d.idle();
      assert.deepEqual(
        server.received.map((r) => r.status),
        [502, 204],
      );
      assert.deepEqual(
        store.webhookDeliveries('call-h').map((r) => [r.status, r.attempts]),
        [['delivered', 2]],
      );
    },
  );
});
