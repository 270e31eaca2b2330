import type Database from 'better-sqlite3';
import type { Clock } from '../core/index.js';
import type { EventType, SequencedEvent } from '../api/contract/index.js';

/** One delivery waiting to be (re)tried. */
export interface DueWebhook {
  readonly id: number;
  readonly url: string;
  /** The exact JSON to POST (the SequencedEvent). */
  readonly body: string;
  /** Attempts made so far. */
  readonly attempts: number;
  readonly eventType: EventType;
  readonly seq: number;
}

export type WebhookStatus = 'pending' | 'delivered' | 'dead';

/** What the outbox knows about one delivery, for operators and tests. */
export interface WebhookDelivery {
  readonly id: number;
  readonly callId: string;
  readonly seq: number;
  readonly eventType: EventType;
  readonly url: string;
  readonly status: WebhookStatus;
  readonly attempts: number;
  readonly nextAttemptAtMs: number;
  readonly lastError: string | null;
}

export interface WebhookCounts {
  readonly pending: number;
  readonly delivered: number;
  readonly dead: number;
}

interface DueRow {
  id: number;
  url: string;
  body: string;
  attempts: number;
  event_type: string;
  seq: number;
}

interface DeliveryRow {
  id: number;
  call_id: string;
  seq: number;
  event_type: string;
  url: string;
  status: string;
  attempts: number;
  next_attempt_at_ms: number;
  last_error: string | null;
}

/** Longest error text kept per row: enough to diagnose, bounded whatever a peer sends. */
const MAX_ERROR_CHARS = 500;

/**
 * The persisted webhook outbox inside the Store's database. Rows belong to a call (deleting the
 * call deletes them). Delivered and dead rows stay until their call is purged, so an operator can
 * see what happened.
 */
export class WebhookOutbox {
  private readonly statements;

  constructor(
    db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.statements = {
      // A call deleted for privacy (or never recorded) gets no deliveries.
      insert: db.prepare<[string, number, string, string, string, number, number, string]>(
        `INSERT INTO webhook_outbox (call_id, seq, event_type, url, body, next_attempt_at_ms, created_at_ms)
         SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM calls WHERE id = ?)`,
      ),
      due: db.prepare<[number, number], DueRow>(
        `SELECT id, url, body, attempts, event_type, seq FROM webhook_outbox
         WHERE status = 'pending' AND next_attempt_at_ms <= ?
         ORDER BY next_attempt_at_ms, id LIMIT ?`,
      ),
      delivered: db.prepare<[number, number]>(
        `UPDATE webhook_outbox SET status = 'delivered', attempts = attempts + 1, last_error = NULL,
           finished_at_ms = ? WHERE id = ? AND status = 'pending'`,
      ),
      failed: db.prepare<[number, string, number]>(
        `UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at_ms = ?, last_error = ?
         WHERE id = ? AND status = 'pending'`,
      ),
      dead: db.prepare<[string, number, number]>(
        `UPDATE webhook_outbox SET status = 'dead', attempts = attempts + 1, last_error = ?,
           finished_at_ms = ? WHERE id = ? AND status = 'pending'`,
      ),
      next: db.prepare<[number], { at: number | null }>(
        `SELECT min(next_attempt_at_ms) AS at FROM webhook_outbox
         WHERE status = 'pending' AND next_attempt_at_ms > ?`,
      ),
      byCall: db.prepare<[string], DeliveryRow>(
        `SELECT id, call_id, seq, event_type, url, status, attempts, next_attempt_at_ms, last_error
         FROM webhook_outbox WHERE call_id = ? ORDER BY id`,
      ),
      counts: db.prepare<[], { status: string; n: number }>(
        'SELECT status, count(*) AS n FROM webhook_outbox GROUP BY status',
      ),
    };
  }

  enqueue(url: string, event: SequencedEvent): void {
    const nowMs = this.clock.wallMs();
    this.statements.insert.run(
      event.callId,
      event.seq,
      event.type,
      url,
      JSON.stringify(event),
      nowMs,
      nowMs,
      event.callId,
    );
  }

  due(nowMs: number, limit: number): DueWebhook[] {
    return this.statements.due.all(nowMs, limit).map((r) => ({
      id: r.id,
      url: r.url,
      body: r.body,
      attempts: r.attempts,
      eventType: r.event_type as EventType,
      seq: r.seq,
    }));
  }

  markDelivered(id: number): void {
    this.statements.delivered.run(this.clock.wallMs(), id);
  }

  markFailed(id: number, nextAttemptAtMs: number, error: string): void {
    this.statements.failed.run(Math.round(nextAttemptAtMs), error.slice(0, MAX_ERROR_CHARS), id);
  }

  markDead(id: number, error: string): void {
    this.statements.dead.run(error.slice(0, MAX_ERROR_CHARS), this.clock.wallMs(), id);
  }

  nextAttemptAtMs(afterMs: number): number | null {
    return this.statements.next.get(afterMs)?.at ?? null;
  }

  deliveries(callId: string): WebhookDelivery[] {
    return this.statements.byCall.all(callId).map((r) => ({
      id: r.id,
      callId: r.call_id,
      seq: r.seq,
      eventType: r.event_type as EventType,
      url: r.url,
      status: r.status as WebhookStatus,
      attempts: r.attempts,
      nextAttemptAtMs: r.next_attempt_at_ms,
      lastError: r.last_error,
    }));
  }

  counts(): WebhookCounts {
    const counts = { pending: 0, delivered: 0, dead: 0 };
    for (const { status, n } of this.statements.counts.all()) {
      if (status === 'pending' || status === 'delivered' || status === 'dead') counts[status] = n;
    }
    return counts;
  }
}
