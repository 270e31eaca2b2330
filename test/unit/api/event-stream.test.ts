import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventSocket, EventStreamLimits } from '../../../src/api/index.js';
import { EventHub, EventStream } from '../../../src/api/index.js';
import { InMemoryStore, events } from './in-memory-store.js';

/**
 * A socket whose backlog the test sets, and whose write callbacks the test releases. Like `ws`
 * 8 (websocket.js send → sender → net.Socket write), a completed write calls back with `null`,
 * not `undefined`, and a send on a socket that is no longer open calls back with an Error.
 */
class FakeSocket implements EventSocket {
  bufferedAmount = 0;
  readyState = 1;
  readonly sent: Record<string, unknown>[] = [];
  readonly pendingWrites: ((error?: Error | null) => void)[] = [];
  closedWith: { code: number; reason: string } | undefined;

  send(data: string, callback?: (error?: Error | null) => void): void {
    if (this.readyState !== 1) {
      if (callback !== undefined) process.nextTick(callback, new Error('WebSocket is not open'));
      return;
    }
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
    if (callback !== undefined) this.pendingWrites.push(callback);
  }

  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    this.readyState = 2;
  }

  /** Completes every write waiting for the socket, as the kernel taking the bytes would. */
  flush(): void {
    while (this.pendingWrites.length > 0) this.pendingWrites.shift()?.(null);
  }

  seqs(): number[] {
    return this.sent
      .filter((m) => typeof m.seq === 'number' && m.type !== 'subscribed')
      .map((m) => m.seq as number);
  }
}

function setup(limits: Partial<EventStreamLimits> = {}) {
  const store = new InMemoryStore();
  const hub = new EventHub({
    record: (e) => store.recordEvent(e),
    replay: (s, c, l) => store.eventsSince(s, c, l),
  });
  const socket = new FakeSocket();
  const slow: string[] = [];
  const stream = new EventStream({
    source: hub,
    socket,
    limits,
    onSlowConsumer: (reason) => slow.push(reason),
  });
  return { store, hub, socket, stream, slow };
}

describe('EventStream', () => {
  it('answers subscribe with the current seq, then sends live events of the subscribed call only', () => {
    const { hub, socket, stream } = setup();
    hub.publish(events.started('c1'));
    hub.publish(events.started('c2'));
    stream.subscribe('c2', undefined);
    hub.publish(events.partial('c1', 'a'));
    hub.publish(events.partial('c2', 'b'));
    hub.publish(events.final('c2', 'bee'));
    assert.deepEqual(socket.sent[0], { type: 'subscribed', seq: 2, callId: 'c2' });
    assert.deepEqual(
      socket.sent.slice(1).map((m) => [m.type, m.seq, m.text]),
      [
        ['transcript.partial', 4, 'b'],
        ['transcript.final', 5, 'bee'],
      ],
    );
  });

  it('replays persisted events after sinceSeq (no partials), then live, without gap or duplicate', () => {
    const { hub, socket, stream } = setup({ replayPageSize: 2 });
    hub.publish(events.started('c1')); // 1
    hub.publish(events.final('c1', 'one')); // 2
    hub.publish(events.partial('c1', 'tw')); // 3
    hub.publish(events.final('c1', 'two')); // 4
    hub.publish(events.dtmf('c1', '5')); // 5
    hub.publish(events.final('c1', 'three')); // 6
    stream.subscribe(undefined, 1);
    // First page (2, 4) is out; the next waits for the write. Live events arrive meanwhile.
    assert.deepEqual(socket.seqs(), [2, 4]);
    hub.publish(events.partial('c1', 'fo')); // 7
    hub.publish(events.final('c1', 'four')); // 8
    assert.deepEqual(socket.seqs(), [2, 4], 'live events wait behind the replay');
    socket.flush(); // page 2: 5, 6 (and 8, persisted after subscribe, is in the store too)
    socket.flush(); // page 3: 8, short page: replay done, held 7 is older than 8 so dropped, 8 dup dropped
    socket.flush();
    hub.publish(events.final('c1', 'five')); // 9
    assert.deepEqual(socket.seqs(), [2, 4, 5, 6, 8, 9]);
    assert.equal(stream.stats.replayed, 5);
    assert.equal(socket.sent[0]?.type, 'subscribed');
    assert.equal(socket.sent[0]?.seq, 6);
  });

  it('after a short replay sends the held live events in order', () => {
    const { hub, socket, stream } = setup({ replayPageSize: 10 });
    hub.publish(events.started('c1'));
    hub.publish(events.final('c1', 'one'));
    stream.subscribe('c1', 0);
    hub.publish(events.partial('c1', 'tw'));
    hub.publish(events.final('c1', 'two'));
    assert.deepEqual(socket.seqs(), [1, 2, 3, 4]);
  });

  it('drops partials above the soft bound but still sends finals; closes 1013 above the hard bound', () => {
    const { hub, socket, stream, slow } = setup({ softLimitBytes: 1000, hardLimitBytes: 5000 });
    stream.subscribe(undefined, undefined);
    hub.publish(events.partial('c1', 'a')); // 1 sent
    socket.bufferedAmount = 2000;
    hub.publish(events.partial('c1', 'ab')); // 2 dropped
    hub.publish(events.final('c1', 'abc')); // 3 sent
    hub.publish(events.partial('c1', 'abcd')); // 4 dropped
    socket.bufferedAmount = 500;
    hub.publish(events.partial('c1', 'abcde')); // 5 sent
    socket.bufferedAmount = 6000;
    hub.publish(events.final('c1', 'x')); // 6: closes
    hub.publish(events.final('c1', 'y')); // 7: unsubscribed
    assert.deepEqual(socket.seqs(), [1, 3, 5]);
    assert.equal(stream.stats.droppedPartials, 2);
    assert.equal(socket.closedWith?.code, 1013);
    assert.match(socket.closedWith?.reason ?? '', /^slow consumer: 6000 bytes/);
    assert.equal(slow.length, 1);
    assert.equal(hub.subscriberCount, 0);
  });

  it('closes 1013 after too many finals sent while behind', () => {
    const { hub, socket, stream } = setup({
      softLimitBytes: 1000,
      hardLimitBytes: 1e9,
      maxBackloggedEvents: 3,
    });
    stream.subscribe(undefined, undefined);
    socket.bufferedAmount = 2000;
    for (let i = 0; i < 5; i++) hub.publish(events.final('c1', `f${i}`));
    assert.deepEqual(socket.seqs(), [1, 2, 3]);
    assert.equal(socket.closedWith?.code, 1013);
    assert.match(socket.closedWith?.reason ?? '', /4 events sent while behind/);
  });

  it('forgives a backlog once the client catches up', () => {
    const { hub, socket, stream } = setup({
      softLimitBytes: 1000,
      hardLimitBytes: 1e9,
      maxBackloggedEvents: 2,
    });
    stream.subscribe(undefined, undefined);
    for (let round = 0; round < 3; round++) {
      socket.bufferedAmount = 2000;
      hub.publish(events.final('c1', 'a'));
      hub.publish(events.final('c1', 'b'));
      socket.bufferedAmount = 0;
      hub.publish(events.final('c1', 'c'));
    }
    assert.equal(socket.closedWith, undefined);
    assert.equal(socket.seqs().length, 9);
  });

  it('bounds events held during a replay: partials go first, then the client', () => {
    const { hub, socket, stream } = setup({ replayPageSize: 1, maxHeldDuringReplay: 2 });
    hub.publish(events.final('c1', 'old1')); // 1
    hub.publish(events.final('c1', 'old2')); // 2
    stream.subscribe(undefined, 0); // sends 1, waits
    hub.publish(events.partial('c1', 'p')); // 3 held
    hub.publish(events.dtmf('c1', '1')); // 4 held (persisted too)
    hub.publish(events.partial('c1', 'q')); // 5: held full, drops partial 3, holds 5
    assert.equal(stream.stats.droppedPartials, 1);
    hub.publish(events.partial('c1', 'r')); // 6: drops 5, holds 6
    assert.equal(stream.stats.droppedPartials, 2);
    hub.publish(events.final('c1', 'f')); // 7: drops 6, holds 7
    hub.publish(events.final('c1', 'g')); // 8: no partial left to drop: close
    assert.equal(socket.closedWith?.code, 1013);
    assert.deepEqual(socket.seqs(), [1]);
    assert.equal(hub.subscriberCount, 0);
  });

  it('unsubscribe stops events and abandons a replay in progress', () => {
    const { hub, socket, stream } = setup({ replayPageSize: 1 });
    hub.publish(events.final('c1', 'a'));
    hub.publish(events.final('c1', 'b'));
    stream.subscribe(undefined, 0);
    stream.unsubscribeAll();
    socket.flush();
    hub.publish(events.final('c1', 'c'));
    assert.deepEqual(socket.seqs(), [1]);
    assert.equal(hub.subscriberCount, 0);
  });

  it('a second subscribe replaces the first', () => {
    const { hub, socket, stream } = setup();
    stream.subscribe('c1', undefined);
    stream.subscribe('c2', undefined);
    hub.publish(events.started('c1'));
    hub.publish(events.started('c2'));
    assert.deepEqual(socket.seqs(), [2]);
    assert.equal(hub.subscriberCount, 1);
  });

  it('reports a failing replay as an error message and goes live', () => {
    const socket = new FakeSocket();
    const store = new InMemoryStore();
    const hub = new EventHub({
      record: (e) => store.recordEvent(e),
      replay: () => {
        throw new Error('db locked');
      },
    });
    const stream = new EventStream({ source: hub, socket });
    stream.subscribe(undefined, 0);
    hub.publish(events.started('c1'));
    assert.deepEqual(
      socket.sent.map((m) => m.type),
      ['subscribed', 'error', 'call.started'],
    );
  });

  it('dispose releases the subscription and sends nothing more', () => {
    const { hub, socket, stream } = setup();
    stream.subscribe(undefined, undefined);
    stream.dispose();
    stream.subscribe(undefined, undefined);
    hub.publish(events.started('c1'));
    assert.deepEqual(socket.sent.length, 1);
    assert.equal(hub.subscriberCount, 0);
  });
});
