/**
 * The composition root of the SIP gateway: SIP transport → transactions and dialogs (sip/) →
 * ingress → session Calls, with RTP ports from one pool and one recognizer shared by all legs.
 */
import { networkInterfaces } from 'node:os';
import type { SttEngine } from '../engines/spi/index.js';
import type { EngineProcessEvent } from '../engines/worker/index.js';
import type { GatewayCounts } from '../observability/index.js';
import { SipIngress } from '../ingress/sip/index.js';
import type { SipIngressOptions } from '../ingress/sip/index.js';
import type { RtpLatching } from '../net/rtp/index.js';
import { RtpPortPool } from '../net/rtp/index.js';
import type { CallEvent, RecognizerAdmission } from '../session/index.js';
import { recognizerAdmissionFor, recognizerSpeedOf } from '../session/index.js';
import { SipUserAgent } from '../sip/dialog/index.js';
import { createTimerScheduler } from '../sip/transaction/index.js';
import type { SipTransportStats } from '../sip/transport/index.js';
import { SipTransport } from '../sip/transport/index.js';
import type { SttEngineName } from './engines.js';
import { createSttEngine } from './engines.js';
import { admitByRecognizers } from './recognizer-admit.js';
import type { AgentMatcher } from '../sip/siprec/index.js';

export interface GatewayOptions {
  readonly sipHost: string;
  /** 0 picks a free port (tests). */
  readonly sipPort: number;
  readonly rtpPorts: { readonly min: number; readonly max: number };
  /** Address written into SDP answers; default the SIP host, or the first external IPv4 when bound to 0.0.0.0. */
  readonly mediaAddress?: string;
  readonly stt: SttEngineName | 'none';
  /** An engine built by the caller (tests); overrides `stt`. */
  readonly sttEngine?: SttEngine;
  readonly modelsDir?: string;
  /** pocketsphinx, 8 kHz: finals from a whole-utterance pass (default) or the live decoder. */
  readonly pocketsphinxFinalPass?: 'live' | 'utterance';
  readonly recordDir?: string;
  readonly maxCalls?: number;
  /**
   * SIP transactions held at once (default 65,536). A finished call keeps its INVITE and BYE
   * transactions for 32 s (RFC 6026 Timer L, RFC 3261 Timer J), so sustaining R calls/s needs
   * about 64·R; beyond the bound new requests get a stateless 503.
   */
  readonly maxTransactions?: number;
  /** Ring time before answering; see SipIngressOptions.answerDelayMs. */
  readonly answerDelayMs?: number;
  /** No RTP on any leg for this long ends the call (BYE, `media-timeout`); default 30, 0 off. */
  readonly rtpTimeoutSec?: number;
  /** The media timeout while every stream is held or inactive; default 300. */
  readonly rtpHoldTimeoutSec?: number;
  /** Audio m-lines per call; an offer with more gets 488. Default 4. */
  readonly maxAudioStreams?: number;
  /** Dialogs one source may have awaiting the ACK; beyond it 503. Default 32. */
  readonly maxUnackedPerSource?: number;
  /** SIPREC: which participants are agents by AoR (the role rule's configuration step). */
  readonly agentMatcher?: AgentMatcher;
  /** SIPREC: headers in which the SRC passes the recorded call's From and To. */
  readonly recordedCallHeaders?: SipIngressOptions['recordedCallHeaders'];
  /**
   * Admission of new calls before ports are bound; see SipIngressOptions.admit. Default: the
   * recognizer admission below, when there is a recognizer.
   */
  readonly admit?: SipIngressOptions['admit'];
  /**
   * Recognition streams at once (one per recognized leg). Beyond it a plain call gets 503 with
   * Retry-After and a SIPREC session is recorded with `transcription: 'refused'`. Default: derived
   * from the cores and the engine's measured real-time factor (recognizerLimit).
   */
  readonly maxRecognizerStreams?: number;
  /**
   * SIP source allowlist, applied by the transport before anything is parsed: datagrams from
   * other addresses are dropped unanswered and their TCP connections closed at accept.
   */
  readonly allowSource?: (address: string) => boolean;
  /** Whose media a leg takes; default `address` (see net/rtp RtpLatching). */
  readonly rtpLatching?: RtpLatching;
  /** TCP slow-loris bound; see SipTransportOptions.messageTimeoutMs (default 10 s). */
  readonly sipMessageTimeoutMs?: number;
  /** Open SIP TCP connections per source address (default 128). */
  readonly sipMaxConnectionsPerSource?: number;
  readonly onEvent: (event: CallEvent) => void;
  /** Recognizer usage reports (audio heard, processing time) of every leg. */
  readonly onRecognizerUsage?: (usage: { readonly audioMs: number; readonly processingMs: number }) => void;
  readonly onError?: (error: unknown) => void;
  /**
   * Speech-engine child processes started, crashed and given streams; the service logs them. A
   * crash is also counted in `counts.engineProcessCrashes`.
   */
  readonly onEngineProcess?: (event: EngineProcessEvent) => void;
}

export interface Gateway {
  readonly sipPorts: { readonly udp?: number; readonly tcp?: number };
  /** SIP listening sockets' own addresses (what the start banner prints). */
  readonly sipAddresses: {
    readonly udp?: { readonly address: string; readonly family: string; readonly port: number };
    readonly tcp?: { readonly address: string; readonly family: string; readonly port: number };
  };
  readonly mediaAddress: string;
  readonly userAgent: SipUserAgent;
  readonly ingress: SipIngress;
  readonly pool: RtpPortPool;
  /** Datagrams and TCP connections refused by the source allowlist (or the per-source TCP cap). */
  readonly forbidden: number;
  /**
   * SIP stack counters: the transport's (received, parsed, responses sent, refused, ...) with
   * `internalErrors` summed over the transport and the user agent: exceptions that were not a
   * ParseError, which hostile input must never cause.
   */
  readonly sipStats: SipTransportStats;
  /** Refusals, drops and timeouts so far, for /metrics. */
  readonly counts: GatewayCounts;
  /** Recognizer admission, when the gateway runs a recognizer and no `admit` was given. */
  readonly admission: RecognizerAdmission | undefined;
  /** New INVITEs and OPTIONS get 503; running calls go on. */
  drain(): void;
  /** Resolves when no call is running. */
  idle(): Promise<void>;
  /** Hangs up every call, closes sockets and engines. */
  close(): Promise<void>;
}

const DEFAULT_MAX_CALLS = 1000;
const DEFAULT_MAX_TRANSACTIONS = 65_536;

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const mediaAddress = options.mediaAddress ?? advertisedAddress(options.sipHost);
  const engineProcessCrashes: Record<string, number> = {};
  const onEngineProcess = (event: EngineProcessEvent): void => {
    if (event.type === 'crashed')
      engineProcessCrashes[event.engine] = (engineProcessCrashes[event.engine] ?? 0) + 1;
    options.onEngineProcess?.(event);
  };
  const stt =
    options.sttEngine ??
    (options.stt === 'none'
      ? undefined
      : await createSttEngine(options.stt, {
          ...(options.modelsDir === undefined ? {} : { modelsDir: options.modelsDir }),
          ...(options.pocketsphinxFinalPass === undefined
            ? {}
            : { pocketsphinxFinalPass: options.pocketsphinxFinalPass }),
          onEngineProcess,
        }));
  const transport = new SipTransport({
    host: options.sipHost,
    port: options.sipPort,
    ...(options.allowSource === undefined ? {} : { allowSource: options.allowSource }),
    ...(options.sipMessageTimeoutMs === undefined ? {} : { messageTimeoutMs: options.sipMessageTimeoutMs }),
    ...(options.sipMaxConnectionsPerSource === undefined
      ? {}
      : { maxConnectionsPerSource: options.sipMaxConnectionsPerSource }),
  });
  const pool = new RtpPortPool({
    host: rtpBindHost(options.sipHost),
    minPort: options.rtpPorts.min,
    maxPort: options.rtpPorts.max,
    endpointDefaults: { latching: options.rtpLatching ?? 'address' },
  });
  const admission =
    options.admit !== undefined || stt === undefined
      ? undefined
      : recognizerAdmissionFor(
          recognizerSpeedOf(stt),
          options.maxRecognizerStreams === undefined ? {} : { configured: options.maxRecognizerStreams },
        );
  const admit = options.admit ?? (admission === undefined ? undefined : admitByRecognizers(admission));
  // The user agent is built after the ingress (it is the ingress's caller); the media timeout's
  // BYE goes through it once it exists.
  const late: { userAgent?: SipUserAgent } = {};
  const ingress = new SipIngress({
    pool,
    mediaAddress,
    hangup: (dialogId) => late.userAgent?.hangup(dialogId) ?? Promise.resolve(),
    ...(options.rtpTimeoutSec === undefined ? {} : { rtpTimeoutSec: options.rtpTimeoutSec }),
    ...(options.rtpHoldTimeoutSec === undefined ? {} : { rtpHoldTimeoutSec: options.rtpHoldTimeoutSec }),
    ...(options.maxAudioStreams === undefined ? {} : { maxAudioStreams: options.maxAudioStreams }),
    ...(options.agentMatcher === undefined ? {} : { agentMatcher: options.agentMatcher }),
    ...(options.recordedCallHeaders === undefined
      ? {}
      : { recordedCallHeaders: options.recordedCallHeaders }),
    ...(admit === undefined ? {} : { admit }),
    ...(stt === undefined ? {} : { stt }),
    ...(options.recordDir === undefined ? {} : { recordDir: options.recordDir }),
    ...(options.answerDelayMs === undefined ? {} : { answerDelayMs: options.answerDelayMs }),
    onEvent: options.onEvent,
    ...(options.onRecognizerUsage === undefined ? {} : { onRecognizerUsage: options.onRecognizerUsage }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  });
  try {
    await transport.listen();
  } catch (error) {
    await stt?.close();
    throw error;
  }
  const ports = transport.ports;
  const userAgent = new SipUserAgent({
    send: (message, destination) => {
      transport.send(message, destination).catch((error: unknown) => options.onError?.(error));
    },
    scheduler: createTimerScheduler(),
    handler: ingress,
    maxCalls: options.maxCalls ?? DEFAULT_MAX_CALLS,
    maxTransactions: options.maxTransactions ?? DEFAULT_MAX_TRANSACTIONS,
    contact: { host: mediaAddress, port: ports.udp ?? ports.tcp ?? options.sipPort },
    ...(options.maxUnackedPerSource === undefined
      ? {}
      : { maxUnackedPerSource: options.maxUnackedPerSource }),
  });
  late.userAgent = userAgent;
  transport.on('message', ({ message, source, connectionId }) => {
    const destination =
      source.transport === 'tcp' && connectionId !== undefined
        ? { transport: 'tcp' as const, connectionId }
        : { transport: 'udp' as const, address: source.address, port: source.port };
    userAgent.receive(message, destination);
  });
  transport.on('error', (error) => options.onError?.(error));

  let closed: Promise<void> | undefined;
  return {
    sipPorts: ports,
    sipAddresses: transport.boundAddresses,
    get forbidden() {
      const stats = transport.stats;
      return stats.refusedDatagrams + stats.refusedConnections;
    },
    get sipStats() {
      const stats = transport.stats;
      return { ...stats, internalErrors: stats.internalErrors + userAgent.stats.internalErrors };
    },
    get counts(): GatewayCounts {
      const sip = transport.stats;
      return {
        mediaTimeouts: ingress.mediaTimeouts,
        tooManyStreams: ingress.tooManyStreams,
        unackedRefused: userAgent.stats.unackedRefused,
        admissionRefused: admission?.refused ?? 0,
        sipRefused: sip.refusedDatagrams + sip.refusedConnections,
        sipInternalErrors: sip.internalErrors + userAgent.stats.internalErrors,
        rtpRejected: pool.rejectedPackets,
        siprecMetadataWarnings: ingress.siprecMetadataWarnings,
        offerlessInvites: ingress.offerlessInvites,
        badAnswers: ingress.badAnswers,
        recognizerStreams: admission?.inUse ?? 0,
        recognizerLimit: admission?.limit ?? 0,
        engineProcessCrashes: { ...engineProcessCrashes },
      };
    },
    mediaAddress,
    userAgent,
    ingress,
    pool,
    admission,
    drain: () => userAgent.drain(),
    idle: async () => {
      while (userAgent.activeCalls > 0 || ingress.activeCalls > 0) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await ingress.idle();
    },
    close: () => {
      closed ??= (async () => {
        userAgent.drain();
        await userAgent.shutdown();
        await ingress.idle();
        await transport.close();
        if (options.sttEngine === undefined) await stt?.close();
      })();
      return closed;
    },
  };
}

/** RTP binds where SIP binds; a wildcard stays a wildcard. */
function rtpBindHost(sipHost: string): string {
  return sipHost;
}

function advertisedAddress(sipHost: string): string {
  if (sipHost !== '0.0.0.0' && sipHost !== '::') return sipHost;
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.family === 'IPv4' && !info.internal) return info.address;
    }
  }
  return '127.0.0.1';
}
