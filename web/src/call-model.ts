import type { CallDetail, LegRole, SequencedEvent } from '@voxbridge/contract';

/** One line of a speaker's column. */
export interface TranscriptLine {
  readonly seq: number;
  readonly text: string;
  readonly startMs: number;
  readonly endMs: number;
}

export interface LegColumn {
  readonly legId: string;
  role: LegRole;
  label: string | null;
  codec: string | null;
  participant: string | null;
  /** Finals in call time order. */
  readonly finals: TranscriptLine[];
  /** The recognizer's current guess for speech not yet final; replaced by the next final. */
  partial: TranscriptLine | null;
}

export interface DtmfEntry {
  readonly seq: number;
  readonly legId: string;
  readonly role: LegRole;
  readonly digit: string;
  readonly atMs: number;
}

export interface CallEnd {
  readonly reason: string | null;
  readonly durationMs: number | null;
}

/** Caller on the left, agent next, anything else after them in the order the legs came. */
const ROLE_ORDER: Readonly<Record<LegRole, number>> = { caller: 0, agent: 1, mixed: 2, unknown: 3 };

/**
 * What the call view shows of one call: the stored detail (GET /v1/calls/:id) with live events
 * applied on top. Pure state, no DOM, so the rules below are tested in Node:
 * - events of other calls and events already applied (by seq) change nothing, so a replay after
 *   a reconnect, or an event that raced the detail request, is harmless;
 * - a partial shows until the next final of the same leg replaces it; a partial older than the
 *   leg's latest final is stale and ignored.
 */
export class CallModel {
  sipCallId: string;
  kind: 'sip' | 'siprec';
  startedAt: string;
  ended: CallEnd | null;
  readonly dtmf: DtmfEntry[] = [];
  private readonly legs = new Map<string, LegColumn>();
  private readonly applied = new Set<number>();
  private readonly lastFinalSeq = new Map<string, number>();

  constructor(
    readonly callId: string,
    init: { sipCallId?: string; kind?: 'sip' | 'siprec'; startedAt?: string } = {},
  ) {
    this.sipCallId = init.sipCallId ?? '';
    this.kind = init.kind ?? 'sip';
    this.startedAt = init.startedAt ?? '';
    this.ended = null;
  }

  static fromDetail(detail: CallDetail): CallModel {
    const model = new CallModel(detail.id, detail);
    if (detail.endedAt !== null) {
      model.ended = { reason: detail.endReason, durationMs: detail.durationMs };
    }
    for (const leg of detail.legs) {
      const column = model.leg(leg.id, leg.role);
      column.label = leg.label;
      column.codec = leg.codec;
      column.participant = participantText(leg.participant);
    }
    for (const segment of detail.transcript) {
      model.addFinal(segment.legId, segment.role, { ...segment });
    }
    for (const digit of detail.dtmf) model.addDtmf({ ...digit });
    return model;
  }

  /** Applies one event; true when what the view shows changed. */
  apply(event: SequencedEvent): boolean {
    if (event.callId !== this.callId) return false;
    switch (event.type) {
      case 'call.started':
        this.sipCallId = event.sipCallId;
        this.kind = event.kind;
        this.startedAt = event.timestamp;
        return true;
      case 'leg.added': {
        const column = this.leg(event.legId, event.role);
        column.role = event.role;
        column.label = event.label ?? null;
        column.codec = event.codec;
        column.participant = participantText(event.participant ?? null);
        return true;
      }
      case 'transcript.partial':
        return this.setPartial(event.legId, event.role, event);
      case 'transcript.final':
        return this.addFinal(event.legId, event.role, event);
      case 'transcript.gap':
        // Not shown yet: the dashboard has no place for unrecognized audio.
        return false;
      case 'dtmf':
        return this.addDtmf(event);
      case 'call.ended':
        this.ended = { reason: event.reason, durationMs: event.durationMs };
        for (const column of this.legs.values()) column.partial = null;
        return true;
    }
  }

  /** The speaker columns in display order. */
  columns(): LegColumn[] {
    return [...this.legs.values()].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role]);
  }

  private leg(legId: string, role: LegRole): LegColumn {
    let column = this.legs.get(legId);
    if (column === undefined) {
      column = { legId, role, label: null, codec: null, participant: null, finals: [], partial: null };
      this.legs.set(legId, column);
    }
    return column;
  }

  private setPartial(legId: string, role: LegRole, line: TranscriptLine): boolean {
    if (line.seq <= (this.lastFinalSeq.get(legId) ?? -1) || this.ended !== null) return false;
    const column = this.leg(legId, role);
    column.partial = line.text.trim() === '' ? null : pick(line);
    return true;
  }

  private addFinal(legId: string, role: LegRole, line: TranscriptLine): boolean {
    if (this.applied.has(line.seq)) return false;
    this.applied.add(line.seq);
    const column = this.leg(legId, role);
    const at = column.finals.findIndex((f) => f.startMs > line.startMs);
    column.finals.splice(at === -1 ? column.finals.length : at, 0, pick(line));
    if (line.seq > (this.lastFinalSeq.get(legId) ?? -1)) {
      this.lastFinalSeq.set(legId, line.seq);
      if (column.partial !== null && column.partial.seq < line.seq) column.partial = null;
    }
    return true;
  }

  private addDtmf(entry: DtmfEntry): boolean {
    if (this.applied.has(entry.seq)) return false;
    this.applied.add(entry.seq);
    const at = this.dtmf.findIndex((d) => d.atMs > entry.atMs);
    const kept = {
      seq: entry.seq,
      legId: entry.legId,
      role: entry.role,
      digit: entry.digit,
      atMs: entry.atMs,
    };
    this.dtmf.splice(at === -1 ? this.dtmf.length : at, 0, kept);
    return true;
  }
}

function pick(line: TranscriptLine): TranscriptLine {
  return { seq: line.seq, text: line.text, startMs: line.startMs, endMs: line.endMs };
}

function participantText(participant: { aor: string | null; name: string | null } | null): string | null {
  if (participant === null) return null;
  const parts = [participant.name, participant.aor].filter((p): p is string => p !== null && p !== '');
  return parts.length === 0 ? null : parts.join(' ');
}
