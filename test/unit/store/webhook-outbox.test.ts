import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { SequencedEvent } from '../../../src/api/contract/index.js';
import { CallScript, StoreFixture, T0 } from './support.js';

const URL_A = 'http://127.0.0.1:9/a';
const URL_B = 'http://127.0.0.1:9/b';

describe('Store webhook outbox', () => {
  let fx: StoreFixture;
  beforeEach(() => {
    fx = new StoreFixture();
  });
  afterEach(() => fx.cleanup());

  function recorded(): {
    store: ReturnType<StoreFixture['open']>;
    final: SequencedEvent;
    ended: SequencedEvent;
  } {
    const store = fx.open();
    const c = new CallScript('call-w');
    store.recordEvent(c.started());
    const final = store.recordEvent(c.final('leg-1', 'caller', 'hello', 0, 900));
    const ended = store.recordEvent(c.ended(1000));
    return { store, final, ended };
  }

  it('stores one row per enqueue, due now, with the event as its exact JSON body', () => {
    const { store, final, ended } = recorded();
    store.enqueueWebhook(URL_A, final);
    store.enqueueWebhook(URL_B, final);
    store.enqueueWebhook(URL_A, ended);
    const due = store.dueWebhooks(T0, 10);
    assert.deepEqual(
      due.map((d) => [d.url, d.eventType, d.seq, d.attempts]),
      [
        [URL_A, 'transcript.final', 2, 0],
        [URL_B, 'transcript.final', 2, 0],
        [URL_A, 'call.ended', 3, 0],
      ],
    );
    assert.deepEqual(JSON.parse(due[0]?.body ?? ''), final);
    assert.ok(
      due.every((d, i) => i === 0 || d.id > (due[i - 1]?.id ?? 0)),
      'ids ascend',
    );
    assert.equal(store.dueWebhooks(T0, 2).length, 2, 'limit');
    assert.deepEqual(store.dueWebhooks(T0 - 1, 10), [], 'not due before it was enqueued');
    assert.deepEqual(store.webhookCounts(), { pending: 3, delivered: 0, dead: 0 });
  });

  it('retries failed rows when they fall due, counts attempts, keeps the last error', () => {
    const { store, final } = recorded();
    store.enqueueWebhook(URL_A, final);
    const [row] = store.dueWebhooks(T0, 10);
    assert.ok(row !== undefined);
    store.markWebhookFailed(row.id, T0 + 1000, 'HTTP 500');
    assert.deepEqual(store.dueWebhooks(T0 + 999, 10), []);
    assert.equal(store.nextWebhookAtMs(), T0 + 1000);
    assert.equal(store.nextWebhookAtMs(T0 + 1000), null, 'none due after');
    assert.equal(store.nextWebhookAtMs(T0 + 999), T0 + 1000);
    assert.equal(store.dueWebhooks(T0 + 1000, 10)[0]?.attempts, 1);
    store.markWebhookFailed(row.id, T0 + 3000, 'x'.repeat(10_000));
    const [delivery] = store.webhookDeliveries('call-w');
    assert.equal(delivery?.attempts, 2);
    assert.equal(delivery.lastError?.length, 500, 'error text is bounded');
    store.markWebhookDelivered(row.id);
    assert.deepEqual(store.dueWebhooks(Number.MAX_SAFE_INTEGER, 10), []);
    assert.equal(store.nextWebhookAtMs(), null);
    const [done] = store.webhookDeliveries('call-w');
    assert.deepEqual([done?.status, done?.attempts, done?.lastError], ['delivered', 3, null]);
    store.markWebhookFailed(row.id, T0, 'late failure');
    assert.equal(store.webhookDeliveries('call-w')[0]?.status, 'delivered', 'a finished row stays finished');
  });

  it('keeps a dead row, no longer due', () => {
    const { store, final } = recorded();
    store.enqueueWebhook(URL_A, final);
    const id = store.dueWebhooks(T0, 1)[0]?.id ?? -1;
    store.markWebhookDead(id, 'HTTP 410');
    assert.deepEqual(store.dueWebhooks(Number.MAX_SAFE_INTEGER, 10), []);
    assert.deepEqual(store.webhookCounts(), { pending: 0, delivered: 0, dead: 1 });
    const [row] = store.webhookDeliveries('call-w');
    assert.deepEqual([row?.status, row?.attempts, row?.lastError], ['dead', 1, 'HTTP 410']);
  });

  it('survives a restart: pending rows are due again after reopening', () => {
    const { store, final } = recorded();
    store.enqueueWebhook(URL_A, final);
    store.close();
    const again = fx.open();
    assert.deepEqual(
      again.dueWebhooks(T0, 10).map((d) => JSON.parse(d.body) as unknown),
      [final],
    );
  });

  it('enqueues nothing for a call that was deleted, and never reuses a delivery id', () => {
    const { store, final } = recorded();
    store.enqueueWebhook(URL_A, final);
    const firstId = store.dueWebhooks(T0, 1)[0]?.id ?? -1;
    assert.equal(store.deleteCall('call-w'), true);
    store.enqueueWebhook(URL_A, final);
    assert.deepEqual(store.dueWebhooks(Number.MAX_SAFE_INTEGER, 10), []);
    const c = new CallScript('call-x');
    store.recordEvent(c.started());
    store.enqueueWebhook(URL_A, store.recordEvent(c.ended(5)));
    const [next] = store.dueWebhooks(Number.MAX_SAFE_INTEGER, 10);
    assert.ok((next?.id ?? -1) > firstId, 'AUTOINCREMENT ids');
  });
});
