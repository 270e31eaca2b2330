import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { SequencedEvent } from '../../../src/api/contract/index.js';
import { InvalidArgumentError } from '../../../src/core/index.js';
import { FakeScheduler } from '../../../src/sip/transaction/testing.js';
import type { Store } from '../../../src/store/index.js';
import type { WebhookDispatcherOptions, WebhookOutcome } from '../../../src/webhooks/index.js';
import { WebhookDispatcher, verifyWebhookSignature } from '../../../src/webhooks/index.js';
import { CallScript, StoreFixture, T0 } from '../store/support.js';

const URL_A = 'http://127.0.0.1:9/a';
const URL_B = 'http://127.0.0.1:9/b';

interface FetchCall {
  readonly url: string;
  readonly init: RequestInit;
}

type Reply = number | Error | 'hang';

/** A fetch that answers from a script: a status, a thrown error, or never (until aborted). */
class ScriptedFetch {
  readonly calls: FetchCall[] = [];
  active = 0;
  maxActive = 0;
  private readonly release: (() => void)[] = [];

  constructor(private readonly reply: (n: number, url: string) => Reply | Promise<number>) {}

  readonly fetch = (async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    this.calls.push({ url, init });
    const r = this.reply(this.calls.length, url);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (r === 'hang') {
        return await new Promise<never>((_, reject) => {
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error));
        });
      }
      if (r instanceof Error) throw r;
      const status = await r;
      return new Response(status === 204 ? null : 'ok', { status });
    } finally {
      this.active--;
    }
  }) as typeof fetch;

  /** A reply that waits until `releaseNext` is called. */
  gated(status: number): Promise<number> {
    return new Promise((resolve) => this.release.push(() => resolve(status)));
  }

  releaseNext(): void {
    this.release.shift()?.();
  }
}

function headers(call: FetchCall | undefined): Record<string, string> {
  return (call?.init.headers ?? {}) as Record<string, string>;
}

describe('WebhookDispatcher', () => {
  let fx: StoreFixture;
  let store: Store;
  let scheduler: FakeScheduler;
  let outcomes: WebhookOutcome[];
  const dispatchers: WebhookDispatcher[] = [];
  const c = new CallScript('call-w');

  function dispatcher(
    options: Partial<WebhookDispatcherOptions> & Pick<WebhookDispatcherOptions, 'fetch'>,
  ): WebhookDispatcher {
    const d = new WebhookDispatcher({
      store,
      targets: [{ url: URL_A, secret: 'secret-a' }],
      clock: fx.clock,
      scheduler,
      random: () => 0,
      onOutcome: (o) => outcomes.push(o),
      ...options,
    });
    dispatchers.push(d);
    return d;
  }

  function record(event = c.final('leg-1', 'caller', 'hello', 0, 900)): SequencedEvent {
    return store.recordEvent(event);
  }

  beforeEach(() => {
    fx = new StoreFixture();
    scheduler = new FakeScheduler(fx.clock);
    store = fx.open();
    store.recordEvent(c.started());
    outcomes = [];
  });
  afterEach(async () => {
    for (const d of dispatchers.splice(0)) await d.stop();
    fx.cleanup();
  });

  it('POSTs the event JSON with event, delivery, timestamp and a verifiable signature', async () => {
    const f = new ScriptedFetch(() => 200);
    const d = dispatcher({ fetch: f.fetch });
    const final = record();
    d.enqueue(final);
    d.start();
    scheduler.advance(0);
    await d.idle();
    assert.equal(f.calls.length, 1);
    const [call] = f.calls;
    assert.equal(call?.url, URL_A);
    assert.equal(call.init.method, 'POST');
    assert.equal(call.init.redirect, 'manual');
    const body = call.init.body as string;
    assert.deepEqual(JSON.parse(body), final);
    const h = headers(call);
    const id = store.webhookDeliveries('call-w')[0]?.id;
    assert.equal(h['content-type'], 'application/json');
    assert.equal(h['x-voxbridge-event'], 'transcript.final');
    assert.equal(h['x-voxbridge-delivery'], String(id));
    assert.equal(h['x-voxbridge-timestamp'], String(Math.floor(T0 / 1000)));
    assert.equal(
      verifyWebhookSignature('secret-a', h['x-voxbridge-timestamp'] ?? '', body, h['x-voxbridge-signature']),
      true,
    );
    assert.deepEqual(
      store.webhookDeliveries('call-w').map((r) => [r.status, r.attempts]),
      [['delivered', 1]],
    );
    assert.deepEqual(
      outcomes.map((o) => [o.result, o.status, o.attempt]),
      [['delivered', 200, 1]],
    );
  });

  it('enqueues only the event types each target wants; no partials by default', () => {
    const d = dispatcher({
      fetch: new ScriptedFetch(() => 200).fetch,
      targets: [
        { url: URL_A, secret: 'a' },
        { url: URL_B, secret: 'b', events: ['dtmf', 'transcript.partial'] },
      ],
    });
    d.enqueue(record(c.leg('leg-1', 'caller')));
    d.enqueue(record(c.partial('leg-1', 'hel', 0, 300)));
    d.enqueue(record());
    d.enqueue(record(c.dtmf('leg-1', '#', 1000)));
    d.enqueue(record(c.ended(2000)));
    assert.deepEqual(
      store.webhookDeliveries('call-w').map((r) => [r.url, r.eventType]),
      [
        [URL_B, 'transcript.partial'],
        [URL_A, 'transcript.final'],
        [URL_A, 'dtmf'],
        [URL_B, 'dtmf'],
        [URL_A, 'call.ended'],
      ],
    );
  });

  it('retries with doubling backoff and gives up after maxAttempts, keeping the row dead', async () => {
    const f = new ScriptedFetch(() => 503);
    const d = dispatcher({ fetch: f.fetch, maxAttempts: 3 });
    d.enqueue(record());
    d.start();
    scheduler.advance(0);
    await d.idle();
    assert.equal(f.calls.length, 1);
    scheduler.advance(999);
    await d.idle();
    assert.equal(f.calls.length, 1, 'not before 1 s');
    scheduler.advance(1);
    await d.idle();
    assert.equal(f.calls.length, 2);
    scheduler.advance(1999);
    await d.idle();
    assert.equal(f.calls.length, 2, 'not before 2 s more');
    scheduler.advance(1);
    await d.idle();
    assert.equal(f.calls.length, 3);
    scheduler.advance(3_600_000);
    await d.idle();
    assert.equal(f.calls.length, 3, 'dead rows are not retried');
    assert.deepEqual(
      outcomes.map((o) => [o.result, o.attempt, o.status, o.nextAttemptAtMs]),
      [
        ['retry', 1, 503, T0 + 1000],
        ['retry', 2, 503, T0 + 3000],
        ['dead', 3, 503, undefined],
      ],
    );
    const [row] = store.webhookDeliveries('call-w');
    assert.deepEqual([row?.status, row?.attempts, row?.lastError], ['dead', 3, 'HTTP 503']);
    assert.deepEqual(
      f.calls.map((call) => headers(call)['x-voxbridge-attempt']),
      ['1', '2', '3'],
    );
  });

  it('treats a network error and a redirect as failures, then delivers', async () => {
    const f = new ScriptedFetch((n) => (n === 1 ? new TypeError('fetch failed') : n === 2 ? 302 : 204));
    const d = dispatcher({ fetch: f.fetch });
    d.enqueue(record());
    d.start();
    for (let i = 0; i < 3; i++) {
      scheduler.advance(i === 0 ? 0 : 60_000);
      await d.idle();
    }
    assert.deepEqual(
      outcomes.map((o) => [o.result, o.error ?? o.status]),
      [
        ['retry', 'TypeError: fetch failed'],
        ['retry', 'HTTP 302'],
        ['delivered', 204],
      ],
    );
    assert.deepEqual(
      store.webhookDeliveries('call-w').map((r) => [r.status, r.attempts, r.lastError]),
      [['delivered', 3, null]],
    );
  });

  it('keeps at most `concurrency` deliveries in flight and delivers every row', async () => {
    const f: ScriptedFetch = new ScriptedFetch(() => f.gated(200));
    const d = dispatcher({ fetch: f.fetch, concurrency: 2 });
    for (let i = 0; i < 5; i++) d.enqueue(record(c.dtmf('leg-1', String(i), i * 100)));
    d.start();
    scheduler.advance(0);
    await Promise.resolve();
    assert.equal(d.activeDeliveries, 2);
    while (outcomes.length < 5) {
      f.releaseNext();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await d.idle();
    assert.equal(f.maxActive, 2);
    assert.equal(f.calls.length, 5);
    assert.deepEqual(
      store.webhookDeliveries('call-w').map((r) => r.status),
      ['delivered', 'delivered', 'delivered', 'delivered', 'delivered'],
    );
  });

  it('stop() aborts a delivery in flight without counting it; a new start() sends it again', async () => {
    const f = new ScriptedFetch((n) => (n === 1 ? 'hang' : 200));
    const d = dispatcher({ fetch: f.fetch });
    d.enqueue(record());
    d.start();
    scheduler.advance(0);
    assert.equal(d.activeDeliveries, 1);
    await d.stop();
    assert.equal(d.activeDeliveries, 0);
    assert.equal(outcomes.length, 0);
    assert.deepEqual(
      store.webhookDeliveries('call-w').map((r) => [r.status, r.attempts]),
      [['pending', 0]],
    );
    d.start();
    scheduler.advance(0);
    await d.idle();
    assert.deepEqual(
      outcomes.map((o) => [o.result, o.attempt]),
      [['delivered', 1]],
    );
  });

  it('marks dead a row whose URL is no longer configured', async () => {
    const first = dispatcher({ fetch: new ScriptedFetch(() => 200).fetch });
    first.enqueue(record());
    const f = new ScriptedFetch(() => 200);
    const second = dispatcher({ fetch: f.fetch, targets: [{ url: URL_B, secret: 'b' }] });
    second.start();
    scheduler.advance(0);
    await second.idle();
    assert.equal(f.calls.length, 0);
    assert.deepEqual(
      store.webhookDeliveries('call-w').map((r) => r.status),
      ['dead'],
    );
  });

  it('reports store errors instead of throwing', async () => {
    const errors: unknown[] = [];
    const d = dispatcher({ fetch: new ScriptedFetch(() => 200).fetch, onError: (e) => errors.push(e) });
    const final = record();
    d.start();
    store.close();
    d.enqueue(final);
    scheduler.advance(0);
    await d.idle();
    assert.ok(errors.length >= 2, 'enqueue and the loop both reported');
    assert.ok(errors.every((e) => e instanceof Error));
  });

  it('refuses bad targets and options', () => {
    const fetch = new ScriptedFetch(() => 200).fetch;
    const make = (o: Partial<WebhookDispatcherOptions>) => () =>
      new WebhookDispatcher({ store, targets: [], fetch, ...o });
    assert.throws(make({ targets: [{ url: 'not a url', secret: 's' }] }), InvalidArgumentError);
    assert.throws(make({ targets: [{ url: 'ftp://127.0.0.1/x', secret: 's' }] }), InvalidArgumentError);
    assert.throws(make({ targets: [{ url: URL_A, secret: '' }] }), InvalidArgumentError);
    assert.throws(
      make({
        targets: [
          { url: URL_A, secret: 's' },
          { url: URL_A, secret: 't' },
        ],
      }),
      /configured twice/,
    );
    assert.throws(make({ maxAttempts: 0 }), InvalidArgumentError);
    assert.throws(make({ concurrency: 1.5 }), InvalidArgumentError);
  });
});
