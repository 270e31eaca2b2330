import type {
  CallDetail,
  CallEvent,
  CallSummary,
  ListCallsQuery,
  ListCallsResult,
  SequencedEvent,
  StoreLike,
  TranscriptFormat,
} from '../../../src/api/index.js';

interface CallRow {
  detail: {
    -readonly [K in keyof CallDetail]: CallDetail[K];
  };
}

const vttTime = (ms: number): string => {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
};

/**
 * A StoreLike in memory for the API tests (the real SQLite store is tested on its own): a seq
 * counter shared by every event, persisted events without partials, calls built from events.
 */
export class InMemoryStore implements StoreLike {
  seq = 0;
  readonly persisted: SequencedEvent[] = [];
  readonly calls = new Map<string, CallRow>();
  recordCalls = 0;

  recordEvent(event: CallEvent): SequencedEvent {
    this.recordCalls++;
    const sequenced = { ...event, seq: ++this.seq } as SequencedEvent;
    if (event.type === 'transcript.partial') return sequenced;
    this.persisted.push(sequenced);
    this.apply(sequenced);
    return sequenced;
  }

  listCalls(query: ListCallsQuery): ListCallsResult {
    let rows = [...this.calls.values()].map((row) => row.detail).reverse();
    if (query.active !== undefined) rows = rows.filter((call) => (call.endedAt === null) === query.active);
    if (query.text !== undefined) {
      const needle = query.text.toLowerCase();
      rows = rows.filter((call) =>
        call.transcript.some((segment) => segment.text.toLowerCase().includes(needle)),
      );
    }
    if (query.before !== undefined) {
      const at = rows.findIndex((call) => call.id === query.before);
      rows = at < 0 ? [] : rows.slice(at + 1);
    }
    const limit = query.limit ?? 50;
    const page = rows.slice(0, limit);
    const calls: CallSummary[] = page.map((call) => ({ ...call, legs: call.legs.length }));
    return { calls, next: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
  }

  getCall(id: string): CallDetail | undefined {
    return this.calls.get(id)?.detail;
  }

  deleteCall(id: string): boolean {
    return this.calls.delete(id);
  }

  eventsSince(seq: number, callId?: string, limit?: number): SequencedEvent[] {
    const after = this.persisted.filter(
      (event) => event.seq > seq && (callId === undefined || event.callId === callId),
    );
    return limit === undefined ? after : after.slice(0, limit);
  }

  exportTranscript(id: string, format: TranscriptFormat): string | undefined {
    const call = this.getCall(id);
    if (call === undefined) return undefined;
    if (format === 'json') return JSON.stringify(call);
    if (format === 'text')
      return call.transcript.map((segment) => `[${segment.role}] ${segment.text}\n`).join('');
    const cues = call.transcript.map(
      (segment) =>
        `${vttTime(segment.startMs)} --> ${vttTime(segment.endMs)}\n<v ${segment.role}>${segment.text}\n`,
    );
    return ['WEBVTT\n', ...cues].join('\n');
  }

  private apply(event: SequencedEvent): void {
    if (event.type === 'call.started') {
      this.calls.set(event.callId, {
        detail: {
          id: event.callId,
          sipCallId: event.sipCallId,
          kind: event.kind,
          startedAt: event.timestamp,
          endedAt: null,
          endReason: null,
          durationMs: null,
          legs: [],
          transcript: [],
          dtmf: [],
          metadata: null,
        },
      });
      return;
    }
    const call = this.calls.get(event.callId)?.detail;
    if (call === undefined) return;
    switch (event.type) {
      case 'leg.added':
        call.legs.push({
          id: event.legId,
          role: event.role,
          label: event.label ?? null,
          codec: event.codec,
          participant: event.participant ?? null,
        });
        break;
      case 'transcript.final':
        call.transcript.push({
          seq: event.seq,
          legId: event.legId,
          role: event.role,
          text: event.text,
          startMs: event.startMs,
          endMs: event.endMs,
          confidence: event.confidence ?? null,
          timestamp: event.timestamp,
        });
        break;
      case 'dtmf':
        call.dtmf.push({
          seq: event.seq,
          legId: event.legId,
          role: event.role,
          digit: event.digit,
          durationMs: event.durationMs,
          source: event.source,
          atMs: event.atMs,
          timestamp: event.timestamp,
        });
        break;
      case 'call.ended':
        call.endedAt = event.timestamp;
        call.endReason = event.reason;
        call.durationMs = event.durationMs;
        break;
      default:
        break;
    }
  }
}

const T0 = Date.parse('2025-01-01T10:00:00Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();

/** Small CallEvent builders for tests. */
export const events = {
  started: (callId: string, ms = 0): CallEvent => ({
    type: 'call.started',
    callId,
    sipCallId: `${callId}@sip`,
    kind: 'sip',
    timestamp: at(ms),
  }),
  leg: (callId: string, legId = `${callId}-leg`): CallEvent => ({
    type: 'leg.added',
    callId,
    sipCallId: `${callId}@sip`,
    legId,
    role: 'caller',
    codec: 'PCMU/8000',
  }),
  partial: (callId: string, text: string, ms = 0): CallEvent => ({
    type: 'transcript.partial',
    callId,
    sipCallId: `${callId}@sip`,
    legId: `${callId}-leg`,
    role: 'caller',
    text,
    startMs: ms,
    endMs: ms + 500,
    timestamp: at(ms),
  }),
  final: (callId: string, text: string, ms = 0): CallEvent => ({
    type: 'transcript.final',
    callId,
    sipCallId: `${callId}@sip`,
    legId: `${callId}-leg`,
    role: 'caller',
    text,
    startMs: ms,
    endMs: ms + 1000,
    timestamp: at(ms),
    confidence: 0.9,
  }),
  dtmf: (callId: string, digit: string, ms = 0): CallEvent => ({
    type: 'dtmf',
    callId,
    sipCallId: `${callId}@sip`,
    legId: `${callId}-leg`,
    role: 'caller',
    digit,
    durationMs: 120,
    source: 'rfc4733',
    atMs: ms,
    timestamp: at(ms),
  }),
  ended: (callId: string, ms = 5000): CallEvent => ({
    type: 'call.ended',
    callId,
    sipCallId: `${callId}@sip`,
    reason: 'bye',
    durationMs: ms,
    timestamp: at(ms),
  }),
};
