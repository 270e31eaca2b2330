import type { FastifyBaseLogger } from 'fastify';
import type { StoreLike } from '../contract/index.js';
import type { EventHub } from '../events/index.js';
import type { EventStreamLimits } from '../ws/index.js';

/** What the API needs from the running gateway. */
export interface GatewayHooks {
  /** Hangs up a live call; false when no live call has this id. */
  hangup(callId: string): Promise<boolean>;
  /** False while draining before shutdown: /readyz answers 503. */
  ready(): boolean;
  /** Ids of the calls in progress right now (the store may hold un-ended calls from a crash). */
  activeCallIds(): string[];
}

export interface MetricsSource {
  render(): Promise<string>;
  contentType: string;
}

export interface TtsCacheHooks {
  stats(): unknown;
  purge(): Promise<number>;
}

export interface ApiServerOptions {
  readonly store: StoreLike;
  readonly hub: EventHub;
  /** Bearer keys; empty refuses to start unless allowNoAuth. */
  readonly apiKeys: readonly string[];
  /** Serve everything without keys. Only when the service decided so explicitly. */
  readonly allowNoAuth?: boolean;
  readonly gateway: GatewayHooks;
  readonly metrics?: MetricsSource;
  /** Serve /metrics without a key (for scrapers on a trusted network); default false. */
  readonly publicMetrics?: boolean;
  readonly ttsCache?: TtsCacheHooks;
  /** Directory of the static dashboard served at `/`. */
  readonly webRoot?: string;
  readonly logger?: FastifyBaseLogger;
  /** Version shown in /openapi.json. */
  readonly version?: string;
  /** PEM certificate (chain) and private key: serve HTTPS and WSS instead of HTTP. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Slow-consumer bounds of /v1/events. */
  readonly eventStreamLimits?: Partial<EventStreamLimits>;
}
