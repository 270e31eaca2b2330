import type { CallEvent, LegRole } from '../../session/index.js';
import { CALL_EVENT_TYPES } from '../../session/index.js';

export type { CallEvent, LegRole };

/** Every event type a CallEvent can carry; also the `type` of its wire message. */
export type EventType =
  | 'call.started'
  | 'leg.added'
  | 'transcript.partial'
  | 'transcript.final'
  | 'transcript.gap'
  | 'dtmf'
  | 'call.ended';

export const EVENT_TYPES: readonly EventType[] = CALL_EVENT_TYPES;

/**
 * A CallEvent plus a global, strictly increasing sequence number. Partials get a seq too but are
 * never persisted, so a replay (`eventsSince`) has gaps where partials were.
 */
export type SequencedEvent = CallEvent & { readonly seq: number };

export interface CallSummary {
  readonly id: string;
  readonly sipCallId: string;
  readonly kind: 'sip' | 'siprec';
  /** ISO 8601. */
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly endReason: string | null;
  readonly durationMs: number | null;
  /** Number of legs. */
  readonly legs: number;
  readonly from?: string | null;
  readonly to?: string | null;
}

export interface LegParticipantRecord {
  readonly aor: string | null;
  readonly name: string | null;
}

export interface LegRecord {
  readonly id: string;
  readonly role: LegRole;
  readonly label: string | null;
  /** e.g. `PCMU/8000`. */
  readonly codec: string;
  readonly participant: LegParticipantRecord | null;
}

export interface TranscriptSegment {
  readonly seq: number;
  readonly legId: string;
  readonly role: LegRole;
  readonly text: string;
  /** Milliseconds from the start of the call. */
  readonly startMs: number;
  readonly endMs: number;
  readonly confidence: number | null;
  readonly timestamp: string;
}

export interface DtmfRecord {
  readonly seq: number;
  readonly legId: string;
  readonly role: LegRole;
  readonly digit: string;
  readonly durationMs: number;
  readonly source: 'rfc4733' | 'info';
  /** Milliseconds from the start of the call. */
  readonly atMs: number;
  readonly timestamp: string;
}

export interface CallDetail extends Omit<CallSummary, 'legs'> {
  readonly legs: LegRecord[];
  readonly transcript: TranscriptSegment[];
  readonly dtmf: DtmfRecord[];
  readonly metadata: unknown;
}

export type TranscriptFormat = 'json' | 'text' | 'vtt';

export interface ListCallsQuery {
  /** Full-text search over transcripts (and caller/callee where the store has them). */
  readonly text?: string;
  /** ISO 8601 lower bound on startedAt (inclusive). */
  readonly from?: string;
  /** ISO 8601 upper bound on startedAt (exclusive). */
  readonly to?: string;
  readonly limit?: number;
  /** Opaque cursor: the `next` of a previous page. */
  readonly before?: string;
  /** true: only calls not ended; false: only ended calls. */
  readonly active?: boolean;
}

export interface ListCallsResult {
  readonly calls: CallSummary[];
  /** Cursor for the next (older) page, or null at the end. */
  readonly next: string | null;
}
