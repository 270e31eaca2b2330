/**
 * Concurrent G.711 legs on one core: SIPp `uac-bare` sets up N calls (no RTP from SIPp), the
 * generator (bench/sip-rtp-generator.ts, on the other core) streams 20 ms µ-law speech into each
 * leg's answered port from its own source port, and the gateway child reports loss, loop lag,
 * CPU and memory. The peer is a bare dgram sink holding the same sockets, fed the same load.
 * With pocketsphinx the same steps measure end-of-speech → final latency.
 */
import { runSipp, sippScenario } from '../test/support/sipp/index.js';
import type { SippResult } from '../test/support/sipp/index.js';
import type { ChildSample } from './sip-gateway-child.js';
import type { ChildProc } from './sip-procs.js';
import { CORE_LOAD, CORE_UNDER_TEST, coreBusySince, coreTicks, sleep } from './sip-procs.js';
import type { GeneratorReport } from './sip-rtp-generator.js';

/** SIPp places the calls of a step at this rate (well inside the measured setup rate). */
const SETUP_RATE = 250;

export interface StepTiming {
  readonly warmupS: number;
  readonly windowS: number;
}

export interface LegStep {
  readonly calls: number;
  /** Calls the gateway had up when the media started (SIPp may fail some). */
  readonly callsUp: number;
  readonly generator: GeneratorReport;
  /** Sample at the end of the window (lag, CPU, RSS, finals) and after the last packet drained. */
  readonly window: ChildSample;
  readonly drained: ChildSample;
  readonly idleRssBytes: number;
  readonly idleHeapBytes: number;
  /** Busy fraction of the core under test and of the load core during the window (all processes). */
  readonly coreBusy: number;
  readonly loadCoreBusy: number;
  readonly sipp: SippResult | undefined;
}

export interface SinkStep {
  readonly legs: number;
  readonly generator: GeneratorReport;
  readonly window: ChildSample;
  readonly received: number;
  readonly idleRssBytes: number;
  readonly coreBusy: number;
}

/** Loss as the media graph sees it: packets sent that never played (lost in the network or late). */
export function playoutLossPercent(step: LegStep): number {
  return step.generator.sent > 0
    ? (100 * (step.generator.sent - step.drained.played)) / step.generator.sent
    : NaN;
}

export function networkLossPercent(sent: number, received: number): number {
  return sent > 0 ? (100 * (sent - received)) / sent : NaN;
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** One step of N calls through the gateway; the calls end (SIPp's BYE) before it returns. */
export async function gatewayStep(
  gateway: ChildProc,
  generator: ChildProc,
  sipPort: number,
  calls: number,
  timing: StepTiming,
  audioPath: string,
): Promise<LegStep> {
  await gateway.request('gc');
  const idle = await gateway.request<ChildSample>('sample');
  await gateway.request('takePorts');
  const setupMs = (calls / SETUP_RATE) * 1000;
  // Every call holds long enough for the last one to be set up and the whole window to pass.
  const holdMs = Math.round(setupMs + (timing.warmupS + timing.windowS) * 1000 + 5000);
  let sippDone = false;
  const sipp = runSipp({
    scenario: sippScenario('uac-bare'),
    target: `127.0.0.1:${sipPort}`,
    calls,
    rate: SETUP_RATE,
    limit: calls,
    variables: { hold_ms: String(holdMs) },
    timeoutMs: holdMs + setupMs + 60_000,
  }).finally(() => (sippDone = true));
  let callsUp = 0;
  await until(`${calls} calls`, setupMs + 20_000, async () => {
    callsUp = (await gateway.request<ChildSample>('sample')).activeCalls;
    return callsUp >= calls || sippDone;
  });
  const ports = await gateway.request<number[]>('takePorts');
  await generator.request('start', { ports, audio: audioPath });
  await sleep(timing.warmupS * 1000);
  await gateway.request('mark');
  const ticks = coreTicks(CORE_UNDER_TEST);
  const loadTicks = coreTicks(CORE_LOAD);
  await sleep(timing.windowS * 1000);
  const window = await gateway.request<ChildSample>('sample');
  const coreBusy = coreBusySince(CORE_UNDER_TEST, ticks);
  const loadCoreBusy = coreBusySince(CORE_LOAD, loadTicks);
  const report = await generator.request<GeneratorReport>('stop');
  // The jitter buffer plays out what it holds within its depth; then every packet is counted.
  await sleep(500);
  const drained = await gateway.request<ChildSample>('sample');
  const result = await sipp;
  await until(
    'calls to end',
    30_000,
    async () => (await gateway.request<ChildSample>('sample')).activeCalls === 0,
  );
  return {
    calls,
    callsUp,
    generator: report,
    window,
    drained,
    idleRssBytes: idle.rssBytes,
    idleHeapBytes: idle.heapUsedBytes,
    coreBusy,
    loadCoreBusy,
    sipp: result,
  };
}

/** The same load into a bare dgram sink holding two sockets per leg. */
export async function sinkStep(
  sink: ChildProc,
  generator: ChildProc,
  legs: number,
  timing: StepTiming,
  audioPath: string,
): Promise<SinkStep> {
  await sink.request('gc');
  const idle = await sink.request<ChildSample>('sample');
  const ports = await sink.request<number[]>('sinkOpen', { count: legs });
  await generator.request('start', { ports, audio: audioPath });
  await sleep(timing.warmupS * 1000);
  await sink.request('mark');
  const ticks = coreTicks(CORE_UNDER_TEST);
  await sleep(timing.windowS * 1000);
  const window = await sink.request<ChildSample>('sample');
  const coreBusy = coreBusySince(CORE_UNDER_TEST, ticks);
  const report = await generator.request<GeneratorReport>('stop');
  await sleep(500);
  const drained = await sink.request<ChildSample>('sample');
  await sink.request('sinkClose');
  return {
    legs,
    generator: report,
    window,
    received: drained.packets - idle.packets,
    idleRssBytes: idle.rssBytes,
    coreBusy,
  };
}
