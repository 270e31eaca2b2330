import type { TimerHandle, TimerScheduler } from '../../core/index.js';
import { createTimerScheduler } from '../../core/index.js';
import { EngineError } from '../spi/index.js';
import type { EngineChild, EngineChildExit } from './engine-child.js';

/** What a stream hears from its child. */
export interface EnginePoolListener<FromChild> {
  onMessage(message: FromChild): void;
  /** The child died or the pool closed; the stream is over. */
  onFailure(error: EngineError): void;
}

/** What the pool reports about its children: for the log and the crash counter. */
export type EngineProcessEvent =
  | {
      readonly type: 'started';
      readonly engine: string;
      readonly pid: number | undefined;
      readonly slot: number;
    }
  | {
      readonly type: 'stream-opened';
      readonly engine: string;
      readonly pid: number | undefined;
      readonly slot: number;
      readonly streamId: number;
      /** Streams the child serves now, this one included. */
      readonly streams: number;
    }
  | {
      readonly type: 'crashed';
      readonly engine: string;
      readonly pid: number | undefined;
      readonly slot: number;
      readonly exitCode: number | null;
      readonly signal: string | null;
      /** Streams that failed with it. */
      readonly streams: number;
      /** How long it ran. */
      readonly uptimeMs: number;
      /** When its slot may start a new child. */
      readonly restartInMs: number;
    };

export interface EnginePoolOptions {
  /** Engine name for errors and events. */
  readonly engine: string;
  /** Children at most; streams spread over them. */
  readonly size: number;
  readonly spawn: () => EngineChild;
  /** Backoff timers and uptimes; default the real clock. */
  readonly scheduler?: TimerScheduler;
  /** Delay before a crashed child's slot starts again the first time; default 100 ms. */
  readonly initialBackoffMs?: number;
  /** The backoff doubles per crash up to this; default 5 s. */
  readonly maxBackoffMs?: number;
  /** A child that ran this long before it crashed starts its slot's backoff anew; default 30 s. */
  readonly stableAfterMs?: number;
  /**
   * Messages held for a slot while it waits out its backoff. Streams bound their own unacknowledged
   * audio (PocketsphinxStt's maxInFlightMs), so this is a backstop: a stream that would exceed it
   * fails instead of queueing. Default 2000.
   */
  readonly maxPendingMessages?: number;
  readonly onProcessEvent?: (event: EngineProcessEvent) => void;
}

interface Slot {
  readonly index: number;
  child: EngineChild | undefined;
  startedAtMs: number;
  readonly streams: Map<number, EnginePoolListener<unknown>>;
  /** Messages for a child that is not started yet (the slot is in its backoff). */
  pending: { streamId: number; message: unknown; transfer: readonly ArrayBuffer[] }[];
  backoff: TimerHandle | undefined;
  /** Crashes in a row, each within stableAfterMs of its start. */
  crashes: number;
}

/** One stream's connection to the child that serves it. */
export class EnginePoolStream {
  readonly id: number;
  private closed = false;

  constructor(
    id: number,
    private readonly pool: EnginePool,
    private readonly slot: Slot,
  ) {
    this.id = id;
  }

  /** The process id serving this stream (undefined while its slot waits out a backoff). */
  get pid(): number | undefined {
    return this.slot.child?.pid;
  }

  send(message: unknown, transfer: readonly ArrayBuffer[] = []): void {
    if (!this.closed) this.pool.deliver(this.slot, this.id, message, transfer);
  }

  /** Sends `message` (the engine's close message) and forgets the stream. Idempotent. */
  close(message: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.pool.release(this.slot, this.id, message);
  }
}

/**
 * A small pool of engine children (processes by default) shared by an engine's streams, supervised:
 * a child that exits unasked (SIGKILL, SIGSEGV, an abort) fails only its own streams with a
 * retryable ENGINE_FAILED, which the session answers by reopening the stream (LegRecognizer:
 * `transcript.gap` reason `engine-restart`); its slot starts a new child on demand after an
 * exponential backoff, so a child that crashes at start cannot spin.
 *
 * Children start on demand up to `size`; a new stream goes to an idle running child, else a slot
 * not started yet, else the child with the fewest streams (a slot in its backoff counts with its
 * waiting streams, and loses ties).
 */
export class EnginePool {
  private readonly options: EnginePoolOptions;
  private readonly scheduler: TimerScheduler;
  private readonly slots: Slot[];
  private nextStreamId = 1;
  private closed = false;
  private crashCount = 0;

  constructor(options: EnginePoolOptions) {
    this.options = options;
    this.scheduler = options.scheduler ?? createTimerScheduler();
    const size = Math.max(1, Math.floor(options.size));
    this.slots = Array.from({ length: size }, (_, index) => ({
      index,
      child: undefined,
      startedAtMs: 0,
      streams: new Map(),
      pending: [],
      backoff: undefined,
      crashes: 0,
    }));
  }

  /** Children that died unasked since the pool was made. */
  get crashes(): number {
    return this.crashCount;
  }

  /** The running children: pid and streams served. */
  get children(): readonly { readonly pid: number | undefined; readonly streams: number }[] {
    return this.slots.flatMap((s) =>
      s.child === undefined ? [] : [{ pid: s.child.pid, streams: s.streams.size }],
    );
  }

  /**
   * Opens a stream: `openMessage(id)` is the engine's open message for the stream id the pool
   * assigned, sent before anything else of the stream.
   */
  open<FromChild>(
    openMessage: (streamId: number) => unknown,
    listener: EnginePoolListener<FromChild>,
  ): EnginePoolStream {
    if (this.closed) {
      throw new EngineError(this.options.engine, 'ENGINE_UNAVAILABLE', 'the engine is closed');
    }
    const slot = this.pickSlot();
    const id = this.nextStreamId++;
    if (slot.child === undefined && slot.backoff === undefined) this.start(slot);
    slot.streams.set(id, listener);
    slot.child?.ref();
    const stream = new EnginePoolStream(id, this, slot);
    this.deliver(slot, id, openMessage(id), []);
    this.options.onProcessEvent?.({
      type: 'stream-opened',
      engine: this.options.engine,
      pid: slot.child?.pid,
      slot: slot.index,
      streamId: id,
      streams: slot.streams.size,
    });
    return stream;
  }

  /** Stops every child and waits for it to exit; open streams fail with ENGINE_UNAVAILABLE. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new EngineError(this.options.engine, 'ENGINE_UNAVAILABLE', 'the engine was closed');
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.backoff !== undefined) this.scheduler.clear(slot.backoff);
        slot.backoff = undefined;
        slot.pending = [];
        this.failStreams(slot, error);
        const child = slot.child;
        if (child === undefined) return;
        await new Promise<void>((resolve) => {
          child.onExit(() => resolve());
          // Referenced, so that a caller awaiting close() keeps the event loop alive until the exit.
          child.ref();
          child.stop();
          // A child that ignores SIGTERM (stuck in native code) is killed; the timer is the
          // real one on purpose, it must fire whatever scheduler the pool was given.
          const timer = setTimeout(() => child.kill(), 2000);
          timer.unref();
          child.onExit(() => clearTimeout(timer));
        });
      }),
    );
  }

  /** @internal Sends a stream's message, or holds it while the slot waits out its backoff. */
  deliver(slot: Slot, streamId: number, message: unknown, transfer: readonly ArrayBuffer[]): void {
    if (!slot.streams.has(streamId)) return;
    if (slot.child !== undefined) {
      slot.child.send(message, transfer);
      return;
    }
    if (slot.pending.length >= (this.options.maxPendingMessages ?? 2000)) {
      const listener = slot.streams.get(streamId);
      slot.streams.delete(streamId);
      slot.pending = slot.pending.filter((p) => p.streamId !== streamId);
      listener?.onFailure(
        new EngineError(
          this.options.engine,
          'ENGINE_FAILED',
          'the engine process is restarting and its queue is full',
          {
            retryable: true,
          },
        ),
      );
      return;
    }
    slot.pending.push({ streamId, message, transfer });
  }

  /** @internal */
  release(slot: Slot, streamId: number, closeMessage: unknown): void {
    if (!slot.streams.has(streamId)) return;
    // A stream that ends while its slot waits out a backoff takes its held messages along: a new
    // process must not build a decoder for a stream that is already gone.
    if (slot.child !== undefined) slot.child.send(closeMessage);
    else slot.pending = slot.pending.filter((p) => p.streamId !== streamId);
    slot.streams.delete(streamId);
    // An idle child must not keep the gateway alive; it is referenced again by its next stream.
    if (slot.streams.size === 0) slot.child?.unref();
  }

  private pickSlot(): Slot {
    const running = this.slots.filter((s) => s.child !== undefined);
    const idle = running.find((s) => s.streams.size === 0);
    if (idle !== undefined) return idle;
    const fresh = this.slots.find((s) => s.child === undefined && s.backoff === undefined);
    if (fresh !== undefined) return fresh;
    // Every slot is running or waiting out a backoff: the least loaded, running ones first.
    const rank = (s: Slot): number => s.streams.size * 2 + (s.child === undefined ? 1 : 0);
    return this.slots.reduce((best, s) => (rank(s) < rank(best) ? s : best));
  }

  private start(slot: Slot): void {
    const child = this.options.spawn();
    slot.child = child;
    slot.startedAtMs = this.scheduler.clock.nowMs();
    child.onMessage((message) => {
      const streamId = (message as { streamId?: unknown }).streamId;
      if (typeof streamId === 'number') slot.streams.get(streamId)?.onMessage(message);
    });
    child.onExit((exit) => this.lost(slot, child, exit));
    this.options.onProcessEvent?.({
      type: 'started',
      engine: this.options.engine,
      pid: child.pid,
      slot: slot.index,
    });
    const pending = slot.pending;
    slot.pending = [];
    for (const { message, transfer } of pending) child.send(message, transfer);
    if (slot.streams.size === 0) child.unref();
  }

  private lost(slot: Slot, child: EngineChild, exit: EngineChildExit): void {
    if (slot.child !== child || this.closed) return;
    slot.child = undefined;
    this.crashCount++;
    const uptimeMs = this.scheduler.clock.nowMs() - slot.startedAtMs;
    const stableAfterMs = this.options.stableAfterMs ?? 30_000;
    slot.crashes = uptimeMs >= stableAfterMs ? 1 : slot.crashes + 1;
    const initialMs = this.options.initialBackoffMs ?? 100;
    const maxMs = this.options.maxBackoffMs ?? 5000;
    const restartInMs = Math.min(maxMs, initialMs * 2 ** (slot.crashes - 1));
    slot.pending = [];
    slot.backoff = this.scheduler.set(restartInMs, () => {
      slot.backoff = undefined;
      // Streams that arrived during the backoff are waiting; without them the slot starts on demand.
      if (!this.closed && slot.streams.size > 0) this.start(slot);
    });
    const streams = slot.streams.size;
    const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
    this.options.onProcessEvent?.({
      type: 'crashed',
      engine: this.options.engine,
      pid: child.pid,
      slot: slot.index,
      exitCode: exit.exitCode,
      signal: exit.signal,
      streams,
      uptimeMs,
      restartInMs,
    });
    this.failStreams(
      slot,
      new EngineError(
        this.options.engine,
        'ENGINE_FAILED',
        `engine ${child.kind} ${child.pid ?? '?'} ${how}`,
        {
          retryable: true,
          ...(exit.error === undefined ? {} : { cause: exit.error }),
        },
      ),
    );
  }

  private failStreams(slot: Slot, error: EngineError): void {
    const listeners = [...slot.streams.values()];
    slot.streams.clear();
    for (const listener of listeners) listener.onFailure(error);
  }
}
