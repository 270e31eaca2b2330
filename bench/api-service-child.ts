/**
 * The process under test for `npm run bench -- api`: `startService` (SIP/RTP with the recognizer
 * off, SQLite store, event hub, REST + WebSocket API, metrics) on 127.0.0.1, configured the way a
 * user does it (flags and VOXBRIDGE_API_KEYS). Started by bench/sip-procs.ts's startChild under
 * `taskset`. argv: <rtpMin> <rtpMax>. IPC requests (`{ id, cmd }` → `{ id, reply }`):
 *
 *   info         { httpPort, apiKey }
 *   gc           collect garbage (the child runs with --expose-gc)
 *   mark         restart the measurement window (loop lag, CPU)
 *   sample       ServiceSample
 *   takePorts    RTP ports of the endpoints opened since the last takePorts (the calls' legs)
 *   startEvents  { synthetic }  inject transcripts into every live leg's call through
 *                service.hub.publish; with synthetic > 0, into that many made-up calls instead
 *                (their call.started/leg.added/call.ended are published too)
 *   stopEvents   stop injecting
 *   close        close the service, remove its data folder, exit
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventSocketStats } from '../src/api/index.js';
import { startService } from '../src/app/index.js';
import type { Service } from '../src/app/index.js';
import { loadConfig } from '../src/config/index.js';
import type { RtpEndpoint } from '../src/net/rtp/index.js';
import type { InjectedCounts, ProbeSample, PublishCost, TranscriptTarget } from './api-events.js';
import { LoopProbe, PublishTimer, TranscriptInjector, syntheticCalls } from './api-events.js';

const HOST = '127.0.0.1';
const API_KEY = 'bench-api-key';

export interface ServiceSample {
  readonly activeCalls: number;
  readonly legs: number;
  /** Summed over live legs (MediaLegStats). */
  readonly packets: number;
  readonly played: number;
  readonly lost: number;
  readonly late: number;
  readonly outOfWindow: number;
  readonly probe: ProbeSample;
  /** service.hub.publish per transcript event in the window: store (finals), numbering, fan-out. */
  readonly publish: PublishCost;
  /** Transcript events injected since startEvents. */
  readonly injected: InjectedCounts;
  readonly sockets: EventSocketStats;
  readonly errors: number;
}

type Request =
  | { id: number; cmd: 'info' | 'gc' | 'mark' | 'sample' | 'takePorts' | 'stopEvents' | 'close' }
  | { id: number; cmd: 'startEvents'; synthetic: number };

const probe = new LoopProbe();
const publishTimer = new PublishTimer();
const dataRoot = mkdtempSync(join(tmpdir(), 'vox-bench-api-'));
let service: Service | undefined;
let newEndpoints: RtpEndpoint[] = [];
let errors = 0;
let injector: TranscriptInjector | undefined;
let calls: ReturnType<typeof syntheticCalls> | undefined;

function publish(event: Parameters<Service['hub']['publish']>[0]): void {
  try {
    service?.hub.publish(event);
  } catch {
    errors++;
  }
}

function sample(): ServiceSample {
  let legs = 0;
  let packets = 0;
  let played = 0;
  let lost = 0;
  let late = 0;
  let outOfWindow = 0;
  for (const call of service?.gateway.ingress.calls ?? []) {
    for (const leg of call.legs) {
      legs++;
      packets += leg.stats.packets;
      played += leg.stats.played;
      lost += leg.stats.lost;
      late += leg.stats.late;
      outOfWindow += leg.stats.outOfWindow;
    }
  }
  return {
    activeCalls: service?.gateway.ingress.activeCalls ?? 0,
    legs,
    packets,
    played,
    lost,
    late,
    outOfWindow,
    probe: probe.sample(),
    publish: publishTimer.cost(),
    injected: { ...(injector?.counts ?? { partials: 0, finals: 0 }) },
    sockets: service?.api.eventStats() ?? { clients: 0, droppedPartials: 0, slowConsumersClosed: 0 },
    errors,
  };
}

function liveTargets(): TranscriptTarget[] {
  const targets: TranscriptTarget[] = [];
  for (const call of service?.gateway.ingress.calls ?? []) {
    for (const leg of call.legs) {
      targets.push({ callId: call.id, sipCallId: call.sipCallId, legId: leg.id, role: leg.role });
    }
  }
  return targets;
}

function startEvents(synthetic: number): number {
  injector?.stop();
  calls = syntheticCalls(synthetic, publish);
  const targets = synthetic > 0 ? calls.targets : liveTargets();
  injector = new TranscriptInjector(publishTimer.wrap(publish));
  injector.start(targets);
  return targets.length;
}

function stopEvents(): void {
  injector?.stop();
  calls?.end();
  calls = undefined;
}

async function handle(request: Request): Promise<unknown> {
  switch (request.cmd) {
    case 'info':
      return { httpPort: service?.httpPort, apiKey: API_KEY };
    case 'gc':
      (globalThis as { gc?: () => void }).gc?.();
      return null;
    case 'mark':
      probe.mark();
      publishTimer.mark();
      return null;
    case 'sample':
      return sample();
    case 'takePorts': {
      const ports = newEndpoints.map((e) => e.rtpPort);
      newEndpoints = [];
      return ports;
    }
    case 'startEvents':
      return startEvents(request.synthetic);
    case 'stopEvents':
      stopEvents();
      return null;
    case 'close':
      injector?.stop();
      await service?.close();
      probe.disable();
      rmSync(dataRoot, { recursive: true, force: true });
      setImmediate(() => process.disconnect());
      return null;
  }
}

async function start(): Promise<number> {
  const [rtpMin, rtpMax] = process.argv.slice(2);
  const config = loadConfig({
    flags: {
      httpHost: HOST,
      httpPort: '0',
      sipHost: HOST,
      sipPort: '0',
      rtpPorts: `${rtpMin}-${rtpMax}`,
      dataDir: join(dataRoot, 'data'),
      stt: 'none',
      maxCalls: '1000',
      logLevel: 'warn',
    },
    env: { VOXBRIDGE_API_KEYS: API_KEY },
    cwd: dataRoot,
  });
  service = await startService({ config });
  // The generator needs each leg's RTP port; the pool is the one place that sees them all.
  const pool = service.gateway.pool;
  const open = pool.open.bind(pool);
  pool.open = async (...args: Parameters<typeof open>): Promise<RtpEndpoint[]> => {
    const endpoints = await open(...args);
    newEndpoints.push(...endpoints);
    return endpoints;
  };
  return service.sipPort;
}

process.on('message', (request: Request) => {
  handle(request).then(
    (reply) => process.send?.({ id: request.id, reply }),
    (error: unknown) => process.send?.({ id: request.id, error: String(error) }),
  );
});
start().then(
  (sipPort) => process.send?.({ type: 'ready', sipPort }),
  (error: unknown) => {
    process.send?.({ type: 'failed', error: String(error) });
    process.exitCode = 1;
    rmSync(dataRoot, { recursive: true, force: true });
    setImmediate(() => process.disconnect());
  },
);
