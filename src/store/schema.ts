import type Database from 'better-sqlite3';

/**
 * Migrations, applied in order; `PRAGMA user_version` records how many have run. Append only: a
 * released migration is never edited, a change is a new entry.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE calls (
    id TEXT PRIMARY KEY,
    sip_call_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    started_at TEXT NOT NULL,
    started_at_ms INTEGER NOT NULL,
    ended_at TEXT,
    end_reason TEXT,
    duration_ms INTEGER,
    from_aor TEXT,
    to_aor TEXT,
    -- Free-form JSON for later (SIPREC session metadata, tags); null until someone writes it.
    metadata TEXT
  ) WITHOUT ROWID;
  CREATE INDEX calls_by_start ON calls (started_at_ms DESC, id DESC);
  CREATE INDEX calls_by_sip_call_id ON calls (sip_call_id);

  CREATE TABLE legs (
    call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    role TEXT NOT NULL,
    label TEXT,
    codec TEXT NOT NULL,
    -- SIPREC participant (RFC 7865 §6.5) who sends this leg's stream, when metadata names one.
    participant_aor TEXT,
    participant_name TEXT,
    has_participant INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (call_id, id)
  ) WITHOUT ROWID;

  CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    leg_id TEXT NOT NULL,
    role TEXT NOT NULL,
    text TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    confidence REAL,
    timestamp TEXT NOT NULL
  );
  CREATE INDEX segments_by_call ON segments (call_id, start_ms);

  -- Full-text index over final transcripts; external content, kept in step by the triggers below
  -- (the pattern of https://sqlite.org/fts5.html §4.4.3).
  CREATE VIRTUAL TABLE segments_fts USING fts5 (
    text,
    content = 'segments',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN
    INSERT INTO segments_fts (rowid, text) VALUES (new.id, new.text);
  END;
  CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN
    INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
  END;

  CREATE TABLE dtmf (
    seq INTEGER PRIMARY KEY,
    call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    leg_id TEXT NOT NULL,
    role TEXT NOT NULL,
    digit TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    source TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    timestamp TEXT NOT NULL
  );
  CREATE INDEX dtmf_by_call ON dtmf (call_id, at_ms);

  CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    payload TEXT NOT NULL
  );
  CREATE INDEX events_by_call ON events (call_id, seq);

  -- AUTOINCREMENT: a delivery id (X-Voxbridge-Delivery) is never reused, even after deletions,
  -- so receivers can deduplicate on it.
  CREATE TABLE webhook_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL,
    last_error TEXT,
    created_at_ms INTEGER NOT NULL,
    finished_at_ms INTEGER
  );
  CREATE INDEX webhook_outbox_due ON webhook_outbox (status, next_attempt_at_ms, id);
  CREATE INDEX webhook_outbox_by_call ON webhook_outbox (call_id);
  `,
];

/** Brings a database up to the current schema, each migration in its own transaction. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `database schema version ${current} is newer than this voxbridge understands (${MIGRATIONS.length})`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    const sql = MIGRATIONS[version];
    if (sql === undefined) break;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
