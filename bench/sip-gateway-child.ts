/**
 * The process under test for `npm run bench -- sip`, started by bench/sip-procs.ts with
 * `taskset` so that "one core" is literal. Two modes (argv[2]):
 *
 *   gateway <stt: none|pocketsphinx> <rtpMin> <rtpMax>  startGateway on 127.0.0.1 (free SIP port)
 *   sink                                                 the media peer: bare dgram sockets
 *
 * It reports over IPC every second (`tick`) and answers requests (`{ id, cmd }` → `{ id, reply }`):
 *   gc         collect garbage (children run with --expose-gc) so idle baselines are comparable
 *   mark       restart the measurement window (event-loop delay histogram, CPU, finals)
 *   sample     counters now (see ChildSample) and the window's loop lag, CPU and final latencies
 *   takePorts  RTP ports of the endpoints opened since the last takePorts (the gateway's legs)
 *   sinkOpen   bind `count` legs of two sockets each (sink mode) and return the receiving ports
 *   sinkClose  close them
 *   close      close the gateway and exit
 */
import dgram from 'node:dgram';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startGateway } from '../src/app/index.js';
import type { Gateway } from '../src/app/index.js';
import type { RtpEndpoint } from '../src/net/rtp/index.js';
import type { CallEvent } from '../src/session/index.js';

/** monitorEventLoopDelay samples this often; its histogram holds interval + lag, so this is subtracted. */
export const ELD_RESOLUTION_MS = 10;
const HOST = '127.0.0.1';

/** What the child reports; counters are cumulative over the process, window values since `mark`. */
export interface ChildSample {
  readonly activeCalls: number;
  readonly legs: number;
  /** Summed over live legs (MediaLegStats) or, in sink mode, datagrams received. */
  readonly packets: number;
  readonly played: number;
  readonly lost: number;
  readonly late: number;
  /** Jitter buffer: packets outside its window (arrived too far ahead, e.g. while the loop was stalled). */
  readonly outOfWindow: number;
  readonly recognizerDrops: number;
  readonly recognizerBacklogMax: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Event-loop lag in the window (histogram value minus the sampling interval). */
  readonly lagP50Ms: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  /** Process CPU time (all threads) in the window / window wall time. */
  readonly cpuCores: number;
  readonly windowMs: number;
  /** End of speech → final, for every final in the window (see onEvent). */
  readonly finalLatenciesMs: readonly number[];
  readonly errors: number;
}

type Request =
  | { id: number; cmd: 'gc' | 'mark' | 'sample' | 'takePorts' | 'sinkClose' | 'close' }
  | { id: number; cmd: 'sinkOpen'; count: number };

const mode = process.argv[2];
const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
eld.enable();
let windowStart = { wallMs: Date.now(), cpu: process.cpuUsage() };
let finalLatencies: number[] = [];
let errors = 0;
/** Wall time each call started at, by call id, for final latency. */
const callStartWall = new Map<string, number>();
let newEndpoints: RtpEndpoint[] = [];
let sinkSockets: dgram.Socket[] = [];
let sinkPackets = 0;
let gateway: Gateway | undefined;

function onEvent(event: CallEvent): void {
  if (event.type === 'call.started') callStartWall.set(event.callId, Date.parse(event.timestamp));
  else if (event.type === 'call.ended') callStartWall.delete(event.callId);
  else if (event.type === 'transcript.final') {
    // The brief's definition: final arrival wall time − (call start wall time + endMs).
    const start = callStartWall.get(event.callId);
    if (start !== undefined) finalLatencies.push(Date.now() - (start + event.endMs));
  }
}

function lag(p: number): number {
  return Math.max(0, eld.percentile(p) / 1e6 - ELD_RESOLUTION_MS);
}

function sample(): ChildSample {
  let legs = 0;
  let packets = 0;
  let played = 0;
  let lost = 0;
  let late = 0;
  let outOfWindow = 0;
  let recognizerDrops = 0;
  let recognizerBacklogMax = 0;
  for (const call of gateway?.ingress.calls ?? []) {
    for (const leg of call.legs) {
      const s = leg.stats;
      legs++;
      packets += s.packets;
      played += s.played;
      lost += s.lost;
      late += s.late;
      outOfWindow += s.outOfWindow;
      recognizerDrops += s.recognizerDrops;
      recognizerBacklogMax = Math.max(recognizerBacklogMax, s.recognizerBacklog);
    }
  }
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage(windowStart.cpu);
  const windowMs = Date.now() - windowStart.wallMs;
  return {
    activeCalls: gateway?.ingress.activeCalls ?? 0,
    legs: gateway === undefined ? sinkSockets.length / 2 : legs,
    packets: gateway === undefined ? sinkPackets : packets,
    played,
    lost,
    late,
    outOfWindow,
    recognizerDrops,
    recognizerBacklogMax,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    lagP50Ms: lag(50),
    lagP99Ms: lag(99),
    lagMaxMs: Math.max(0, eld.max / 1e6 - ELD_RESOLUTION_MS),
    cpuCores: windowMs > 0 ? (cpu.user + cpu.system) / 1000 / windowMs : 0,
    windowMs,
    finalLatenciesMs: finalLatencies,
    errors,
  };
}

function mark(): void {
  eld.reset();
  windowStart = { wallMs: Date.now(), cpu: process.cpuUsage() };
  finalLatencies = [];
}

async function sinkOpen(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    // Two sockets per leg, as the gateway holds (RTP and RTCP); only the first gets traffic.
    const pair = [dgram.createSocket('udp4'), dgram.createSocket('udp4')] as const;
    for (const socket of pair) {
      socket.on('error', () => errors++);
      await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
      sinkSockets.push(socket);
    }
    pair[0].on('message', () => sinkPackets++);
    ports.push(pair[0].address().port);
  }
  return ports;
}

async function sinkClose(): Promise<void> {
  await Promise.all(sinkSockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  sinkSockets = [];
}

async function handle(request: Request): Promise<unknown> {
  switch (request.cmd) {
    case 'gc':
      (globalThis as { gc?: () => void }).gc?.();
      return null;
    case 'mark':
      mark();
      return null;
    case 'sample':
      return sample();
    case 'takePorts': {
      const ports = newEndpoints.map((e) => e.rtpPort);
      newEndpoints = [];
      return ports;
    }
    case 'sinkOpen':
      return sinkOpen(request.count);
    case 'sinkClose':
      await sinkClose();
      return null;
    case 'close':
      clearInterval(ticker);
      await gateway?.close();
      await sinkClose();
      eld.disable();
      setImmediate(() => process.disconnect());
      return null;
  }
}

async function start(): Promise<number> {
  if (mode === 'sink') return 0;
  const [stt, rtpMin, rtpMax] = process.argv.slice(3);
  if (mode !== 'gateway' || (stt !== 'none' && stt !== 'pocketsphinx')) {
    throw new Error(`usage: sip-gateway-child gateway none|pocketsphinx RTPMIN RTPMAX | sink`);
  }
  gateway = await startGateway({
    sipHost: HOST,
    sipPort: 0,
    rtpPorts: { min: Number(rtpMin), max: Number(rtpMax) },
    stt,
    maxCalls: 100_000,
    onEvent,
    onError: () => errors++,
  });
  // The generator needs each leg's RTP port; the pool is the one place that sees them all.
  const pool = gateway.pool;
  const open = pool.open.bind(pool);
  pool.open = async (...args: Parameters<typeof open>): Promise<RtpEndpoint[]> => {
    const endpoints = await open(...args);
    newEndpoints.push(...endpoints);
    return endpoints;
  };
  return gateway.sipPorts.udp ?? 0;
}

const ticker = setInterval(() => process.send?.({ type: 'tick', sample: sample() }), 1000);
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
    clearInterval(ticker);
    setImmediate(() => process.disconnect());
  },
);
