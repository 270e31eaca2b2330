import type { SequencedEvent, WsServerMessage } from '../contract/index.js';
import { WS_CLOSE_SLOW_CONSUMER } from '../contract/index.js';

/** The part of a `ws` WebSocket the stream uses (a fake in unit tests). */
export interface EventSocket {
  /** Bytes queued but not yet written to the kernel (ws: writable buffer + sender queue). */
  readonly bufferedAmount: number;
  /** 1 = OPEN (RFC 6455 / WHATWG readyState). */
  readonly readyState: number;
  /**
   * `callback` runs once the frame has been written: `ws` 8 passes `null` on success (what
   * net.Socket's write callback gets), an Error when the socket was not open or the write failed.
   */
  send(data: string, callback?: (error?: Error | null) => void): void;
  close(code: number, reason: string): void;
}

/** The part of EventHub a stream uses. */
export interface EventSource {
  readonly lastSeq: number;
  subscribe(filter: { callId?: string }, listener: (event: SequencedEvent) => void): () => void;
  replay(sinceSeq: number, callId?: string, limit?: number): SequencedEvent[];
}

export interface EventStreamLimits {
  /** Above this many buffered bytes, partials for this client are dropped (and counted). */
  readonly softLimitBytes: number;
  /** Above this many buffered bytes the client is closed with 1013. */
  readonly hardLimitBytes: number;
  /** Non-partial events sent while above the soft bound before the client is closed with 1013. */
  readonly maxBackloggedEvents: number;
  /** Persisted events fetched per replay page; the next page waits until this one is written. */
  readonly replayPageSize: number;
  /** Live events held while a replay runs; past it partials are dropped, then the client closed. */
  readonly maxHeldDuringReplay: number;
}

export const defaultEventStreamLimits: EventStreamLimits = {
  softLimitBytes: 256 * 1024,
  hardLimitBytes: 4 * 1024 * 1024,
  maxBackloggedEvents: 2000,
  replayPageSize: 500,
  maxHeldDuringReplay: 5000,
};

export interface EventStreamStats {
  sent: number;
  replayed: number;
  droppedPartials: number;
}

export interface EventStreamOptions {
  readonly source: EventSource;
  readonly socket: EventSocket;
  readonly limits?: Partial<EventStreamLimits>;
  /** JSON of an event; the server caches it so N clients serialise an event once. */
  readonly serialize?: (event: SequencedEvent) => string;
  /** Told once when this client is closed for falling behind. */
  readonly onSlowConsumer?: (reason: string, stats: EventStreamStats) => void;
  readonly onDroppedPartial?: () => void;
}

const OPEN = 1;

/**
 * One WebSocket client's view of the event hub: at most one subscription at a time, an optional
 * replay of persisted events before live ones with neither gap nor duplicate (ordered by seq), and
 * the slow-consumer policy. Nothing here blocks the hub: a listener only sends, drops, holds in a
 * bounded queue, or closes.
 */
export class EventStream {
  readonly stats: EventStreamStats = { sent: 0, replayed: 0, droppedPartials: 0 };
  private readonly limits: EventStreamLimits;
  private readonly serialize: (event: SequencedEvent) => string;
  private unsubscribe: (() => void) | undefined;
  /** Bumped on every (un)subscribe so a replay page that finishes late knows it is stale. */
  private generation = 0;
  /** Highest seq sent on the current subscription: the no-duplicate, no-reorder guard. */
  private lastSentSeq = 0;
  /** Live events that arrived while a replay was running; undefined when not replaying. */
  private held: SequencedEvent[] | undefined;
  private backlogged = 0;
  private closed = false;

  constructor(private readonly options: EventStreamOptions) {
    this.limits = { ...defaultEventStreamLimits, ...options.limits };
    this.serialize = options.serialize ?? ((event) => JSON.stringify(event));
  }

  /**
   * Starts (or replaces) the subscription. With `sinceSeq`, first replays persisted events after
   * it. Listening starts before the first replay page is read, so an event published meanwhile is
   * either in a page or held, and the seq guard drops the copy that is in both.
   */
  subscribe(callId: string | undefined, sinceSeq: number | undefined): void {
    if (this.closed) return;
    this.stop();
    const generation = ++this.generation;
    const currentSeq = this.options.source.lastSeq;
    this.lastSentSeq = sinceSeq ?? currentSeq;
    this.held = sinceSeq === undefined ? undefined : [];
    this.unsubscribe = this.options.source.subscribe(callId === undefined ? {} : { callId }, (event) =>
      this.onLive(event),
    );
    this.sendMessage({ type: 'subscribed', seq: currentSeq, callId: callId ?? null });
    if (sinceSeq !== undefined) this.replayPage(generation, callId);
  }

  /** Stops the subscription; a replay in progress is abandoned. */
  unsubscribeAll(): void {
    this.generation++;
    this.stop();
  }

  /** The socket closed: release the hub subscription. */
  dispose(): void {
    this.closed = true;
    this.unsubscribeAll();
  }

  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.held = undefined;
    this.backlogged = 0;
  }

  private replayPage(generation: number, callId: string | undefined): void {
    if (generation !== this.generation || this.closed) return;
    let page: SequencedEvent[];
    try {
      page = this.options.source.replay(this.lastSentSeq, callId, this.limits.replayPageSize);
    } catch {
      this.sendMessage({ type: 'error', code: 'internal', message: 'replay failed' });
      this.finishReplay();
      return;
    }
    const startSeq = this.lastSentSeq;
    const fresh = page.filter((event) => event.seq > startSeq);
    const full = page.length >= this.limits.replayPageSize;
    fresh.forEach((event, index) => {
      // The next page waits until this one has left the process (ws calls back once the last
      // frame is written to the socket), so a long resume holds at most one page in memory.
      const last = full && index === fresh.length - 1;
      const sent = this.sendEvent(
        event,
        // Success is `null` from ws (and `undefined` from some other sockets): any non-error.
        last ? (error) => error == null && this.replayPage(generation, callId) : undefined,
      );
      if (sent) this.stats.replayed++;
    });
    if (!full || fresh.length === 0) this.finishReplay();
  }

  private finishReplay(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const event of held) this.deliver(event);
  }

  private onLive(event: SequencedEvent): void {
    if (this.closed) return;
    if (this.held !== undefined) {
      this.hold(event);
      return;
    }
    this.deliver(event);
  }

  private hold(event: SequencedEvent): void {
    const held = this.held ?? [];
    if (held.length >= this.limits.maxHeldDuringReplay) {
      const partialAt = held.findIndex((e) => e.type === 'transcript.partial');
      if (partialAt >= 0) {
        held.splice(partialAt, 1);
        this.countDroppedPartial();
      } else if (event.type === 'transcript.partial') {
        this.countDroppedPartial();
        return;
      } else {
        this.closeSlow(`more than ${this.limits.maxHeldDuringReplay} events arrived during replay`);
        return;
      }
    }
    held.push(event);
  }

  /** The live path and the slow-consumer policy: partials go first, then the client. */
  private deliver(event: SequencedEvent): void {
    if (event.seq <= this.lastSentSeq) return;
    const buffered = this.options.socket.bufferedAmount;
    if (buffered > this.limits.hardLimitBytes) {
      this.closeSlow(`${buffered} bytes waiting to be sent`);
      return;
    }
    if (buffered > this.limits.softLimitBytes) {
      if (event.type === 'transcript.partial') {
        this.countDroppedPartial();
        return;
      }
      if (++this.backlogged > this.limits.maxBackloggedEvents) {
        this.closeSlow(`${this.backlogged} events sent while behind`);
        return;
      }
    } else {
      this.backlogged = 0;
    }
    this.sendEvent(event);
  }

  private sendEvent(event: SequencedEvent, written?: (error?: Error | null) => void): boolean {
    if (!this.send(this.serialize(event), written)) return false;
    this.lastSentSeq = event.seq;
    this.stats.sent++;
    return true;
  }

  private sendMessage(message: Exclude<WsServerMessage, SequencedEvent>): void {
    this.send(JSON.stringify(message));
  }

  private send(data: string, written?: (error?: Error | null) => void): boolean {
    if (this.closed || this.options.socket.readyState !== OPEN) return false;
    try {
      this.options.socket.send(data, written);
      return true;
    } catch {
      return false;
    }
  }

  private countDroppedPartial(): void {
    this.stats.droppedPartials++;
    this.options.onDroppedPartial?.();
  }

  private closeSlow(detail: string): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribeAll();
    this.options.onSlowConsumer?.(detail, { ...this.stats });
    try {
      // RFC 6455 §7.4.1 / IANA registry: 1013 Try Again Later; the reason must fit 123 bytes.
      this.options.socket.close(WS_CLOSE_SLOW_CONSUMER, `slow consumer: ${detail}`.slice(0, 120));
    } catch {
      // Already closing; the close handler disposes the rest.
    }
  }
}
