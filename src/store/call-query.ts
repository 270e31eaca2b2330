import { InvalidArgumentError } from '../core/index.js';
import type { ListCallsQuery } from '../api/contract/index.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** Where a page ends: calls are listed newest first, by (started_at_ms, id) descending. */
export interface CallCursor {
  readonly startedAtMs: number;
  readonly id: string;
}

/** An opaque cursor (base64url of JSON) for the page after `last`. */
export function encodeCursor(last: CallCursor): string {
  return Buffer.from(JSON.stringify([last.startedAtMs, last.id])).toString('base64url');
}

/** Parses a cursor made by `encodeCursor`; anything else is an InvalidArgumentError. */
export function decodeCursor(cursor: string): CallCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidArgumentError('invalid cursor');
  }
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[0] !== 'number' ||
    !Number.isFinite(value[0]) ||
    typeof value[1] !== 'string'
  ) {
    throw new InvalidArgumentError('invalid cursor');
  }
  return { startedAtMs: value[0], id: value[1] };
}

/**
 * Turns what a user typed into an FTS5 query that cannot be a syntax error: every word becomes a
 * quoted prefix term (`"refund"*`), all of which must match. Undefined when nothing searchable
 * is left (only punctuation), so the caller falls back to the substring matches alone.
 */
export function ftsQuery(text: string): string | undefined {
  const words = text
    .split(/[^\p{L}\p{N}_]+/u)
    .filter((w) => w.length > 0)
    .slice(0, 16);
  if (words.length === 0) return undefined;
  return words.map((w) => `"${w}"*`).join(' ');
}

/** A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped (ESCAPE '\'). */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function isoBound(name: string, value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`${name} is not an ISO 8601 time`);
  return ms;
}

/**
 * The SQL and parameters of one listCalls page. `text` matches final transcript text (FTS5),
 * participant AoRs and names, the SIP Call-ID (substring) and the call id (exactly). Fetches one
 * row more than the page, so the caller knows whether there is a next page.
 */
export function listCallsSql(query: ListCallsQuery): { sql: string; params: unknown[]; limit: number } {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidArgumentError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  const where: string[] = [];
  const params: unknown[] = [];
  const text = query.text?.trim();
  if (text !== undefined && text !== '') {
    const like = likePattern(text);
    const alternatives = [
      'c.id = ?',
      "c.sip_call_id LIKE ? ESCAPE '\\'",
      `EXISTS (SELECT 1 FROM legs l WHERE l.call_id = c.id
         AND (l.participant_aor LIKE ? ESCAPE '\\' OR l.participant_name LIKE ? ESCAPE '\\'))`,
    ];
    params.push(text, like, like, like);
    const match = ftsQuery(text);
    if (match !== undefined) {
      alternatives.push(
        `c.id IN (SELECT s.call_id FROM segments_fts f JOIN segments s ON s.id = f.rowid
                  WHERE segments_fts MATCH ?)`,
      );
      params.push(match);
    }
    where.push(`(${alternatives.join(' OR ')})`);
  }
  if (query.from !== undefined) {
    where.push('c.started_at_ms >= ?');
    params.push(isoBound('from', query.from));
  }
  if (query.to !== undefined) {
    where.push('c.started_at_ms < ?');
    params.push(isoBound('to', query.to));
  }
  if (query.active !== undefined) where.push(query.active ? 'c.ended_at IS NULL' : 'c.ended_at IS NOT NULL');
  if (query.before !== undefined) {
    const cursor = decodeCursor(query.before);
    where.push('(c.started_at_ms < ? OR (c.started_at_ms = ? AND c.id < ?))');
    params.push(cursor.startedAtMs, cursor.startedAtMs, cursor.id);
  }
  const sql = `SELECT c.*, (SELECT count(*) FROM legs l WHERE l.call_id = c.id) AS leg_count
    FROM calls c ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
    ORDER BY c.started_at_ms DESC, c.id DESC LIMIT ?`;
  params.push(limit + 1);
  return { sql, params, limit };
}
