import type { CallEvent, SequencedEvent } from '../contract/index.js';

export interface EventHubOptions {
  /** Persists (finals, dtmf, lifecycle) or just numbers (partials) one event; synchronous. */
  record(event: CallEvent): SequencedEvent;
  /** Persisted events with seq > sinceSeq, ascending; at most `limit` of them when given. */
  replay(sinceSeq: number, callId?: string, limit?: number): SequencedEvent[];
  /** The latest seq already handed out before this hub started (e.g. from the store). */
  initialSeq?: number;
  /** Told about a subscriber that threw; the hub carries on with the others. */
  onListenerError?(error: unknown, event: SequencedEvent): void;
}

export interface EventFilter {
  /** Only this call's events; every call when absent. */
  readonly callId?: string;
}

export type EventListener = (event: SequencedEvent) => void;

interface Subscription {
  readonly callId: string | undefined;
  readonly listener: EventListener;
}

/**
 * The one place a CallEvent becomes a SequencedEvent and reaches its consumers. Recording comes
 * first, so any event a subscriber has seen is already on disk (a final a client saw survives a
 * kill -9); fan-out is synchronous, so subscribers see events in seq order and a subscriber that
 * subscribes and then replays in the same tick can neither miss nor repeat an event.
 */
export class EventHub {
  private readonly subscriptions = new Set<Subscription>();
  private latestSeq: number;

  constructor(private readonly options: EventHubOptions) {
    this.latestSeq = options.initialSeq ?? 0;
  }

  /** The highest seq this hub has published (or was started with). */
  get lastSeq(): number {
    return this.latestSeq;
  }

  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  /** Records the event, then hands it to every matching subscriber. Record errors propagate. */
  publish(event: CallEvent): SequencedEvent {
    const sequenced = this.options.record(event);
    if (sequenced.seq > this.latestSeq) this.latestSeq = sequenced.seq;
    // A copy, so a listener that unsubscribes (or subscribes another) mid-fan-out does not
    // change who gets this event.
    for (const subscription of [...this.subscriptions]) {
      if (subscription.callId !== undefined && subscription.callId !== sequenced.callId) continue;
      if (!this.subscriptions.has(subscription)) continue;
      try {
        subscription.listener(sequenced);
      } catch (error) {
        this.reportListenerError(error, sequenced);
      }
    }
    return sequenced;
  }

  /** Live events from now on; returns the unsubscribe function (idempotent). */
  subscribe(filter: EventFilter, listener: EventListener): () => void {
    const subscription: Subscription = { callId: filter.callId, listener };
    this.subscriptions.add(subscription);
    return () => {
      this.subscriptions.delete(subscription);
    };
  }

  /** Persisted events after `sinceSeq` (no partials), ascending. */
  replay(sinceSeq: number, callId?: string, limit?: number): SequencedEvent[] {
    return this.options.replay(sinceSeq, callId, limit);
  }

  private reportListenerError(error: unknown, event: SequencedEvent): void {
    try {
      this.options.onListenerError?.(error, event);
    } catch {
      // The error reporter itself failed; fan-out must still reach the remaining subscribers.
    }
  }
}
