import { FakeClock, FakeScheduler } from '../../../src/sip/transaction/testing.js';
import type { TimerHandle, TimerScheduler } from '../../../src/core/index.js';

export { FakeClock, FakeScheduler };

/** Lets pending promise callbacks and I/O callbacks run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Advances fake time one millisecond at a time, letting promise callbacks run in between, so an
 * async producer answers at the fake instant it was asked.
 */
export async function advance(scheduler: FakeScheduler, ms: number): Promise<void> {
  for (let i = 0; i < ms; i++) {
    await flush();
    scheduler.advance(1);
  }
  await flush();
}

/** A scheduler whose timers fire late: `extraMs(n)` is added to the n-th timer set (from 0). */
export function lateScheduler(inner: FakeScheduler, extraMs: (n: number) => number): TimerScheduler {
  let n = 0;
  return {
    clock: inner.clock,
    set: (delayMs: number, fn: () => void): TimerHandle => inner.set(delayMs + extraMs(n++), fn),
    clear: (handle: TimerHandle) => inner.clear(handle),
  };
}

/**
 * An async producer the test feeds by hand: `push` frames, `end()`, `fail()`. Records whether the
 * consumer called `return()` and how many frames are still waiting to be pulled.
 */
export class ManualProducer implements AsyncIterable<Uint8Array> {
  readonly waiting: Uint8Array[] = [];
  returned = false;
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  push(...frames: Uint8Array[]): void {
    this.waiting.push(...frames);
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  fail(error: Error): void {
    this.#error = error;
    this.#wake?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async (): Promise<IteratorResult<Uint8Array>> => {
        for (;;) {
          if (this.#error !== undefined) throw this.#error;
          const frame = this.waiting.shift();
          if (frame !== undefined) return { done: false, value: frame };
          if (this.#ended || this.returned) return { done: true, value: undefined };
          await new Promise<void>((resolve) => (this.#wake = resolve));
        }
      },
      return: (): Promise<IteratorResult<Uint8Array>> => {
        this.returned = true;
        this.#wake?.();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}

/** Frame i is 160 bytes of the value i, so a received payload tells which frame it was. */
export function frames(count: number, first = 0): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => new Uint8Array(160).fill((first + i) & 0xff));
}
