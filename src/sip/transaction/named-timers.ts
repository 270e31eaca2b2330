import type { TimerHandle, TimerScheduler } from './timer-scheduler.js';

/** The named RFC 3261 timers (A, B, E, ...) one transaction runs, so they can all be stopped at once. */
export class NamedTimers {
  private readonly handles = new Map<string, TimerHandle>();

  constructor(private readonly scheduler: TimerScheduler) {}

  start(name: string, delayMs: number, fn: () => void): void {
    this.stop(name);
    const handle = this.scheduler.set(delayMs, () => {
      this.handles.delete(name);
      fn();
    });
    this.handles.set(name, handle);
  }

  stop(name: string): void {
    const handle = this.handles.get(name);
    if (handle === undefined) return;
    this.scheduler.clear(handle);
    this.handles.delete(name);
  }

  stopAll(): void {
    for (const handle of this.handles.values()) this.scheduler.clear(handle);
    this.handles.clear();
  }
}
