/**
 * The composition root of the SIP gateway: SIP transport → transactions and dialogs (sip/) →
 * ingress → session Calls, with RTP ports from one pool and one recognizer shared by all legs.
 */
import { networkInterfaces } from 'node:os';
import type { SttEngine } from '../engines/spi/index.js';
import { SipIngress } from '../ingress/sip/index.js';
import { RtpPortPool } from '../net/rtp/index.js';
import type { CallEvent } from '../session/index.js';
import { SipUserAgent } from '../sip/dialog/index.js';
import { ParseError } from '../core/index.js';
import { createResponse } from '../sip/message/index.js';
import { createTimerScheduler } from '../sip/transaction/index.js';
import { SipTransport } from '../sip/transport/index.js';
import type { SttEngineName } from './engines.js';
import { createSttEngine } from './engines.js';

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
  /** SIP source allowlist: requests from other addresses get 403, their responses are dropped. */
  readonly allowSource?: (address: string) => boolean;
  readonly onEvent: (event: CallEvent) => void;
  /** Recognizer usage reports (audio heard, processing time) of every leg. */
  readonly onRecognizerUsage?: (usage: { readonly audioMs: number; readonly processingMs: number }) => void;
  readonly onError?: (error: unknown) => void;
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
  /** Requests refused by the source allowlist. */
  readonly forbidden: number;
  /** New INVITEs and OPTIONS get 503; running calls go on. */
  drain(): void;
  /** Resolves when no call is running. */
  idle(): Promise<void>;
  /** Hangs up every call, closes sockets and engines. */
  close(): Promise<void>;
}

const DEFAULT_MAX_CALLS = 1000;
const DEFAULT_MAX_TRANSACTIONS = 65_536;
const FORBIDDEN_TAG = 'vb-forbidden';

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const mediaAddress = options.mediaAddress ?? advertisedAddress(options.sipHost);
  const stt =
    options.sttEngine ??
    (options.stt === 'none'
      ? undefined
      : await createSttEngine(
          options.stt,
          options.modelsDir === undefined ? {} : { modelsDir: options.modelsDir },
        ));
  const transport = new SipTransport({ host: options.sipHost, port: options.sipPort });
  const pool = new RtpPortPool({
    host: rtpBindHost(options.sipHost),
    minPort: options.rtpPorts.min,
    maxPort: options.rtpPorts.max,
  });
  const ingress = new SipIngress({
    pool,
    mediaAddress,
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
  });
  let forbidden = 0;
  transport.on('message', ({ message, source, connectionId }) => {
    if (options.allowSource !== undefined && !options.allowSource(source.address)) {
      forbidden++;
      // RFC 3261 §21.4.4: 403 Forbidden; an ACK or a response is never answered.
      if (message.kind === 'request' && message.method !== 'ACK') {
        try {
          const response = createResponse(message, 403, 'Forbidden', { toTag: FORBIDDEN_TAG });
          const route = transport.responseDestination(response, connectionId);
          if (route !== undefined)
            transport.send(response, route).catch((error: unknown) => options.onError?.(error));
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
        }
      }
      return;
    }
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
      return forbidden;
    },
    mediaAddress,
    userAgent,
    ingress,
    pool,
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
