import type { CallSummary, SequencedEvent } from '@voxbridge/contract';

export interface LiveCall {
  readonly id: string;
  readonly sipCallId: string;
  readonly kind: 'sip' | 'siprec';
  readonly startedAt: string;
  /** Legs seen so far: the listing's count, or the leg.added events if those say more. */
  legs: number;
  readonly from: string | null;
  readonly to: string | null;
}

const MAX_REMEMBERED_ENDED = 1000;

/**
 * The calls in progress, from GET /v1/calls?active=true and the event stream. The list request
 * and the stream race: a call whose `call.ended` arrived before the list is never added back.
 */
export class LiveCalls {
  private readonly calls = new Map<string, LiveCall>();
  /** Recently ended calls, remembered only to settle the race; bounded. */
  private readonly ended = new Set<string>();
  private readonly legIds = new Map<string, Set<string>>();

  /** Adds the calls of an active-calls listing that the stream has not already ended. */
  seed(summaries: readonly CallSummary[]): void {
    for (const s of summaries) {
      if (s.endedAt !== null || this.ended.has(s.id) || this.calls.has(s.id)) continue;
      this.calls.set(s.id, {
        id: s.id,
        sipCallId: s.sipCallId,
        kind: s.kind,
        startedAt: s.startedAt,
        legs: s.legs,
        from: s.from ?? null,
        to: s.to ?? null,
      });
    }
  }

  /** True when the list changed. */
  apply(event: SequencedEvent): boolean {
    switch (event.type) {
      case 'call.started':
        if (this.ended.has(event.callId) || this.calls.has(event.callId)) return false;
        this.calls.set(event.callId, {
          id: event.callId,
          sipCallId: event.sipCallId,
          kind: event.kind,
          startedAt: event.timestamp,
          legs: 0,
          from: null,
          to: null,
        });
        return true;
      case 'leg.added': {
        const call = this.calls.get(event.callId);
        if (call === undefined) return false;
        const ids = this.legIds.get(event.callId) ?? new Set<string>();
        ids.add(event.legId);
        this.legIds.set(event.callId, ids);
        if (ids.size <= call.legs) return false;
        call.legs = ids.size;
        return true;
      }
      case 'call.ended':
        this.ended.add(event.callId);
        if (this.ended.size > MAX_REMEMBERED_ENDED) {
          const oldest = this.ended.values().next();
          if (oldest.done !== true) this.ended.delete(oldest.value);
        }
        this.legIds.delete(event.callId);
        return this.calls.delete(event.callId);
      default:
        return false;
    }
  }

  has(callId: string): boolean {
    return this.calls.has(callId);
  }

  /** Newest first. */
  list(): LiveCall[] {
    return [...this.calls.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }
}
