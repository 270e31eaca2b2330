import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/**
 * Cumulative counts the gateway keeps as plain numbers (SIP stack, ingress, RTP pool, admission),
 * read at every scrape. Each one is a way the gateway protected itself or a call: refusals and
 * drops that would otherwise be silent.
 */
export interface GatewayCounts {
  /** Calls ended because no RTP arrived for rtpTimeoutSec (or rtpHoldTimeoutSec). */
  readonly mediaTimeouts: number;
  /** INVITEs refused with 488 for offering more audio streams than maxAudioStreams. */
  readonly tooManyStreams: number;
  /** INVITEs refused with 503 because their source had maxUnackedPerSource dialogs awaiting an ACK. */
  readonly unackedRefused: number;
  /** Calls refused (plain) or answered without live recognition (SIPREC) by recognizer admission. */
  readonly admissionRefused: number;
  /** SIP datagrams and TCP connections refused by the source allowlist or per-source caps. */
  readonly sipRefused: number;
  /** Exceptions in the SIP stack that were not a ParseError (hostile input must never cause one). */
  readonly sipInternalErrors: number;
  /** RTP/RTCP datagrams dropped because they came from an address the SDP did not name. */
  readonly rtpRejected: number;
  /**
   * SIPREC metadata oddities tolerated instead of refusing the call (ids synthesized, associations
   * dropped); optional so that callers that predate it need not set it.
   */
  readonly siprecMetadataWarnings?: number;
  /** INVITEs without an SDP offer, answered with ours in the 200 (optional, as above). */
  readonly offerlessInvites?: number;
  /** Offerless calls ended with a BYE because the ACK carried no usable answer (optional). */
  readonly badAnswers?: number;
  /** Recognition streams in use and the admission limit. */
  readonly recognizerStreams: number;
  readonly recognizerLimit: number;
  /**
   * Speech-engine child processes that died unasked (SIGKILL, SIGSEGV, an abort), by engine name.
   * Each cost only its own streams, which were reopened on a new process.
   */
  readonly engineProcessCrashes?: Readonly<Record<string, number>>;
}

/** The counts before a gateway exists (or of a gateway that has seen nothing yet). */
export const NO_GATEWAY_COUNTS: GatewayCounts = {
  mediaTimeouts: 0,
  tooManyStreams: 0,
  unackedRefused: 0,
  admissionRefused: 0,
  sipRefused: 0,
  sipInternalErrors: 0,
  rtpRejected: 0,
  siprecMetadataWarnings: 0,
  offerlessInvites: 0,
  badAnswers: 0,
  recognizerStreams: 0,
  recognizerLimit: 0,
  engineProcessCrashes: {},
};

/** Growth of a cumulative count; a count that went down was reset, so all of it is new. */
function growth(previous: number, current: number): number {
  if (!Number.isFinite(current) || current < 0) return 0;
  return current >= previous ? current - previous : current;
}

type CountKey = Exclude<
  keyof GatewayCounts,
  'recognizerStreams' | 'recognizerLimit' | 'engineProcessCrashes'
>;

const COUNTERS: readonly { key: CountKey; name: string; help: string }[] = [
  {
    key: 'mediaTimeouts',
    name: 'voxbridge_media_timeouts_total',
    help: 'Calls ended by the RTP inactivity timeout',
  },
  {
    key: 'tooManyStreams',
    name: 'voxbridge_sip_too_many_streams_total',
    help: 'INVITEs refused with 488 for offering more audio streams than allowed',
  },
  {
    key: 'unackedRefused',
    name: 'voxbridge_sip_unacked_refused_total',
    help: 'INVITEs refused with 503 because their source had too many dialogs awaiting an ACK',
  },
  {
    key: 'admissionRefused',
    name: 'voxbridge_recognizer_admission_refused_total',
    help: 'Calls refused (plain) or recorded without live transcripts (SIPREC) because every recognizer was busy',
  },
  {
    key: 'sipRefused',
    name: 'voxbridge_sip_refused_total',
    help: 'SIP datagrams and TCP connections refused by the source allowlist or per-source caps',
  },
  {
    key: 'sipInternalErrors',
    name: 'voxbridge_sip_internal_errors_total',
    help: 'Exceptions in the SIP stack other than parse errors',
  },
  {
    key: 'rtpRejected',
    name: 'voxbridge_rtp_packets_rejected_total',
    help: 'RTP/RTCP datagrams dropped because their source is not the address the SDP named',
  },
  {
    key: 'siprecMetadataWarnings',
    name: 'voxbridge_siprec_metadata_warnings_total',
    help: 'SIPREC metadata oddities tolerated rather than refused (missing or empty ids synthesized, unlinkable associations dropped)',
  },
  {
    key: 'offerlessInvites',
    name: 'voxbridge_sip_offerless_invites_total',
    help: 'INVITEs without an SDP offer, answered with our offer in the 200 OK',
  },
  {
    key: 'badAnswers',
    name: 'voxbridge_sip_bad_answers_total',
    help: 'Offerless calls ended with a BYE because the ACK carried no usable SDP answer',
  },
];

/** Registers the gateway's counters and gauges; `read` is called once per scrape. */
export function registerGatewayCounts(registry: Registry, read: () => GatewayCounts): void {
  const registers = [registry];
  let last: GatewayCounts | undefined;
  const previous = new Map<CountKey, number>();
  // The first metric's collect refreshes the snapshot the others read in the same scrape.
  const refresh = (): void => {
    last = read();
  };
  COUNTERS.forEach(({ key, name, help }, i) => {
    new Counter({
      name,
      help,
      registers,
      collect(this: Counter) {
        if (i === 0) refresh();
        const current = last?.[key] ?? 0;
        this.inc(growth(previous.get(key) ?? 0, current));
        previous.set(key, current);
      },
    });
  });
  const previousCrashes = new Map<string, number>();
  new Counter({
    name: 'voxbridge_engine_process_crashes_total',
    help: 'Speech-engine child processes that died unasked (killed, crashed or aborted), by engine',
    labelNames: ['engine'],
    registers,
    collect(this: Counter<'engine'>) {
      for (const [engine, current] of Object.entries(last?.engineProcessCrashes ?? {})) {
        this.inc({ engine }, growth(previousCrashes.get(engine) ?? 0, current));
        previousCrashes.set(engine, current);
      }
    },
  });
  new Gauge({
    name: 'voxbridge_recognizer_streams',
    help: 'Recognition streams in use',
    registers,
    collect(this: Gauge) {
      this.set(last?.recognizerStreams ?? 0);
    },
  });
  new Gauge({
    name: 'voxbridge_recognizer_streams_limit',
    help: 'Recognition streams admitted at once (configured, or derived from cores and engine speed)',
    registers,
    collect(this: Gauge) {
      this.set(last?.recognizerLimit ?? 0);
    },
  });
}
