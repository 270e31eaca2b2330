import type { EventType, SequencedEvent, WsClientMessage } from '@voxbridge/contract';

export type StreamStatus = 'connecting' | 'live' | 'offline' | 'stopped';

export interface SocketHandlers {
  open(): void;
  message(data: string): void;
  close(code: number, reason: string): void;
}

export interface SocketLike {
  send(data: string): void;
  close(): void;
}

/** Opens a WebSocket and reports its life through the handlers; the browser one is `browserSocket`. */
export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketLike;

/** Runs `task` after `delayMs`; returns a function that cancels it. */
export type Schedule = (task: () => void, delayMs: number) => () => void;

export interface EventStreamOptions {
  /** The /v1/events URL, token included. */
  readonly url: string;
  readonly onEvent: (event: SequencedEvent) => void;
  /** A subscription is in place; `resumed` when it picked up after `sinceSeq`. */
  readonly onSubscribed?: (seq: number, resumed: boolean) => void;
  readonly onStatus?: (status: StreamStatus) => void;
  /** `browserSocket` in the page; a scripted socket in tests. */
  readonly connect: SocketFactory;
  /** `browserSchedule` in the page; a manual scheduler in tests. */
  readonly schedule: Schedule;
  /** First reconnect delay, doubled after each failed attempt up to maxDelayMs. */
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
}

const EVENT_TYPES: ReadonlySet<string> = new Set<EventType>([
  'call.started',
  'leg.added',
  'transcript.partial',
  'transcript.final',
  'dtmf',
  'call.ended',
]);

/**
 * The dashboard's subscription to every call's events, kept alive across drops. Each reconnect
 * subscribes with `sinceSeq` = the last seq seen, so the server replays the finals, DTMF and
 * lifecycle events missed meanwhile (partials are not replayed: the next final replaces them).
 * Events at or below the last seen seq are dropped, so a replay overlapping what arrived is harmless.
 */
export class EventStream {
  /** The highest seq seen (or the server's seq at the first subscribe); undefined before that. */
  lastSeq: number | undefined;
  private socket: SocketLike | undefined;
  private cancelRetry: (() => void) | undefined;
  private attempts = 0;
  private resuming = false;
  private stopped = true;

  constructor(private readonly options: EventStreamOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
    this.options.onStatus?.('stopped');
  }

  private open(): void {
    this.options.onStatus?.('connecting');
    const socket = this.options.connect(this.options.url, {
      open: () => {
        if (this.socket !== socket) return;
        this.resuming = this.lastSeq !== undefined;
        const subscribe: WsClientMessage =
          this.lastSeq === undefined ? { type: 'subscribe' } : { type: 'subscribe', sinceSeq: this.lastSeq };
        socket.send(JSON.stringify(subscribe));
      },
      message: (data) => {
        if (this.socket === socket) this.receive(data);
      },
      close: () => {
        if (this.socket !== socket) return;
        this.socket = undefined;
        this.retry();
      },
    });
    this.socket = socket;
  }

  private receive(data: string): void {
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const { type, seq } = message as { type?: unknown; seq?: unknown };
    if (typeof seq !== 'number') return;
    if (type === 'subscribed') {
      this.attempts = 0;
      // A fresh subscription starts after the server's current seq; a resumed one must not move
      // lastSeq yet, because the replay of older events follows this message.
      if (!this.resuming) this.lastSeq = Math.max(this.lastSeq ?? seq, seq);
      this.options.onStatus?.('live');
      this.options.onSubscribed?.(seq, this.resuming);
      return;
    }
    if (typeof type !== 'string' || !EVENT_TYPES.has(type)) return;
    if (typeof (message as { callId?: unknown }).callId !== 'string') return;
    if (this.lastSeq !== undefined && seq <= this.lastSeq) return;
    this.lastSeq = seq;
    this.options.onEvent(message as SequencedEvent);
  }

  private retry(): void {
    if (this.stopped) return;
    this.options.onStatus?.('offline');
    const min = this.options.minDelayMs ?? 500;
    const delay = Math.min(this.options.maxDelayMs ?? 10_000, min * 2 ** this.attempts);
    this.attempts += 1;
    this.cancelRetry = this.options.schedule(() => {
      this.cancelRetry = undefined;
      if (!this.stopped) this.open();
    }, delay);
  }
}
