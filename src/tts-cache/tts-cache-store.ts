import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../core/index.js';
import { InvalidArgumentError, systemClock } from '../core/index.js';
import type { TtsOutputFormat } from '../engines/spi/index.js';
import { bytesPerSample } from '../media/audio/index.js';

export interface TtsCacheStoreOptions {
  /** Upper bound of the audio bytes kept on disk; least recently used entries go first. */
  readonly maxBytes?: number;
  /** Larger syntheses are played but not stored. Defaults to a quarter of `maxBytes`. */
  readonly maxEntryBytes?: number;
  /** Entries older than this (since they were written) are misses and get deleted. */
  readonly ttlMs?: number;
  /** How long a write waits for another process holding the index's write lock. */
  readonly busyTimeoutMs?: number;
  /** Temp files older than this are left over from a crashed writer and are deleted at open. */
  readonly staleTempMs?: number;
  /** Wall time for createdAt/lastUsedAt, injectable so tests can age entries. */
  readonly clock?: Clock;
}

/** One stored synthesis, as the index describes it. */
export interface TtsCacheEntry {
  readonly key: string;
  readonly engine: string;
  readonly model: string;
  readonly format: TtsOutputFormat;
  readonly bytes: number;
  readonly durationMs: number;
  /** How long the original synthesis took: what every hit on this entry saves. */
  readonly synthesisMs: number;
  readonly createdAtMs: number;
  readonly lastUsedAtMs: number;
  readonly hits: number;
}

/** What `put` is given besides the audio; the rest is derived from the bytes and the clock. */
export type TtsCacheEntryInput = Pick<TtsCacheEntry, 'key' | 'engine' | 'model' | 'format' | 'synthesisMs'>;

export type TtsCachePutResult = 'stored' | 'exists' | 'too-large' | 'empty';

export interface TtsCacheStoreStats {
  readonly entries: number;
  readonly bytesStored: number;
  /** Entries removed to stay under `maxBytes` (by this process). */
  readonly evictions: number;
  /** Entries removed because their TTL ran out (by this process). */
  readonly expired: number;
  /** Index rows whose file was missing or the wrong size, found and removed by this process. */
  readonly orphanedRows: number;
}

interface EntryRow {
  key: string;
  engine: string;
  model: string;
  encoding: string;
  sample_rate_hz: number;
  bytes: number;
  duration_ms: number;
  synthesis_ms: number;
  created_at_ms: number;
  last_used_at_ms: number;
  hits: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,
    engine TEXT NOT NULL,
    model TEXT NOT NULL,
    encoding TEXT NOT NULL,
    sample_rate_hz INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    synthesis_ms REAL NOT NULL,
    created_at_ms INTEGER NOT NULL,
    last_used_at_ms INTEGER NOT NULL,
    hits INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS entries_by_last_use ON entries (last_used_at_ms);
`;

const MIB = 1024 * 1024;
const KEY_PATTERN = /^[0-9a-f]{64}$/;

/**
 * The TTS cache on disk. Audio lives in `<dir>/audio/<key[0:2]>/<key>.raw` as the exact bytes of
 * the frames (G.711 code words or PCM16 little-endian), and `<dir>/index.sqlite` (WAL) says what
 * each file is and when it was last used.
 *
 * Several processes may share one directory. Every change takes SQLite's write lock (BEGIN
 * IMMEDIATE, waiting up to `busyTimeoutMs`), and files are only renamed into place or unlinked
 * while holding it, so a row is visible only once its complete file is in place. A reader that
 * still finds a row whose file has gone (evicted by another process after the lookup) treats it as
 * a miss; a row whose file is missing or short is deleted.
 *
 * better-sqlite3 is synchronous: index statements take microseconds, but a write that waits for
 * another process's lock blocks the event loop for that long, so transactions here stay short.
 */
export class TtsCacheStore {
  readonly dir: string;
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  readonly ttlMs: number;
  private readonly clock: Clock;
  private readonly db: Database.Database;
  private readonly audioDir: string;
  private readonly tempDir: string;
  private readonly madeShards = new Set<string>();
  private tempCounter = 0;
  private evictions = 0;
  private expired = 0;
  private orphanedRows = 0;
  private readonly statements: {
    readonly get: Database.Statement<[string], EntryRow>;
    readonly touch: Database.Statement<[number, string]>;
    readonly insert: Database.Statement<[EntryRow]>;
    readonly deleteKey: Database.Statement<[string]>;
    readonly deleteExact: Database.Statement<[string, number]>;
    readonly totals: Database.Statement<[], { entries: number; bytes: number }>;
    readonly oldest: Database.Statement<[string, number], { key: string; bytes: number }>;
    readonly expiredRows: Database.Statement<[number], { key: string }>;
    readonly allKeys: Database.Statement<[], { key: string }>;
  };

  constructor(dir: string, options: TtsCacheStoreOptions = {}) {
    this.dir = dir;
    this.maxBytes = options.maxBytes ?? 512 * MIB;
    this.maxEntryBytes = Math.min(options.maxEntryBytes ?? Math.floor(this.maxBytes / 4), this.maxBytes);
    this.ttlMs = options.ttlMs ?? Infinity;
    if (!(this.maxBytes > 0) || !(this.ttlMs > 0)) {
      throw new InvalidArgumentError('TTS cache maxBytes and ttlMs must be positive');
    }
    this.clock = options.clock ?? systemClock;
    this.audioDir = join(dir, 'audio');
    this.tempDir = join(dir, 'tmp');
    mkdirSync(this.audioDir, { recursive: true });
    mkdirSync(this.tempDir, { recursive: true });
    this.db = new Database(join(dir, 'index.sqlite'), { timeout: options.busyTimeoutMs ?? 5000 });
    this.db.pragma('journal_mode = WAL');
    // NORMAL is durable enough for a cache (a power cut may lose the last entries, never corrupt
    // the index) and keeps a hit's lastUsedAt update free of fsync.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.statements = {
      get: this.db.prepare('SELECT * FROM entries WHERE key = ?'),
      touch: this.db.prepare(
        'UPDATE entries SET last_used_at_ms = max(last_used_at_ms, ?), hits = hits + 1 WHERE key = ?',
      ),
      insert: this.db.prepare(
        `INSERT OR REPLACE INTO entries VALUES (@key, @engine, @model, @encoding, @sample_rate_hz,
           @bytes, @duration_ms, @synthesis_ms, @created_at_ms, @last_used_at_ms, @hits)`,
      ),
      deleteKey: this.db.prepare('DELETE FROM entries WHERE key = ?'),
      deleteExact: this.db.prepare('DELETE FROM entries WHERE key = ? AND created_at_ms = ?'),
      totals: this.db.prepare('SELECT count(*) AS entries, coalesce(sum(bytes), 0) AS bytes FROM entries'),
      oldest: this.db.prepare(
        'SELECT key, bytes FROM entries WHERE key != ? ORDER BY last_used_at_ms, created_at_ms LIMIT ?',
      ),
      expiredRows: this.db.prepare('SELECT key FROM entries WHERE created_at_ms <= ?'),
      allKeys: this.db.prepare('SELECT key FROM entries'),
    };
    this.removeStaleTempFiles(options.staleTempMs ?? 60 * 60 * 1000);
  }

  /** Where the audio of `key` lives. */
  pathFor(key: string): string {
    return join(this.audioDir, key.slice(0, 2), `${key}.raw`);
  }

  /**
   * The entry for `key`, or undefined. An expired entry is deleted (row and file) and reported as
   * absent. Does not count as a use; call `touch` after serving it.
   */
  lookup(key: string): TtsCacheEntry | undefined {
    const row = this.statements.get.get(key);
    if (row === undefined) return undefined;
    if (this.isExpired(row)) {
      this.expired += this.deleteRows([row.key], row.created_at_ms);
      return undefined;
    }
    return toEntry(row);
  }

  /**
   * Reads the entry's audio in one go. Undefined when the file has vanished or is not the size
   * the index promised (another process evicted it, or a crash cut it short); such a row is
   * deleted, provided it is still the same row.
   */
  async readAudio(entry: TtsCacheEntry): Promise<Uint8Array | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathFor(entry.key));
    } catch (err) {
      if (!isMissingFile(err)) throw err;
      this.forget(entry);
      return undefined;
    }
    if (bytes.byteLength !== entry.bytes) {
      this.forget(entry);
      return undefined;
    }
    return bytes;
  }

  /** Records a use: bumps lastUsedAt (never backwards) and the entry's hit count. */
  touch(key: string): void {
    this.statements.touch.run(this.clock.wallMs(), key);
  }

  /**
   * Stores a completed synthesis: the audio goes to a temp file first, then, under the index's
   * write lock, is renamed into place and its row inserted, and older entries are evicted to fit
   * `maxBytes`. When a valid entry already exists (another writer won), the temp file is dropped
   * and the existing entry kept, so concurrent writers end with exactly one entry.
   */
  async put(input: TtsCacheEntryInput, audio: readonly Uint8Array[]): Promise<TtsCachePutResult> {
    if (!KEY_PATTERN.test(input.key)) throw new InvalidArgumentError('a TTS cache key is 64 hex digits');
    const bytes = audio.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    if (bytes === 0) return 'empty';
    if (bytes > this.maxEntryBytes) return 'too-large';
    const finalPath = this.pathFor(input.key);
    const shard = join(this.audioDir, input.key.slice(0, 2));
    if (!this.madeShards.has(shard)) {
      mkdirSync(shard, { recursive: true });
      this.madeShards.add(shard);
    }
    const tempPath = join(
      this.tempDir,
      `${input.key}.${process.pid}.${++this.tempCounter}.${randomBytes(4).toString('hex')}.tmp`,
    );
    let renamed = false;
    try {
      await writeFile(tempPath, audio);
      const nowMs = this.clock.wallMs();
      const row: EntryRow = {
        key: input.key,
        engine: input.engine,
        model: input.model,
        encoding: input.format.encoding,
        sample_rate_hz: input.format.sampleRateHz,
        bytes,
        duration_ms: (bytes / bytesPerSample(input.format.encoding) / input.format.sampleRateHz) * 1000,
        synthesis_ms: input.synthesisMs,
        created_at_ms: nowMs,
        last_used_at_ms: nowMs,
        hits: 0,
      };
      const result = this.db
        .transaction((): TtsCachePutResult => {
          const existing = this.statements.get.get(input.key);
          if (existing !== undefined && !this.isExpired(existing) && this.fileMatches(existing)) {
            return 'exists';
          }
          renameSync(tempPath, finalPath);
          renamed = true;
          this.statements.insert.run(row);
          this.evictToFit(input.key);
          return 'stored';
        })
        .immediate();
      return result;
    } finally {
      if (!renamed) await unlink(tempPath).catch(() => undefined);
    }
  }

  /** Deletes one entry (row and file). */
  delete(key: string): boolean {
    return this.deleteRows([key]) > 0;
  }

  /** Deletes every entry, and any audio file the index does not know (left by a crash). */
  purge(): number {
    return this.db
      .transaction(() => {
        const keys = this.statements.allKeys.all().map((r) => r.key);
        const removed = this.deleteRows(keys);
        // Directories stay: another process may be about to rename a file into one.
        for (const shard of readdirSync(this.audioDir)) {
          for (const file of readdirSync(join(this.audioDir, shard))) {
            unlinkQuietly(join(this.audioDir, shard, file));
          }
        }
        return removed;
      })
      .immediate();
  }

  /** Deletes every entry whose TTL has run out; returns how many. */
  purgeExpired(): number {
    if (this.ttlMs === Infinity) return 0;
    return this.db
      .transaction(() => {
        const keys = this.statements.expiredRows.all(this.clock.wallMs() - this.ttlMs).map((r) => r.key);
        const removed = this.deleteRows(keys);
        this.expired += removed;
        return removed;
      })
      .immediate();
  }

  stats(): TtsCacheStoreStats {
    const totals = this.statements.totals.get() ?? { entries: 0, bytes: 0 };
    return {
      entries: totals.entries,
      bytesStored: totals.bytes,
      evictions: this.evictions,
      expired: this.expired,
      orphanedRows: this.orphanedRows,
    };
  }

  close(): void {
    this.db.close();
  }

  private isExpired(row: EntryRow): boolean {
    return this.clock.wallMs() - row.created_at_ms >= this.ttlMs;
  }

  private fileMatches(row: EntryRow): boolean {
    try {
      return statSync(this.pathFor(row.key)).size === row.bytes;
    } catch {
      return false;
    }
  }

  /** Removes a row found without its (whole) file, unless another writer has replaced it meanwhile. */
  private forget(entry: TtsCacheEntry): void {
    this.orphanedRows += this.deleteRows([entry.key], entry.createdAtMs);
  }

  /** Called inside the write transaction of `put`: drops least recently used entries over budget. */
  private evictToFit(keep: string): void {
    let { bytes } = this.statements.totals.get() ?? { bytes: 0 };
    while (bytes > this.maxBytes) {
      const victims = this.statements.oldest.all(keep, 32);
      if (victims.length === 0) return;
      const chosen: string[] = [];
      for (const victim of victims) {
        if (bytes <= this.maxBytes) break;
        chosen.push(victim.key);
        bytes -= victim.bytes;
      }
      this.evictions += this.deleteRows(chosen);
    }
  }

  /**
   * Deletes rows and their files in one write transaction (nested calls join the caller's), so
   * no writer can rename a new file for the same key in between and lose it to our unlink. With
   * `createdAtMs`, only a row written at that time goes: a newer entry for the key is kept.
   */
  private deleteRows(keys: readonly string[], createdAtMs?: number): number {
    if (keys.length === 0) return 0;
    const run = (): number => {
      let removed = 0;
      for (const key of keys) {
        const changes = (
          createdAtMs === undefined
            ? this.statements.deleteKey.run(key)
            : this.statements.deleteExact.run(key, createdAtMs)
        ).changes;
        if (changes > 0) {
          removed++;
          unlinkQuietly(this.pathFor(key));
        }
      }
      return removed;
    };
    return this.db.inTransaction ? run() : this.db.transaction(run).immediate();
  }

  private removeStaleTempFiles(staleMs: number): void {
    const cutoffMs = Date.now() - staleMs;
    for (const name of readdirSync(this.tempDir)) {
      const path = join(this.tempDir, name);
      try {
        if (statSync(path).mtimeMs < cutoffMs) unlinkSync(path);
      } catch {
        // Another process finished (renamed) or cleaned it first: nothing left to do.
      }
    }
  }
}

function toEntry(row: EntryRow): TtsCacheEntry {
  return {
    key: row.key,
    engine: row.engine,
    model: row.model,
    format: {
      encoding: row.encoding as TtsOutputFormat['encoding'],
      sampleRateHz: row.sample_rate_hz as TtsOutputFormat['sampleRateHz'],
    },
    bytes: row.bytes,
    durationMs: row.duration_ms,
    synthesisMs: row.synthesis_ms,
    createdAtMs: row.created_at_ms,
    lastUsedAtMs: row.last_used_at_ms,
    hits: row.hits,
  };
}

function isMissingFile(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if (!isMissingFile(err)) throw err;
  }
}
