/** Who a leg carries. SIPREC `mixed` is one stream with both parties; `unknown` when no metadata says. */
export type LegRole = 'caller' | 'agent' | 'mixed' | 'unknown';

/** The negotiated audio of one leg, from the SDP. G.711 only, so the clock is always 8000 Hz. */
export interface LegCodec {
  readonly encoding: 'mulaw' | 'alaw';
  readonly payloadType: number;
  readonly ptimeMs: number;
  readonly telephoneEventPayloadType?: number;
}

/** Structurally satisfied by net/rtp's RtpPacer: sends one ptime of encoded payload per ptime. */
export interface LegPacer {
  play(payloads: AsyncIterable<Uint8Array>, options?: { signal?: AbortSignal }): Promise<void>;
  stop(): void;
}

export interface LegParticipant {
  readonly aor: string | null;
  readonly name: string | null;
}

/**
 * Whether a call's legs are recognized live: `live` yes; `off` no recognizer is configured;
 * `refused` recognition was not admitted because the recognizers were at their limit (the call
 * is still recorded when recording is on).
 */
export type CallTranscription = 'live' | 'off' | 'refused';

export interface CallStartedEvent {
  readonly type: 'call.started';
  readonly callId: string;
  readonly sipCallId: string;
  readonly kind: 'sip' | 'siprec';
  /** Always set by Call; absent only on events stored before it existed. */
  readonly transcription?: CallTranscription;
  /** The caller and the called party (SIP URIs from the INVITE's From and To), when known. */
  readonly from?: string;
  readonly to?: string;
  /** ISO 8601 wall-clock time. */
  readonly timestamp: string;
}

/**
 * Which step of the SIPREC role rule gave a leg its role (see sip/siprec build-recording-session):
 * `vendor-marker` (the SRC named the caller: Oracle callingParty, Ribbon call data, BroadWorks call
 * type), `recorded-call-parties` (the recorded call's From/To), `agent-pattern` (configured agent
 * AoR patterns), `label-order` (first m-line's sender is the caller), `stream-order` (configured
 * roles by position, no metadata), `none` (nothing decided).
 */
export type LegRoleSource =
  'vendor-marker' | 'recorded-call-parties' | 'agent-pattern' | 'label-order' | 'stream-order' | 'none';

export interface LegAddedEvent {
  readonly type: 'leg.added';
  readonly callId: string;
  readonly sipCallId: string;
  readonly legId: string;
  readonly role: LegRole;
  readonly label?: string;
  /** SDP encoding name and clock rate, e.g. `PCMU/8000`. */
  readonly codec: string;
  readonly participant?: LegParticipant;
  /** SIPREC legs only: which rule decided `role`. Absent on plain SIP calls. */
  readonly roleSource?: LegRoleSource;
}

export interface TranscriptEvent {
  readonly type: 'transcript.partial' | 'transcript.final';
  readonly callId: string;
  readonly sipCallId: string;
  readonly legId: string;
  readonly role: LegRole;
  readonly text: string;
  /** Milliseconds from the start of the CALL (not of the leg or of the recognition stream). */
  readonly startMs: number;
  readonly endMs: number;
  readonly timestamp: string;
  /** 0..1, on finals only. */
  readonly confidence?: number;
}

/** Why audio went unrecognized: see TranscriptGapEvent. */
export type TranscriptGapReason = 'backlog' | 'engine-restart' | 'engine-failed' | 'flush-timeout';

/**
 * Audio of a leg that was never recognized, so a missing transcript is never silent. Reasons:
 * `backlog` the recognizer fell further behind than its backlog bound and the oldest audio was
 * dropped; `engine-restart` the engine failed, was restarted, and lost what it had not finalized;
 * `engine-failed` the engine failed for good (the range runs to the end of the leg);
 * `flush-timeout` the call ended and the last audio was not finalized in time.
 */
export interface TranscriptGapEvent {
  readonly type: 'transcript.gap';
  readonly callId: string;
  readonly sipCallId: string;
  readonly legId: string;
  readonly role: LegRole;
  /** The range, in milliseconds from the start of the call. */
  readonly startMs: number;
  readonly endMs: number;
  /** Audio actually lost inside the range, in ms (backlog drops can be scattered over it). */
  readonly lostMs: number;
  readonly reason: TranscriptGapReason;
  readonly timestamp: string;
}

export interface DtmfCallEvent {
  readonly type: 'dtmf';
  readonly callId: string;
  readonly sipCallId: string;
  readonly legId: string;
  readonly role: LegRole;
  readonly digit: string;
  readonly durationMs: number;
  readonly source: 'rfc4733' | 'info';
  /** When the digit started, in milliseconds from the start of the call. */
  readonly atMs: number;
  readonly timestamp: string;
}

export interface CallEndedEvent {
  readonly type: 'call.ended';
  readonly callId: string;
  readonly sipCallId: string;
  readonly reason: string;
  readonly durationMs: number;
  readonly timestamp: string;
}

export type CallEvent =
  CallStartedEvent | LegAddedEvent | TranscriptEvent | TranscriptGapEvent | DtmfCallEvent | CallEndedEvent;

/** Every CallEvent type, in the order a call emits them. */
export const CALL_EVENT_TYPES = [
  'call.started',
  'leg.added',
  'transcript.partial',
  'transcript.final',
  'transcript.gap',
  'dtmf',
  'call.ended',
] as const satisfies readonly CallEvent['type'][];

/** SDP encoding name (RFC 3551 §4.5.14) and clock rate of a leg codec, as events show it. */
export function codecName(codec: LegCodec): string {
  return `${codec.encoding === 'mulaw' ? 'PCMU' : 'PCMA'}/8000`;
}
