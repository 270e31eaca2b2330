import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../core/index.js';
import { InvalidArgumentError, systemClock } from '../core/index.js';
import type {
  CallDetail,
  CallEvent,
  ListCallsQuery,
  ListCallsResult,
  SequencedEvent,
  TranscriptFormat,
} from '../api/contract/index.js';
import { encodeCursor, listCallsSql } from './call-query.js';
import type { CallRow, DtmfRow, EventRow, LegRow, SegmentRow } from './rows.js';
import { toDtmf, toLeg, toSegment, toSummary } from './rows.js';
import { migrate } from './schema.js';
import { transcriptText, transcriptVtt } from './transcript-export.js';
import type { DueWebhook, WebhookCounts, WebhookDelivery } from './webhook-outbox.js';
import { WebhookOutbox } from './webhook-outbox.js';

const PRIVATE_FOLDER_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;

export interface StoreOptions {
  /** Created if missing; the database is `<dataDir>/voxbridge.db`. */
  readonly dataDir: string;
  /** Wall time for retention and the outbox, injectable for tests. */
  readonly clock?: Clock;
}

/**
 * Sequence numbers are reserved in blocks: the persisted counter says the highest number that
 * may have been handed out, so a restart continues above everything any client has seen
 * (partials included, which are never written) without a write per partial.
 */
const SEQ_BLOCK = 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const PURGE_BATCH = 500;
const DEFAULT_EVENTS_LIMIT = 1000;
const MAX_EVENTS_LIMIT = 10_000;

/**
 * Persistence for calls, legs (with SIPREC participants), final transcript segments, DTMF, the
 * event log and the webhook outbox, in one SQLite database (WAL).
 *
 * Durability: `synchronous = NORMAL` in WAL mode means every committed transaction is in the
 * WAL file in the operating system's cache when `recordEvent` returns, so killing the process
 * (even `kill -9`) loses nothing that was returned; a power cut may lose the last few commits but
 * never corrupts the file. FULL would fsync every final on the event loop, which the media path
 * cannot afford.
 *
 * Sequence numbers: every event, partials included, takes the next number of one counter that
 * only grows, across restarts too. Partials are not stored, so `eventsSince` has gaps where they
 * were, and a restart skips ahead to the next reserved block (see SEQ_BLOCK).
 *
 * One process owns a database at a time (the sequence counter lives in that process's memory).
 */
export class Store {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly clock: Clock;
  private readonly outbox: WebhookOutbox;
  private nextSeq: number;
  private reservedSeq: number;
  private readonly listStatements = new Map<
    string,
    Database.Statement<unknown[], CallRow & { leg_count: number }>
  >();
  private readonly s;

  private constructor(path: string, clock: Clock) {
    this.path = path;
    this.clock = clock;
    this.db = new Database(path, { timeout: 5000 });
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      migrate(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
    const db = this.db;
    this.s = {
      seqRead: db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'seq'"),
      seqReserve: db.prepare<[number]>(
        `INSERT INTO meta (key, value) VALUES ('seq', ?)
         ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`,
      ),
      maxEventSeq: db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM events'),
      upsertCall: db.prepare<[string, string, string, string, number]>(
        `INSERT INTO calls (id, sip_call_id, kind, started_at, started_at_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET sip_call_id = excluded.sip_call_id, kind = excluded.kind,
           started_at = excluded.started_at, started_at_ms = excluded.started_at_ms`,
      ),
      ensureCall: db.prepare<[string, string, string, number]>(
        `INSERT OR IGNORE INTO calls (id, sip_call_id, kind, started_at, started_at_ms)
         VALUES (?, ?, 'sip', ?, ?)`,
      ),
      upsertLeg: db.prepare<[LegInput]>(
        `INSERT INTO legs (call_id, id, position, role, label, codec, participant_aor, participant_name,
           has_participant)
         VALUES (@callId, @legId, (SELECT count(*) FROM legs WHERE call_id = @callId), @role, @label, @codec,
           @aor, @name, @hasParticipant)
         ON CONFLICT (call_id, id) DO UPDATE SET role = excluded.role, label = excluded.label,
           codec = excluded.codec, participant_aor = excluded.participant_aor,
           participant_name = excluded.participant_name, has_participant = excluded.has_participant`,
      ),
      setFrom: db.prepare<[string, string]>('UPDATE calls SET from_aor = coalesce(from_aor, ?) WHERE id = ?'),
      setTo: db.prepare<[string, string]>('UPDATE calls SET to_aor = coalesce(to_aor, ?) WHERE id = ?'),
      insertSegment: db.prepare<
        [number, string, string, string, string, number, number, number | null, string]
      >(
        `INSERT INTO segments (seq, call_id, leg_id, role, text, start_ms, end_ms, confidence, timestamp)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertDtmf: db.prepare<[number, string, string, string, string, number, string, number, string]>(
        `INSERT INTO dtmf (seq, call_id, leg_id, role, digit, duration_ms, source, at_ms, timestamp)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      endCall: db.prepare<[string, string, number, string]>(
        'UPDATE calls SET ended_at = ?, end_reason = ?, duration_ms = ? WHERE id = ?',
      ),
      insertEvent: db.prepare<[number, string, string, string]>(
        'INSERT INTO events (seq, call_id, type, payload) VALUES (?, ?, ?, ?)',
      ),
      getCall: db.prepare<[string], CallRow>('SELECT * FROM calls WHERE id = ?'),
      legsOf: db.prepare<[string], LegRow>('SELECT * FROM legs WHERE call_id = ? ORDER BY position'),
      segmentsOf: db.prepare<[string], SegmentRow>(
        'SELECT * FROM segments WHERE call_id = ? ORDER BY start_ms, seq',
      ),
      dtmfOf: db.prepare<[string], DtmfRow>('SELECT * FROM dtmf WHERE call_id = ? ORDER BY at_ms, seq'),
      deleteCall: db.prepare<[string]>('DELETE FROM calls WHERE id = ?'),
      oldCalls: db.prepare<[number, number], { id: string }>(
        'SELECT id FROM calls WHERE started_at_ms < ? LIMIT ?',
      ),
      eventsSince: db.prepare<[number, number], EventRow>(
        'SELECT seq, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
      ),
      eventsSinceForCall: db.prepare<[number, string, number], EventRow>(
        'SELECT seq, payload FROM events WHERE seq > ? AND call_id = ? ORDER BY seq LIMIT ?',
      ),
      lastEventOf: db.prepare<[string], { timestamp: string | null }>(
        // Every timestamp is toISOString() (UTC, fixed width), so text order is time order.
        "SELECT max(json_extract(payload, '$.timestamp')) AS timestamp FROM events WHERE call_id = ?",
      ),
      openCalls: db.prepare<[], CallRow>('SELECT * FROM calls WHERE ended_at IS NULL ORDER BY started_at_ms'),
      setMetadata: db.prepare<[string, string]>('UPDATE calls SET metadata = ? WHERE id = ?'),
    };
    this.outbox = new WebhookOutbox(db, clock);
    const persisted = Math.max(this.s.seqRead.get()?.value ?? 0, this.s.maxEventSeq.get()?.seq ?? 0);
    this.reservedSeq = persisted;
    this.nextSeq = persisted + 1;
  }

  /**
   * The highest sequence number handed out so far (or reserved by an earlier process, which is
   * above every number it handed out), so an EventHub resumes strictly above it.
   */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /**
   * Opens (creating and migrating) `<dataDir>/voxbridge.db`. The folder is owner-only (0700) and
   * the database, its WAL and its shared-memory file are 0600 whatever the umask: they hold
   * transcripts and phone numbers.
   */
  static open(options: StoreOptions): Store {
    mkdirSync(options.dataDir, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    chmodSync(options.dataDir, PRIVATE_FOLDER_MODE);
    const path = join(options.dataDir, 'voxbridge.db');
    // Created here rather than by SQLite so its mode is ours; SQLite gives the -wal and -shm
    // files it creates the database file's mode (os_unix.c findCreateFileMode).
    if (!existsSync(path)) closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
    chmodSync(path, PRIVATE_FILE_MODE);
    const store = new Store(path, options.clock ?? systemClock);
    // A WAL or shared-memory file left by an older version keeps the mode it was created with.
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(path + suffix)) chmodSync(path + suffix, PRIVATE_FILE_MODE);
    }
    return store;
  }

  /**
   * Gives the event its sequence number and, unless it is a partial, writes it (and what it says
   * about the call) in one transaction before returning: a final anyone was shown is on disk.
   */
  recordEvent(event: CallEvent): SequencedEvent {
    const sequenced: SequencedEvent = { ...event, seq: this.allocateSeq() };
    if (event.type === 'transcript.partial') return sequenced;
    this.db.transaction(() => this.write(sequenced)).immediate();
    return sequenced;
  }

  listCalls(query: ListCallsQuery): ListCallsResult {
    const { sql, params, limit } = listCallsSql(query);
    let statement = this.listStatements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], CallRow & { leg_count: number }>(sql);
      // The number of distinct shapes is small (which filters are present), so this stays bounded.
      this.listStatements.set(sql, statement);
    }
    const rows = statement.all(...params);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      calls: page.map((r) => toSummary(r, r.leg_count)),
      next:
        rows.length > limit && last !== undefined
          ? encodeCursor({ startedAtMs: last.started_at_ms, id: last.id })
          : null,
    };
  }

  getCall(id: string): CallDetail | undefined {
    const row = this.s.getCall.get(id);
    if (row === undefined) return undefined;
    const legs = this.s.legsOf.all(id).map(toLeg);
    return {
      ...toSummary(row, legs.length),
      legs,
      transcript: this.s.segmentsOf.all(id).map(toSegment),
      dtmf: this.s.dtmfOf.all(id).map(toDtmf),
      metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as unknown),
    };
  }

  /** Privacy: removes the call with its legs, transcript, DTMF, events and webhook outbox rows. */
  deleteCall(id: string): boolean {
    return this.s.deleteCall.run(id).changes > 0;
  }

  /** Persisted events (no partials) with seq greater than `seq`, ascending. */
  eventsSince(seq: number, callId?: string, limit = DEFAULT_EVENTS_LIMIT): SequencedEvent[] {
    const bounded = Math.max(1, Math.min(Math.floor(limit), MAX_EVENTS_LIMIT));
    const rows =
      callId === undefined
        ? this.s.eventsSince.all(seq, bounded)
        : this.s.eventsSinceForCall.all(seq, callId, bounded);
    return rows.map((r) => ({ ...(JSON.parse(r.payload) as CallEvent), seq: r.seq }));
  }

  /** Retention: removes every call that started more than `days` days ago; returns how many. */
  purgeOlderThan(days: number): number {
    if (!Number.isFinite(days) || days < 0) throw new InvalidArgumentError('retention days must be >= 0');
    const cutoffMs = this.clock.wallMs() - days * DAY_MS;
    let removed = 0;
    // Batches keep each write transaction (and the event loop) short on a large backlog.
    for (;;) {
      const ids = this.s.oldCalls.all(cutoffMs, PURGE_BATCH).map((r) => r.id);
      if (ids.length === 0) return removed;
      removed += this.db
        .transaction(() => ids.reduce((n, id) => n + this.s.deleteCall.run(id).changes, 0))
        .immediate();
    }
  }

  exportTranscript(id: string, format: TranscriptFormat): string | undefined {
    const call = this.getCall(id);
    if (call === undefined) return undefined;
    switch (format) {
      case 'json':
        return JSON.stringify(call, null, 2);
      case 'text':
        return transcriptText(call);
      case 'vtt':
        return transcriptVtt(call);
    }
  }

  /** Stores free-form JSON about a call (SIPREC metadata, tags); false when there is no such call. */
  setCallMetadata(id: string, metadata: unknown): boolean {
    return this.s.setMetadata.run(JSON.stringify(metadata), id).changes > 0;
  }

  /**
   * Calls still open in the database belong to a process that died without ending them. Ends
   * each with a `call.ended` (recorded, sequenced) and returns those events for fan-out. Call at
   * start-up, before taking calls.
   */
  endInterruptedCalls(reason = 'interrupted'): SequencedEvent[] {
    return this.s.openCalls.all().map((call) => {
      const last = this.s.lastEventOf.get(call.id)?.timestamp;
      const lastMs = last === null || last === undefined ? Number.NaN : Date.parse(last);
      const endMs = Number.isNaN(lastMs) ? call.started_at_ms : lastMs;
      return this.recordEvent({
        type: 'call.ended',
        callId: call.id,
        sipCallId: call.sip_call_id,
        reason,
        durationMs: Math.max(0, endMs - call.started_at_ms),
        timestamp: new Date(this.clock.wallMs()).toISOString(),
      });
    });
  }

  enqueueWebhook(url: string, event: SequencedEvent): void {
    this.outbox.enqueue(url, event);
  }

  dueWebhooks(nowMs: number, limit: number): DueWebhook[] {
    return this.outbox.due(nowMs, limit);
  }

  markWebhookDelivered(id: number): void {
    this.outbox.markDelivered(id);
  }

  /** Counts an attempt and schedules the next one (the caller decides the backoff). */
  markWebhookFailed(id: number, nextAttemptAtMs: number, error: string): void {
    this.outbox.markFailed(id, nextAttemptAtMs, error);
  }

  /** Counts a last attempt and gives up: the row stays, marked dead. */
  markWebhookDead(id: number, error: string): void {
    this.outbox.markDead(id, error);
  }

  /**
   * When the earliest pending delivery falls due (wall ms), or null when none is pending; with
   * `afterMs`, only deliveries due later than that count (those due by then are already known).
   */
  nextWebhookAtMs(afterMs = Number.MIN_SAFE_INTEGER): number | null {
    return this.outbox.nextAttemptAtMs(afterMs);
  }

  webhookDeliveries(callId: string): WebhookDelivery[] {
    return this.outbox.deliveries(callId);
  }

  webhookCounts(): WebhookCounts {
    return this.outbox.counts();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private allocateSeq(): number {
    if (this.nextSeq > this.reservedSeq) {
      const reserved = this.nextSeq + SEQ_BLOCK - 1;
      this.s.seqReserve.run(reserved);
      this.reservedSeq = reserved;
    }
    return this.nextSeq++;
  }

  /** Runs inside recordEvent's transaction. */
  private write(event: SequencedEvent): void {
    // leg.added carries no time of its own.
    const timestamp = 'timestamp' in event ? event.timestamp : new Date(this.clock.wallMs()).toISOString();
    const startedMs = wallMsOf(timestamp, this.clock);
    if (event.type === 'call.started') {
      this.s.upsertCall.run(event.callId, event.sipCallId, event.kind, timestamp, startedMs);
    } else {
      // Events normally follow call.started; one that does not still gets a call to belong to.
      this.s.ensureCall.run(event.callId, event.sipCallId, timestamp, startedMs);
    }
    switch (event.type) {
      case 'call.started':
        if (event.from !== undefined) this.s.setFrom.run(event.from, event.callId);
        if (event.to !== undefined) this.s.setTo.run(event.to, event.callId);
        break;
      case 'leg.added': {
        const p = event.participant;
        this.s.upsertLeg.run({
          callId: event.callId,
          legId: event.legId,
          role: event.role,
          label: event.label ?? null,
          codec: event.codec,
          aor: p?.aor ?? null,
          name: p?.name ?? null,
          hasParticipant: p === undefined ? 0 : 1,
        });
        // The SIPREC caller's AoR is the call's "from", the agent's its "to".
        if (p?.aor != null && event.role === 'caller') this.s.setFrom.run(p.aor, event.callId);
        if (p?.aor != null && event.role === 'agent') this.s.setTo.run(p.aor, event.callId);
        break;
      }
      case 'transcript.final':
        this.s.insertSegment.run(
          event.seq,
          event.callId,
          event.legId,
          event.role,
          event.text,
          event.startMs,
          event.endMs,
          event.confidence ?? null,
          event.timestamp,
        );
        break;
      case 'transcript.partial':
        return;
      case 'dtmf':
        this.s.insertDtmf.run(
          event.seq,
          event.callId,
          event.legId,
          event.role,
          event.digit,
          event.durationMs,
          event.source,
          event.atMs,
          event.timestamp,
        );
        break;
      case 'call.ended':
        this.s.endCall.run(event.timestamp, event.reason, event.durationMs, event.callId);
        break;
    }
    const { seq, ...payload } = event;
    this.s.insertEvent.run(seq, event.callId, event.type, JSON.stringify(payload));
  }
}

interface LegInput {
  callId: string;
  legId: string;
  role: string;
  label: string | null;
  codec: string;
  aor: string | null;
  name: string | null;
  hasParticipant: number;
}

function wallMsOf(timestamp: string, clock: Clock): number {
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? clock.wallMs() : ms;
}
