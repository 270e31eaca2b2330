import type { Clock } from '../core/index.js';
import { InvalidArgumentError, systemClock } from '../core/index.js';
import type { EventType, SequencedEvent } from '../api/contract/index.js';
import type { DueWebhook, Store } from '../store/index.js';
import type { WebhookBackoff } from './webhook-backoff.js';
import { DEFAULT_WEBHOOK_BACKOFF, webhookBackoffMs } from './webhook-backoff.js';
import { webhookSignature } from './webhook-signature.js';

export interface WebhookTarget {
  readonly url: string;
  /** HMAC key of the `X-Voxbridge-Signature` header. */
  readonly secret: string;
  /** Event types to send; DEFAULT_WEBHOOK_EVENTS when absent. */
  readonly events?: readonly EventType[];
}

/** Finals, call start and end, and digits; partials are too many and too short-lived to POST. */
export const DEFAULT_WEBHOOK_EVENTS: readonly EventType[] = [
  'call.started',
  'transcript.final',
  'dtmf',
  'call.ended',
];

/** The part of the Store the dispatcher uses. */
export type WebhookOutboxStore = Pick<
  Store,
  | 'enqueueWebhook'
  | 'dueWebhooks'
  | 'markWebhookDelivered'
  | 'markWebhookFailed'
  | 'markWebhookDead'
  | 'nextWebhookAtMs'
>;

/** One-shot timers; structurally a sip/transaction TimerScheduler, so FakeScheduler fits. */
export interface WebhookScheduler {
  set(delayMs: number, fn: () => void): object;
  clear(handle: object): void;
}

/** What happened to one attempt, for logs and metrics (no body: it carries personal data). */
export interface WebhookOutcome {
  readonly id: number;
  readonly url: string;
  readonly eventType: EventType;
  readonly seq: number;
  /** 1-based number of this attempt. */
  readonly attempt: number;
  readonly result: 'delivered' | 'retry' | 'dead';
  readonly status?: number;
  readonly error?: string;
  readonly nextAttemptAtMs?: number;
}

export interface WebhookDispatcherOptions {
  readonly store: WebhookOutboxStore;
  readonly targets: readonly WebhookTarget[];
  /** Wall time for due times and the signature timestamp. */
  readonly clock?: Clock;
  /** Wake-ups of the delivery loop; unref'd setTimeout by default. */
  readonly scheduler?: WebhookScheduler;
  readonly fetch?: typeof fetch;
  /** Attempts before a row is marked dead (10). */
  readonly maxAttempts?: number;
  readonly backoff?: Partial<WebhookBackoff>;
  /** Deliveries in flight at once, over all targets (4). */
  readonly concurrency?: number;
  /** An attempt that has not answered by then fails and is retried (10 s). */
  readonly requestTimeoutMs?: number;
  /** Longest sleep of an idle loop, in case rows appear by another way than `enqueue` (30 s). */
  readonly idlePollMs?: number;
  /** 0..1 source of jitter; Math.random by default. */
  readonly random?: () => number;
  readonly onOutcome?: (outcome: WebhookOutcome) => void;
  /** Errors of the store (a full disk, a closed database): the loop carries on. */
  readonly onError?: (error: unknown) => void;
}

const ERROR_TEXT_MAX = 200;

/**
 * POSTs events to configured URLs through the Store's persisted outbox: `enqueue` writes one row
 * per interested target, and a loop delivers due rows, retrying failures with exponential
 * backoff until `maxAttempts`, then keeps the row as dead. Delivery is at least once: a receiver
 * deduplicates on `X-Voxbridge-Delivery` (a row id, never reused) and orders by the body's `seq`
 * (retries can overtake). Redirects are not followed: a 3xx is a failure.
 */
export class WebhookDispatcher {
  private readonly store: WebhookOutboxStore;
  private readonly targets: ReadonlyMap<string, { secret: string; events: ReadonlySet<EventType> }>;
  private readonly clock: Clock;
  private readonly scheduler: WebhookScheduler;
  private readonly fetch: typeof fetch;
  private readonly maxAttempts: number;
  private readonly backoff: WebhookBackoff;
  private readonly concurrency: number;
  private readonly requestTimeoutMs: number;
  private readonly idlePollMs: number;
  private readonly random: () => number;
  private readonly onOutcome: (outcome: WebhookOutcome) => void;
  private readonly onError: (error: unknown) => void;
  private readonly inFlight = new Map<number, Promise<void>>();
  private running = false;
  private timer: object | undefined;
  private abort = new AbortController();

  constructor(options: WebhookDispatcherOptions) {
    this.store = options.store;
    this.targets = validateTargets(options.targets);
    this.clock = options.clock ?? systemClock;
    this.scheduler = options.scheduler ?? unrefScheduler;
    this.fetch = options.fetch ?? fetch;
    this.maxAttempts = positiveInteger('maxAttempts', options.maxAttempts ?? 10);
    this.concurrency = positiveInteger('concurrency', options.concurrency ?? 4);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.idlePollMs = options.idlePollMs ?? 30_000;
    this.backoff = { ...DEFAULT_WEBHOOK_BACKOFF, ...options.backoff };
    this.random = options.random ?? Math.random;
    this.onOutcome = options.onOutcome ?? (() => undefined);
    this.onError = options.onError ?? (() => undefined);
  }

  /** Deliveries in flight now. */
  get activeDeliveries(): number {
    return this.inFlight.size;
  }

  /**
   * Stores one outbox row per target that wants this event type, and wakes the loop. Never
   * throws: a store error goes to `onError` (the event itself is already recorded).
   */
  enqueue(event: SequencedEvent): void {
    let added = false;
    for (const [url, target] of this.targets) {
      if (!target.events.has(event.type)) continue;
      try {
        this.store.enqueueWebhook(url, event);
        added = true;
      } catch (error) {
        this.onError(error);
      }
    }
    if (added && this.running && this.inFlight.size < this.concurrency) this.wake(0);
  }

  /** Starts the delivery loop; rows left from a previous run are delivered too. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.wake(0);
  }

  /**
   * Stops the loop and aborts deliveries in flight; an aborted attempt is not counted, so its
   * row is tried again after the next start (possibly a duplicate, if the receiver already had it).
   */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.scheduler.clear(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.idle();
  }

  /** Resolves once no delivery is in flight (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  private wake(delayMs: number): void {
    if (this.timer !== undefined) this.scheduler.clear(this.timer);
    this.timer = this.scheduler.set(delayMs, () => {
      this.timer = undefined;
      this.pump();
    });
  }

  /** Starts due deliveries up to the concurrency limit, then sleeps until the next due row. */
  private pump(): void {
    if (!this.running) return;
    try {
      const nowMs = this.clock.wallMs();
      const free = this.concurrency - this.inFlight.size;
      if (free > 0) {
        const due = this.store
          .dueWebhooks(nowMs, free + this.inFlight.size)
          .filter((row) => !this.inFlight.has(row.id))
          .slice(0, free);
        for (const row of due) this.begin(row);
      }
      // Rows due by now are in flight or wait for a free slot (a finishing delivery pumps again);
      // the timer is for the first row due later.
      const next = this.store.nextWebhookAtMs(nowMs);
      const delayMs = next === null ? this.idlePollMs : Math.min(next - nowMs, this.idlePollMs);
      this.wake(Math.max(0, delayMs));
    } catch (error) {
      this.onError(error);
      this.wake(this.idlePollMs);
    }
  }

  private begin(row: DueWebhook): void {
    const delivery = this.attempt(row)
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.inFlight.delete(row.id);
        this.pump();
      });
    this.inFlight.set(row.id, delivery);
  }

  private async attempt(row: DueWebhook): Promise<void> {
    const attempt = row.attempts + 1;
    const report = { id: row.id, url: row.url, eventType: row.eventType, seq: row.seq, attempt };
    const target = this.targets.get(row.url);
    if (target === undefined) {
      // The row outlived its target (configuration changed across a restart): nobody to send to.
      const error = 'no webhook target is configured for this URL any more';
      this.store.markWebhookDead(row.id, error);
      this.onOutcome({ ...report, result: 'dead', error });
      return;
    }
    const signal = this.abort.signal;
    let status: number | undefined;
    let error: string;
    try {
      const timestamp = String(Math.floor(this.clock.wallMs() / 1000));
      const response = await this.fetch(row.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'voxbridge-webhooks/1',
          'x-voxbridge-event': row.eventType,
          'x-voxbridge-delivery': String(row.id),
          'x-voxbridge-attempt': String(attempt),
          'x-voxbridge-timestamp': timestamp,
          'x-voxbridge-signature': webhookSignature(target.secret, timestamp, row.body),
        },
        body: row.body,
        redirect: 'manual',
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.requestTimeoutMs)]),
      });
      status = response.status;
      // The answer's body is not needed; cancelling frees the connection.
      await response.body?.cancel().catch(() => undefined);
      if (status >= 200 && status < 300) {
        this.store.markWebhookDelivered(row.id);
        this.onOutcome({ ...report, result: 'delivered', status });
        return;
      }
      error = `HTTP ${status}`;
    } catch (thrown) {
      if (signal.aborted) return;
      error = errorText(thrown);
    }
    if (attempt >= this.maxAttempts) {
      this.store.markWebhookDead(row.id, error);
      this.onOutcome({ ...report, result: 'dead', error, ...(status === undefined ? {} : { status }) });
      return;
    }
    const nextAttemptAtMs = this.clock.wallMs() + webhookBackoffMs(attempt, this.backoff, this.random());
    this.store.markWebhookFailed(row.id, nextAttemptAtMs, error);
    this.onOutcome({
      ...report,
      result: 'retry',
      error,
      nextAttemptAtMs,
      ...(status === undefined ? {} : { status }),
    });
  }
}

const unrefScheduler: WebhookScheduler = {
  set(delayMs, fn) {
    const timer = setTimeout(fn, delayMs);
    // Pending retries alone never keep the process alive.
    timer.unref();
    return timer;
  },
  clear(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

function validateTargets(
  targets: readonly WebhookTarget[],
): Map<string, { secret: string; events: ReadonlySet<EventType> }> {
  const byUrl = new Map<string, { secret: string; events: ReadonlySet<EventType> }>();
  for (const target of targets) {
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      throw new InvalidArgumentError(`webhook url ${JSON.stringify(target.url)} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InvalidArgumentError(`webhook url ${target.url} is not http(s)`);
    }
    if (target.secret.length === 0)
      throw new InvalidArgumentError(`webhook ${target.url} has an empty secret`);
    // Rows are keyed by URL, so one URL can have only one secret and one set of events.
    if (byUrl.has(target.url))
      throw new InvalidArgumentError(`webhook url ${target.url} is configured twice`);
    byUrl.set(target.url, {
      secret: target.secret,
      events: new Set(target.events ?? DEFAULT_WEBHOOK_EVENTS),
    });
  }
  return byUrl;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidArgumentError(`${name} must be a positive integer`);
  return value;
}

function errorText(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  const text = error instanceof Error ? `${error.name}: ${error.message}${cause}` : String(error);
  return text.slice(0, ERROR_TEXT_MAX);
}
