import { InvalidArgumentError } from './errors.js';

/** What a full channel does with a new item. Live audio drops the oldest: the network cannot wait. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

export interface FrameChannelOptions {
  /** Items held before the overflow policy applies. */
  readonly capacity: number;
  readonly overflow?: OverflowPolicy;
}

/**
 * The one place where a push source (a UDP socket, a WebSocket) meets a pull consumer (a
 * recognizer reading an AsyncIterable). `push` never blocks and never grows the queue past
 * `capacity`; what overflows is dropped by policy and counted. One consumer iterates; breaking
 * out of the loop closes the channel, so the producer learns to stop (`closed`).
 */
export class FrameChannel<T> implements AsyncIterable<T> {
  private readonly capacity: number;
  private readonly overflow: OverflowPolicy;
  // A ring of `capacity` slots, so push and shift are O(1) without array shifting.
  private readonly ring: (T | undefined)[];
  private head = 0;
  private count = 0;
  private waiter: ((result: IteratorResult<T>) => void) | undefined;
  private failWaiter: ((error: Error) => void) | undefined;
  private isClosed = false;
  private failure: { error: Error } | undefined;
  private iterating = false;
  /** Items dropped by the overflow policy since the channel was made. */
  dropped = 0;

  constructor(options: FrameChannelOptions) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new InvalidArgumentError(
        `FrameChannel capacity must be a positive integer, not ${options.capacity}`,
      );
    }
    this.capacity = options.capacity;
    this.overflow = options.overflow ?? 'drop-oldest';
    this.ring = new Array<T | undefined>(this.capacity).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  /** True once closed by either side; pushes are then ignored. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Offers an item; returns false if it was not queued (closed, or dropped as the newest). */
  push(item: T): boolean {
    if (this.isClosed) return false;
    if (this.waiter !== undefined) {
      const resolve = this.waiter;
      this.clearWaiter();
      resolve({ value: item, done: false });
      return true;
    }
    if (this.count === this.capacity) {
      this.dropped++;
      if (this.overflow === 'drop-newest') return false;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
    }
    this.ring[(this.head + this.count) % this.capacity] = item;
    this.count++;
    return true;
  }

  /** No more items: the consumer drains what is queued, then its loop ends. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.waiter !== undefined && this.count === 0) {
      const resolve = this.waiter;
      this.clearWaiter();
      resolve({ value: undefined, done: true });
    }
  }

  /** Ends the stream with an error, thrown to the consumer after the queued items. */
  fail(error: Error): void {
    if (this.isClosed) return;
    this.failure = { error };
    this.isClosed = true;
    if (this.failWaiter !== undefined && this.count === 0) {
      const reject = this.failWaiter;
      this.clearWaiter();
      reject(error);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterating) throw new InvalidArgumentError('a FrameChannel has exactly one consumer');
    this.iterating = true;
    return {
      next: () => this.next(),
      return: () => {
        // The consumer stopped: drop what is queued and tell the producer through `closed`.
        this.isClosed = true;
        this.ring.fill(undefined);
        this.count = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private next(): Promise<IteratorResult<T>> {
    if (this.count > 0) {
      const value = this.ring[this.head] as T;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      return Promise.resolve({ value, done: false });
    }
    if (this.failure !== undefined) return Promise.reject(this.failure.error);
    if (this.isClosed) return Promise.resolve({ value: undefined, done: true });
    return new Promise<IteratorResult<T>>((resolve, reject) => {
      this.waiter = resolve;
      this.failWaiter = reject;
    });
  }

  private clearWaiter(): void {
    this.waiter = undefined;
    this.failWaiter = undefined;
  }
}
