import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SequencedEvent } from '../../../src/api/index.js';
import { EventHub } from '../../../src/api/index.js';
import { InMemoryStore, events } from './in-memory-store.js';

function hubOver(
  store: InMemoryStore,
  onListenerError?: (error: unknown, event: SequencedEvent) => void,
): EventHub {
  return new EventHub({
    record: (event) => store.recordEvent(event),
    replay: (sinceSeq, callId, limit) => store.eventsSince(sinceSeq, callId, limit),
    ...(onListenerError === undefined ? {} : { onListenerError }),
  });
}

describe('EventHub', () => {
  it('records before any subscriber sees the event, and returns the sequenced event', () => {
    const store = new InMemoryStore();
    const hub = hubOver(store);
    const seenPersisted: boolean[] = [];
    hub.subscribe({}, (event) => seenPersisted.push(store.persisted.some((e) => e.seq === event.seq)));
    const first = hub.publish(events.started('c1'));
    const second = hub.publish(events.final('c1', 'hello'));
    assert.equal(first.seq, 1);
    assert.equal(second.seq, 2);
    assert.equal(second.type, 'transcript.final');
    assert.deepEqual(seenPersisted, [true, true]);
    assert.equal(hub.lastSeq, 2);
  });

  it('gives partials a seq without persisting them', () => {
    const store = new InMemoryStore();
    const hub = hubOver(store);
    const seqs: number[] = [];
    hub.subscribe({}, (event) => seqs.push(event.seq));
    hub.publish(events.started('c1'));
    hub.publish(events.partial('c1', 'hel'));
    hub.publish(events.final('c1', 'hello'));
    assert.deepEqual(seqs, [1, 2, 3]);
    assert.deepEqual(
      hub.replay(0).map((e) => [e.seq, e.type]),
      [
        [1, 'call.started'],
        [3, 'transcript.final'],
      ],
    );
  });

  it('filters by callId', () => {
    const hub = hubOver(new InMemoryStore());
    const forC2: string[] = [];
    const all: string[] = [];
    hub.subscribe({ callId: 'c2' }, (event) => forC2.push(`${event.callId}:${event.seq}`));
    hub.subscribe({}, (event) => all.push(`${event.callId}:${event.seq}`));
    hub.publish(events.started('c1'));
    hub.publish(events.started('c2'));
    hub.publish(events.final('c1', 'x'));
    hub.publish(events.final('c2', 'y'));
    assert.deepEqual(forC2, ['c2:2', 'c2:4']);
    assert.deepEqual(all, ['c1:1', 'c2:2', 'c1:3', 'c2:4']);
  });

  it('isolates a throwing subscriber and reports it', () => {
    const errors: [string, number][] = [];
    const hub = hubOver(new InMemoryStore(), (error, event) =>
      errors.push([(error as Error).message, event.seq]),
    );
    const got: number[] = [];
    hub.subscribe({}, () => {
      throw new Error('boom');
    });
    hub.subscribe({}, (event) => got.push(event.seq));
    assert.doesNotThrow(() => hub.publish(events.started('c1')));
    hub.publish(events.ended('c1'));
    assert.deepEqual(got, [1, 2]);
    assert.deepEqual(errors, [
      ['boom', 1],
      ['boom', 2],
    ]);
  });

  it('keeps fanning out when the error reporter itself throws', () => {
    const hub = hubOver(new InMemoryStore(), () => {
      throw new Error('reporter broke');
    });
    const got: number[] = [];
    hub.subscribe({}, () => {
      throw new Error('boom');
    });
    hub.subscribe({}, (event) => got.push(event.seq));
    hub.publish(events.started('c1'));
    assert.deepEqual(got, [1]);
  });

  it('propagates a record failure and fans out nothing', () => {
    const hub = new EventHub({
      record: () => {
        throw new Error('disk full');
      },
      replay: () => [],
    });
    let calls = 0;
    hub.subscribe({}, () => calls++);
    assert.throws(() => hub.publish(events.started('c1')), /disk full/);
    assert.equal(calls, 0);
  });

  it('unsubscribe is idempotent and takes effect for a later subscriber within the same fan-out', () => {
    const hub = hubOver(new InMemoryStore());
    const got: string[] = [];
    let unsubscribeB: () => void = () => undefined;
    hub.subscribe({}, (event) => {
      got.push(`a${event.seq}`);
      unsubscribeB();
    });
    unsubscribeB = hub.subscribe({}, (event) => got.push(`b${event.seq}`));
    hub.publish(events.started('c1'));
    unsubscribeB();
    hub.publish(events.ended('c1'));
    assert.deepEqual(got, ['a1', 'a2']);
    assert.equal(hub.subscriberCount, 1);
  });

  it('starts lastSeq from initialSeq', () => {
    const store = new InMemoryStore();
    store.seq = 41;
    const hub = new EventHub({
      record: (e) => store.recordEvent(e),
      replay: () => [],
      initialSeq: 41,
    });
    assert.equal(hub.lastSeq, 41);
    assert.equal(hub.publish(events.started('c1')).seq, 42);
    assert.equal(hub.lastSeq, 42);
  });
});
