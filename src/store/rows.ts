import type {
  CallSummary,
  DtmfRecord,
  LegRecord,
  LegRole,
  TranscriptSegment,
} from '../api/contract/index.js';

/** Row shapes as SQLite returns them, and their conversion to the wire types. */

export interface CallRow {
  id: string;
  sip_call_id: string;
  kind: string;
  started_at: string;
  started_at_ms: number;
  ended_at: string | null;
  end_reason: string | null;
  duration_ms: number | null;
  from_aor: string | null;
  to_aor: string | null;
  metadata: string | null;
}

export interface LegRow {
  call_id: string;
  id: string;
  position: number;
  role: string;
  label: string | null;
  codec: string;
  participant_aor: string | null;
  participant_name: string | null;
  has_participant: number;
}

export interface SegmentRow {
  id: number;
  seq: number;
  call_id: string;
  leg_id: string;
  role: string;
  text: string;
  start_ms: number;
  end_ms: number;
  confidence: number | null;
  timestamp: string;
}

export interface DtmfRow {
  seq: number;
  call_id: string;
  leg_id: string;
  role: string;
  digit: string;
  duration_ms: number;
  source: string;
  at_ms: number;
  timestamp: string;
}

export interface EventRow {
  seq: number;
  payload: string;
}

export function toSummary(row: CallRow, legs: number): CallSummary {
  return {
    id: row.id,
    sipCallId: row.sip_call_id,
    kind: row.kind === 'siprec' ? 'siprec' : 'sip',
    startedAt: row.started_at,
    endedAt: row.ended_at,
    endReason: row.end_reason,
    durationMs: row.duration_ms,
    legs,
    from: row.from_aor,
    to: row.to_aor,
  };
}

export function toLeg(row: LegRow): LegRecord {
  return {
    id: row.id,
    role: row.role as LegRole,
    label: row.label,
    codec: row.codec,
    participant: row.has_participant === 1 ? { aor: row.participant_aor, name: row.participant_name } : null,
  };
}

export function toSegment(row: SegmentRow): TranscriptSegment {
  return {
    seq: row.seq,
    legId: row.leg_id,
    role: row.role as LegRole,
    text: row.text,
    startMs: row.start_ms,
    endMs: row.end_ms,
    confidence: row.confidence,
    timestamp: row.timestamp,
  };
}

export function toDtmf(row: DtmfRow): DtmfRecord {
  return {
    seq: row.seq,
    legId: row.leg_id,
    role: row.role as LegRole,
    digit: row.digit,
    durationMs: row.duration_ms,
    source: row.source === 'info' ? 'info' : 'rfc4733',
    atMs: row.at_ms,
    timestamp: row.timestamp,
  };
}
