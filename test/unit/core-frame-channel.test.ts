import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FrameChannel } from '../../src/core/index.js';

async function drain<T>(channel: FrameChannel<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of channel) out.push(item);
  return out;
}

describe('FrameChannel', () => {
  it('delivers in order to a waiting consumer and ends on close', async () => {
    const channel = new FrameChannel<number>({ capacity: 4 });
    const result = drain(channel);
    for (let i = 0; i < 10; i++) {
      channel.push(i);
      await Promise.resolve();
    }
    channel.close();
    assert.deepEqual(await result, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(channel.dropped, 0);
  });

  it('drops the oldest when full and counts it (live audio)', async () => {
    const channel = new FrameChannel<number>({ capacity: 3 });
    for (let i = 0; i < 7; i++) channel.push(i);
    channel.close();
    assert.deepEqual(await drain(channel), [4, 5, 6]);
    assert.equal(channel.dropped, 4);
  });

  it('drops the newest when asked to', async () => {
    const channel = new FrameChannel<number>({ capacity: 2, overflow: 'drop-newest' });
    assert.deepEqual(
      [1, 2, 3].map((i) => channel.push(i)),
      [true, true, false],
    );
    channel.close();
    assert.deepEqual(await drain(channel), [1, 2]);
    assert.equal(channel.dropped, 1);
  });

  it('throws a failure after the queued items', async () => {
    const channel = new FrameChannel<number>({ capacity: 4 });
    channel.push(1);
    const boom = new Error('socket closed');
    channel.fail(boom);
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const item of channel) seen.push(item);
      })(),
      (err: unknown) => err === boom,
    );
    assert.deepEqual(seen, [1]);
  });

  it('rejects a waiting consumer when failed while empty', async () => {
    const channel = new FrameChannel<number>({ capacity: 4 });
    const result = drain(channel);
    await Promise.resolve();
    channel.fail(new Error('gone'));
    await assert.rejects(result, /gone/);
  });

  it('a consumer that breaks closes the channel for the producer', async () => {
    const channel = new FrameChannel<number>({ capacity: 4 });
    channel.push(1);
    channel.push(2);
    for await (const item of channel) {
      assert.equal(item, 1);
      break;
    }
    assert.equal(channel.closed, true);
    assert.equal(channel.push(3), false);
    assert.equal(channel.size, 0);
  });

  it('allows one consumer only', () => {
    const channel = new FrameChannel<number>({ capacity: 1 });
    channel[Symbol.asyncIterator]();
    assert.throws(() => channel[Symbol.asyncIterator](), /one consumer/);
  });

  it('property: delivered = the last `capacity` of each burst, in order, and delivered + dropped = pushed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 20 }),
        async (capacity, bursts) => {
          const channel = new FrameChannel<number>({ capacity });
          const got: number[] = [];
          const iterator = channel[Symbol.asyncIterator]();
          let next = 0;
          const expected: number[] = [];
          for (const burst of bursts) {
            const pushed = Array.from({ length: burst }, () => next++);
            for (const item of pushed) channel.push(item);
            expected.push(...pushed.slice(-capacity));
            // The consumer catches up between bursts.
            while (channel.size > 0) got.push((await iterator.next()).value as number);
          }
          assert.deepEqual(got, expected);
          assert.equal(got.length + channel.dropped, next);
        },
      ),
    );
  });
  it('bounds the summed weight too, drops the oldest until the new item fits, and reports each drop', async () => {
    const dropped: number[] = [];
    const channel = new FrameChannel<number>({
      capacity: 100,
      maxWeight: 10,
      weigh: (n) => n,
      onDrop: (n) => dropped.push(n),
    });
    for (const n of [3, 3, 3]) channel.push(n);
    assert.equal(channel.weight, 9);
    // 9 + 4 > 10: the oldest 3 goes; 6 + 4 = 10 fits.
    channel.push(4);
    assert.deepEqual(dropped, [3]);
    assert.equal(channel.weight, 10);
    // 10 + 8: two more must go (3 and 3), then 4 + 8 > 10, so the 4 goes as well.
    channel.push(8);
    assert.deepEqual(dropped, [3, 3, 3, 4]);
    assert.equal(channel.dropped, 4);
    assert.equal(channel.droppedWeight, 13);
    channel.close();
    assert.deepEqual(await drain(channel), [8]);
    assert.equal(channel.weight, 0);
  });

  it('takes one item heavier than maxWeight into an empty channel rather than lose it', async () => {
    const channel = new FrameChannel<number>({ capacity: 4, maxWeight: 5, weigh: (n) => n });
    assert.equal(channel.push(7), true);
    channel.close();
    assert.deepEqual(await drain(channel), [7]);
    assert.equal(channel.dropped, 0);
  });

  it('grows its ring on demand, keeping order across the wrap, and never past capacity', async () => {
    const channel = new FrameChannel<number>({ capacity: 40 });
    const iterator = channel[Symbol.asyncIterator]();
    // Wrap the initial ring first, so growth has to unroll it.
    for (let i = 0; i < 10; i++) channel.push(i);
    for (let i = 0; i < 10; i++) assert.equal((await iterator.next()).value, i);
    for (let i = 10; i < 60; i++) channel.push(i);
    assert.equal(channel.size, 40);
    assert.equal(channel.dropped, 10);
    const got: number[] = [];
    while (channel.size > 0) got.push((await iterator.next()).value as number);
    assert.deepEqual(
      got,
      Array.from({ length: 40 }, (_, i) => i + 20),
    );
  });

  it('refuses maxWeight without weigh', () => {
    assert.throws(() => new FrameChannel<number>({ capacity: 2, maxWeight: 3 }), /weigh/);
  });
});
