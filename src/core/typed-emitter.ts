/** Event name → listener signature. */
export type EventListeners<Events> = { [K in keyof Events]: (...args: never[]) => void };

export interface TypedEmitterOptions {
  /**
   * Called when a listener throws. The default reports it as a process warning: a broken listener
   * must neither stop the other listeners nor unwind into the code that emitted (often a socket
   * handler or a media tick).
   */
  readonly onListenerError?: (error: unknown, event: string) => void;
}

function warnListenerError(error: unknown, event: string): void {
  const detail = error instanceof Error ? error.message : String(error);
  process.emitWarning(`a listener for "${event}" threw: ${detail}`, 'VoxListenerWarning');
}

/**
 * A small typed event emitter for lifecycle events (never audio). `emit` is safe: every listener
 * runs even if an earlier one throws, and listeners added or removed during an emit take effect
 * from the next emit. `on` returns the function that removes the listener.
 */
export class TypedEmitter<Events extends EventListeners<Events>> {
  private readonly listeners = new Map<keyof Events, Events[keyof Events][]>();
  private readonly onListenerError: (error: unknown, event: string) => void;

  constructor(options: TypedEmitterOptions = {}) {
    this.onListenerError = options.onListenerError ?? warnListenerError;
  }

  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    const current = this.listeners.get(event) ?? [];
    // Copy on write, so an emit in progress keeps iterating the list it started with.
    this.listeners.set(event, [...current, listener]);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: Events[K]): void {
    const current = this.listeners.get(event);
    if (current === undefined) return;
    const index = current.indexOf(listener);
    if (index < 0) return;
    const next = current.filter((_, i) => i !== index);
    if (next.length === 0) this.listeners.delete(event);
    else this.listeners.set(event, next);
  }

  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  removeAllListeners(): void {
    this.listeners.clear();
  }

  emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    const current = this.listeners.get(event);
    if (current === undefined) return;
    for (const listener of current) {
      try {
        (listener as (...a: Parameters<Events[K]>) => void)(...args);
      } catch (error) {
        this.reportError(error, String(event));
      }
    }
  }

  private reportError(error: unknown, event: string): void {
    try {
      this.onListenerError(error, event);
    } catch {
      // The error handler itself failed; there is nobody left to tell, and emit must not throw.
    }
  }
}
