import type { TimerHandle, TimerScheduler } from '../transaction/index.js';

/**
 * A TimerScheduler that remembers every pending timer it set, so that shutdown can stop all of
 * them at once: the user agent's own and those of the transactions it runs.
 */
export class TrackingScheduler implements TimerScheduler {
  private readonly handles = new Set<TimerHandle>();

  constructor(private readonly inner: TimerScheduler) {}

  get clock(): TimerScheduler['clock'] {
    return this.inner.clock;
  }

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.handles.size;
  }

  set(delayMs: number, fn: () => void): TimerHandle {
    const handle: TimerHandle = this.inner.set(delayMs, () => {
      this.handles.delete(handle);
      fn();
    });
    this.handles.add(handle);
    return handle;
  }

  clear(handle: TimerHandle): void {
    this.handles.delete(handle);
    this.inner.clear(handle);
  }

  clearAll(): void {
    for (const handle of this.handles) this.inner.clear(handle);
    this.handles.clear();
  }
}
