import type {
  CallDetail,
  CallEvent,
  ListCallsQuery,
  ListCallsResult,
  SequencedEvent,
  TranscriptFormat,
} from './wire-types.js';

/**
 * The part of src/store's Store the API uses. Structural, so the real Store satisfies it without
 * importing api, and tests use a small in-memory fake.
 */
export interface StoreLike {
  recordEvent(event: CallEvent): SequencedEvent;
  listCalls(query: ListCallsQuery): ListCallsResult;
  getCall(id: string): CallDetail | undefined;
  deleteCall(id: string): boolean;
  /** Persisted events only (no partials), ascending by seq. */
  eventsSince(seq: number, callId?: string, limit?: number): SequencedEvent[];
  exportTranscript(id: string, format: TranscriptFormat): string | undefined;
}
