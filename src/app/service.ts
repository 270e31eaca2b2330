/**
 * The gateway service: SIP/RTP ingress (app/gateway.ts) plus persistence, the event hub, REST and
 * WebSocket API, webhooks, metrics and the dashboard. The only place that constructs them all.
 *
 * Every call event goes through the hub, which writes it to SQLite FIRST (synchronously) and then
 * fans it out, so any final a subscriber, a webhook or stdout has seen is already on disk.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiListenAddress, ApiServer, SequencedEvent } from '../api/index.js';
import { createApiServer, EventHub } from '../api/index.js';
import type { Config } from '../config/index.js';
import type { EngineProcessEvent } from '../engines/worker/index.js';
import { createIpAllowlist } from '../config/index.js';
import type { Logger, VoxbridgeMetrics } from '../observability/index.js';
import { NO_GATEWAY_COUNTS, createLogger, createMetrics } from '../observability/index.js';
import type { CallEvent } from '../session/index.js';
import { Store } from '../store/index.js';
import { TtsCacheStore } from '../tts-cache/index.js';
import { WebhookDispatcher } from '../webhooks/index.js';
import type { Gateway } from './gateway.js';
import { startGateway } from './gateway.js';
import { agentMatcherOption, recordedCallHeadersOption } from './agent-matcher-option.js';

export interface ServiceOptions {
  readonly config: Config;
  /** Called with every event after it is stored (the CLI prints them with --json). */
  readonly onEvent?: (event: SequencedEvent) => void;
  /** Default: pino on stderr at config.log.level. */
  readonly logger?: Logger;
}

/** One listening socket as it reports itself. */
export interface BoundAddress {
  readonly address: string;
  readonly port: number;
}

export interface Service {
  readonly httpPort: number;
  readonly sipPort: number;
  /** What the sockets are bound to, for a truthful start banner. */
  readonly listening: {
    readonly http: ApiListenAddress;
    readonly sip: { readonly udp?: BoundAddress; readonly tcp?: BoundAddress };
  };
  readonly apiKeys: readonly string[];
  /** True when this start generated the API key (and so the banner may show it once). */
  readonly apiKeyGenerated: boolean;
  readonly gateway: Gateway;
  readonly store: Store;
  readonly hub: EventHub;
  readonly api: ApiServer;
  readonly metrics: VoxbridgeMetrics;
  /** New calls get 503 and /readyz turns false; running calls go on. */
  drain(): void;
  /** Resolves when no call is running. */
  idle(): Promise<void>;
  /** Hangs up what is left, stops the API, webhooks and store. Idempotent. */
  close(): Promise<void>;
}

const RETENTION_SWEEP_MS = 6 * 60 * 60 * 1000;
const LEG_STATS_INTERVAL_MS = 5000;

/** The dashboard's static files, beside src/ and dist/ in the package. */
export const WEB_ROOT = fileURLToPath(new URL('../../web', import.meta.url));

export async function startService(options: ServiceOptions): Promise<Service> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.log.level, redact: config.log.redact });
  // The data folder holds transcripts, numbers, recordings and the API key: owner only, whatever
  // the umask, and tightened if an older version created it world-readable.
  privateFolder(config.dataDir);
  if (config.recordDir !== undefined) privateFolder(config.recordDir);
  const tls =
    config.http.tlsCert === undefined || config.http.tlsKey === undefined
      ? undefined
      : { cert: readFileSync(config.http.tlsCert), key: readFileSync(config.http.tlsKey) };
  const { keys: apiKeys, generated: apiKeyGenerated } = resolveApiKeys(config, logger);
  const store = Store.open({ dataDir: config.dataDir });
  // The prompt cache every synthesizer of this gateway shares; the API reports and purges it.
  const ttsCache = new TtsCacheStore(join(config.dataDir, 'tts-cache'));
  // The gateway starts after the metrics; until then its counts read as nothing yet.
  const forMetrics: { gateway?: Gateway } = {};
  const metrics = createMetrics({ gatewayCounts: () => forMetrics.gateway?.counts ?? NO_GATEWAY_COUNTS });
  const dispatcher = new WebhookDispatcher({
    store,
    targets: config.webhooks,
    onError: (error) => logger.warn({ err: error }, 'webhook delivery failed'),
  });
  const hub = new EventHub({
    record: (event) => store.recordEvent(event),
    replay: (sinceSeq, callId, limit) => store.eventsSince(sinceSeq, callId, limit),
    initialSeq: store.lastSeq,
    onListenerError: (error) => logger.error({ err: error }, 'event listener failed'),
  });
  hub.subscribe({}, (event) => {
    logCallEvent(logger, event);
    metrics.onEvent(event, Date.now());
    dispatcher.enqueue(event);
    options.onEvent?.(event);
  });

  // Calls a killed process left open are ended now, so the API does not show them as live.
  for (const event of store.endInterruptedCalls('restart')) dispatcher.enqueue(event);
  const purge = (): void => {
    if (config.retentionDays <= 0) return;
    const removed = store.purgeOlderThan(config.retentionDays);
    if (removed > 0) logger.info({ removed, retentionDays: config.retentionDays }, 'retention purge');
  };
  purge();
  const purgeTimer = setInterval(purge, RETENTION_SWEEP_MS);
  purgeTimer.unref();

  let gateway: Gateway;
  try {
    gateway = await startGateway({
      sipHost: config.sip.host,
      sipPort: config.sip.port,
      rtpPorts: config.rtp.ports,
      ...(config.rtp.mediaAddress === undefined ? {} : { mediaAddress: config.rtp.mediaAddress }),
      stt: config.stt,
      ...(config.modelsDir === undefined ? {} : { modelsDir: config.modelsDir }),
      pocketsphinxFinalPass: config.pocketsphinxFinalPass,
      ...(config.recordDir === undefined ? {} : { recordDir: config.recordDir }),
      maxCalls: config.maxCalls,
      answerDelayMs: config.answerDelayMs,
      rtpTimeoutSec: config.rtpTimeoutSec,
      rtpHoldTimeoutSec: config.rtpHoldTimeoutSec,
      maxAudioStreams: config.maxAudioStreams,
      maxUnackedPerSource: config.maxUnackedPerSource,
      ...recordedCallHeadersOption(config.siprec.recordedFromHeaders, config.siprec.recordedToHeaders),
      ...agentMatcherOption({
        aorPrefix: config.siprec.agentAorPrefix,
        domain: config.siprec.agentDomain,
        pattern:
          config.siprec.agentPattern === undefined ? undefined : new RegExp(config.siprec.agentPattern, 'i'),
      }),
      ...(config.maxRecognizerStreams === undefined
        ? {}
        : { maxRecognizerStreams: config.maxRecognizerStreams }),
      allowSource: createIpAllowlist(config.sip.allowCidrs),
      rtpLatching: config.rtp.latching,
      onEvent: (event: CallEvent) => {
        hub.publish(event);
      },
      onRecognizerUsage: (usage) => metrics.observeRecognizerUsage(usage),
      onError: (error) => logger.warn({ err: error }, 'gateway error'),
      onEngineProcess: (event) => logEngineProcess(logger, event),
    });
  } catch (error) {
    clearInterval(purgeTimer);
    ttsCache.close();
    store.close();
    throw error;
  }
  forMetrics.gateway = gateway;

  // RTP counters of live legs for /metrics.
  const statsTimer = setInterval(() => {
    for (const call of gateway.ingress.calls) {
      for (const leg of call.legs) metrics.observeLegStats(call.id, leg.id, leg.stats);
    }
  }, LEG_STATS_INTERVAL_MS);
  statsTimer.unref();

  let draining = false;
  const api = createApiServer({
    store,
    hub,
    apiKeys,
    allowNoAuth: config.auth.allowNoAuth,
    publicMetrics: config.auth.publicMetrics,
    metrics,
    webRoot: WEB_ROOT,
    logger,
    ...(tls === undefined ? {} : { tls }),
    ttsCache: {
      stats: () => ttsCache.stats(),
      purge: () => Promise.resolve(ttsCache.purge()),
    },
    gateway: {
      hangup: async (callId) => {
        const dialogId = gateway.ingress.dialogIdOf(callId);
        if (dialogId === undefined) return false;
        await gateway.userAgent.hangup(dialogId);
        return true;
      },
      ready: () => !draining,
      activeCallIds: () => gateway.ingress.calls.map((c) => c.id),
    },
  });
  let http: ApiListenAddress;
  try {
    http = await api.listen(config.http.host, config.http.port);
  } catch (error) {
    clearInterval(purgeTimer);
    clearInterval(statsTimer);
    await gateway.close();
    ttsCache.close();
    store.close();
    throw error;
  }
  dispatcher.start();

  let closed: Promise<void> | undefined;
  return {
    httpPort: http.port,
    sipPort: gateway.sipPorts.udp ?? gateway.sipPorts.tcp ?? config.sip.port,
    listening: { http, sip: gateway.sipAddresses },
    apiKeys,
    apiKeyGenerated,
    gateway,
    store,
    hub,
    api,
    metrics,
    drain: () => {
      draining = true;
      gateway.drain();
    },
    idle: () => gateway.idle(),
    close: () => {
      closed ??= (async () => {
        draining = true;
        clearInterval(purgeTimer);
        clearInterval(statsTimer);
        // Hang up first so the last finals and call.ended are stored and sent to subscribers.
        await gateway.close();
        await api.close();
        await dispatcher.stop();
        metrics.close();
        ttsCache.close();
        store.close();
      })();
      return closed;
    },
  };
}

/**
 * The call lifecycle in the log: starts and ends at info, finals and digits at debug. Numbers,
 * transcripts and digits go only in the structured fields (`from`, `to`, `text`, `digit`) that
 * the logger redacts (log.redact), never in the message text.
 */
/**
 * Engine child processes in the log: starts and crashes for operators, stream placement at debug
 * (which process serves which recognition stream, in the order the legs started; the crash test
 * finds its victim with it). The engine's process id is `enginePid` (pino's own `pid` is the
 * gateway's). No transcript text: a crash names the process and how many streams it cost.
 */
function logEngineProcess(logger: Logger, event: EngineProcessEvent): void {
  switch (event.type) {
    case 'started':
      logger.info({ engine: event.engine, enginePid: event.pid, slot: event.slot }, 'engine process started');
      break;
    case 'stream-opened':
      logger.debug(
        {
          engine: event.engine,
          enginePid: event.pid,
          slot: event.slot,
          streamId: event.streamId,
          streams: event.streams,
        },
        'engine stream opened',
      );
      break;
    case 'crashed':
      logger.error(
        {
          engine: event.engine,
          enginePid: event.pid,
          signal: event.signal,
          exitCode: event.exitCode,
          streams: event.streams,
          uptimeMs: Math.round(event.uptimeMs),
          restartInMs: event.restartInMs,
        },
        'engine process crashed; its streams are reopened on a new process',
      );
      break;
  }
}

function logCallEvent(logger: Logger, event: SequencedEvent): void {
  switch (event.type) {
    case 'call.started':
      logger.info(
        {
          callId: event.callId,
          sipCallId: event.sipCallId,
          kind: event.kind,
          from: event.from,
          to: event.to,
        },
        'call started',
      );
      break;
    case 'call.ended':
      logger.info({ callId: event.callId, reason: event.reason, durationMs: event.durationMs }, 'call ended');
      break;
    case 'transcript.final':
      logger.debug(
        { callId: event.callId, legId: event.legId, seq: event.seq, text: event.text },
        'transcript final',
      );
      break;
    case 'dtmf':
      logger.debug({ callId: event.callId, legId: event.legId, digit: event.digit }, 'dtmf');
      break;
    default:
      break;
  }
}

/**
 * API keys from the configuration; with none configured (and auth not explicitly turned off) a
 * key is generated once and kept in `<dataDir>/api-key`, so a first start is secure by default.
 */
function resolveApiKeys(
  config: Config,
  logger: Logger,
): { readonly keys: readonly string[]; readonly generated: boolean } {
  if (config.auth.apiKeys.length > 0 || config.auth.allowNoAuth)
    return { keys: config.auth.apiKeys, generated: false };
  const file = join(config.dataDir, 'api-key');
  let generated = false;
  if (!existsSync(file)) {
    writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: PRIVATE_FILE_MODE });
    generated = true;
    logger.info({ file }, 'generated an API key');
  }
  // The creation mode is masked by the umask, and an older file may be wider: set it outright.
  chmodSync(file, PRIVATE_FILE_MODE);
  const key = readFileSync(file, 'utf8').trim();
  return { keys: [key], generated };
}

const PRIVATE_FOLDER_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;

/** Creates a folder if missing and sets it to owner-only (chmod is not subject to the umask). */
function privateFolder(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  chmodSync(path, PRIVATE_FOLDER_MODE);
}
