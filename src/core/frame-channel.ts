import { InvalidArgumentError } from './errors.js';

/** What a full channel does with a new item. Live audio drops the oldest: the network cannot wait. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

export interface FrameChannelOptions<T> {
  /** Items held before the overflow policy applies. */
  readonly capacity: number;
  readonly overflow?: OverflowPolicy;
  /**
   * A second bound, on the summed `weigh(item)` of what is queued (e.g. samples of audio, so the
   * bound is a duration whatever the frame size). Both bounds hold; `weigh` must return a finite
   * number >= 0. Without `maxWeight` only `capacity` counts.
   */
  readonly maxWeight?: number;
  readonly weigh?: (item: T) => number;
  /** Told about every item the overflow policy drops, in the order dropped. Must not throw. */
  readonly onDrop?: (item: T) => void;
}

/**
 * The one place where a push source (a UDP socket, a WebSocket) meets a pull consumer (a
 * recognizer reading an AsyncIterable). `push` never blocks and never grows the queue past
 * `capacity`; what overflows is dropped by policy and counted. One consumer iterates; breaking
 * out of the loop closes the channel, so the producer learns to stop (`closed`).
 *
 * The ring starts small and doubles up to `capacity`, so a channel sized for many seconds of
 * audio costs memory only while it actually holds that much.
 */
/** Slots a new channel's ring starts with. */
const INITIAL_SLOTS = 16;

export class FrameChannel<T> implements AsyncIterable<T> {
  private readonly capacity: number;
  private readonly overflow: OverflowPolicy;
  private readonly maxWeight: number;
  private readonly weigh: ((item: T) => number) | undefined;
  private readonly onDrop: ((item: T) => void) | undefined;
  // A ring of at most `capacity` slots, so push and shift are O(1) without array shifting.
  private ring: (T | undefined)[];
  private head = 0;
  private count = 0;
  private queuedWeight = 0;
  private waiter: ((result: IteratorResult<T>) => void) | undefined;
  private failWaiter: ((error: Error) => void) | undefined;
  private isClosed = false;
  private failure: { error: Error } | undefined;
  private iterating = false;
  /** Items dropped by the overflow policy since the channel was made. */
  dropped = 0;
  /** Summed weight of the dropped items (0 without `weigh`). */
  droppedWeight = 0;

  constructor(options: FrameChannelOptions<T>) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new InvalidArgumentError(
        `FrameChannel capacity must be a positive integer, not ${options.capacity}`,
      );
    }
    if (options.maxWeight !== undefined && !(options.maxWeight > 0 && options.weigh !== undefined)) {
      throw new InvalidArgumentError('FrameChannel maxWeight must be positive and come with weigh');
    }
    this.capacity = options.capacity;
    this.overflow = options.overflow ?? 'drop-oldest';
    this.maxWeight = options.maxWeight ?? Number.POSITIVE_INFINITY;
    this.weigh = options.weigh;
    this.onDrop = options.onDrop;
    this.ring = new Array<T | undefined>(Math.min(this.capacity, INITIAL_SLOTS)).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  /** Summed weight of the queued items (0 without `weigh`). */
  get weight(): number {
    return this.queuedWeight;
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
    const itemWeight = this.weightOf(item);
    if (this.isFull(itemWeight) && this.overflow === 'drop-newest') {
      this.countDrop(item, itemWeight);
      return false;
    }
    while (this.isFull(itemWeight)) this.countDrop(this.shift(), NaN);
    if (this.count === this.ring.length) this.grow();
    this.ring[(this.head + this.count) % this.ring.length] = item;
    this.count++;
    this.queuedWeight += itemWeight;
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
        this.queuedWeight = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private next(): Promise<IteratorResult<T>> {
    if (this.count > 0) return Promise.resolve({ value: this.shift(), done: false });
    if (this.failure !== undefined) return Promise.reject(this.failure.error);
    if (this.isClosed) return Promise.resolve({ value: undefined, done: true });
    return new Promise<IteratorResult<T>>((resolve, reject) => {
      this.waiter = resolve;
      this.failWaiter = reject;
    });
  }

  /** True if `itemWeight` more does not fit. An empty channel takes any one item. */
  private isFull(itemWeight: number): boolean {
    if (this.count === 0) return false;
    return this.count === this.capacity || this.queuedWeight + itemWeight > this.maxWeight;
  }

  /** Takes the oldest queued item; the caller checked that there is one. */
  private shift(): T {
    const value = this.ring[this.head] as T;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.ring.length;
    this.count--;
    this.queuedWeight = this.count === 0 ? 0 : this.queuedWeight - this.weightOf(value);
    return value;
  }

  private countDrop(item: T, knownWeight: number): void {
    this.dropped++;
    this.droppedWeight += Number.isNaN(knownWeight) ? this.weightOf(item) : knownWeight;
    this.onDrop?.(item);
  }

  private weightOf(item: T): number {
    return this.weigh === undefined ? 0 : this.weigh(item);
  }

  /** Doubles the ring (up to `capacity`), unrolling it so the oldest item is at slot 0. */
  private grow(): void {
    const size = Math.min(this.capacity, this.ring.length * 2);
    const next = new Array<T | undefined>(size).fill(undefined);
    for (let i = 0; i < this.count; i++) next[i] = this.ring[(this.head + i) % this.ring.length];
    this.ring = next;
    this.head = 0;
  }

  private clearWaiter(): void {
    this.waiter = undefined;
    this.failWaiter = undefined;
  }
}
