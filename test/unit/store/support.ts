import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallEvent } from '../../../src/api/contract/index.js';
import { Store } from '../../../src/store/index.js';
import { FakeClock } from '../../../src/sip/transaction/testing.js';

/** 2024-03-01T10:00:00.000Z: wall time of FakeClock(0, T0) at its start. */
export const T0 = Date.parse('2024-03-01T10:00:00.000Z');

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A temp data dir, a fake clock, and stores opened on it that `cleanup` closes. */
export class StoreFixture {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'voxbridge-store-'));
  readonly clock = new FakeClock(0, T0);
  private readonly opened: Store[] = [];

  open(): Store {
    const store = Store.open({ dataDir: this.dataDir, clock: this.clock });
    this.opened.push(store);
    return store;
  }

  cleanup(): void {
    for (const s of this.opened.splice(0)) s.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Events of one call, by a small builder that keeps the ids straight. */
export class CallScript {
  constructor(
    readonly callId: string,
    readonly startMs = T0,
    readonly sipCallId = `${callId}@pbx.example`,
  ) {}

  started(kind: 'sip' | 'siprec' = 'sip'): CallEvent {
    return {
      type: 'call.started',
      callId: this.callId,
      sipCallId: this.sipCallId,
      kind,
      timestamp: iso(this.startMs),
    };
  }

  leg(
    legId: string,
    role: 'caller' | 'agent' | 'mixed' | 'unknown',
    participant?: { aor: string | null; name: string | null },
    label?: string,
  ): CallEvent {
    return {
      type: 'leg.added',
      callId: this.callId,
      sipCallId: this.sipCallId,
      legId,
      role,
      codec: 'PCMU/8000',
      ...(label === undefined ? {} : { label }),
      ...(participant === undefined ? {} : { participant }),
    };
  }

  final(
    legId: string,
    role: 'caller' | 'agent' | 'unknown',
    text: string,
    startMs: number,
    endMs: number,
  ): CallEvent {
    return {
      type: 'transcript.final',
      callId: this.callId,
      sipCallId: this.sipCallId,
      legId,
      role,
      text,
      startMs,
      endMs,
      confidence: 0.9,
      timestamp: iso(this.startMs + endMs),
    };
  }

  partial(legId: string, text: string, startMs: number, endMs: number): CallEvent {
    return {
      type: 'transcript.partial',
      callId: this.callId,
      sipCallId: this.sipCallId,
      legId,
      role: 'caller',
      text,
      startMs,
      endMs,
      timestamp: iso(this.startMs + endMs),
    };
  }

  dtmf(legId: string, digit: string, atMs: number): CallEvent {
    return {
      type: 'dtmf',
      callId: this.callId,
      sipCallId: this.sipCallId,
      legId,
      role: 'caller',
      digit,
      durationMs: 120,
      source: 'rfc4733',
      atMs,
      timestamp: iso(this.startMs + atMs),
    };
  }

  ended(durationMs: number, reason = 'bye'): CallEvent {
    return {
      type: 'call.ended',
      callId: this.callId,
      sipCallId: this.sipCallId,
      reason,
      durationMs,
      timestamp: iso(this.startMs + durationMs),
    };
  }
}
