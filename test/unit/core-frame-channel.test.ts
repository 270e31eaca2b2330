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
});
