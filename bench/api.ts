/**
 * `npm run bench -- api` (issue 5 item 10): 100 WebSocket subscribers × 50 concurrent calls —
 * final-to-subscriber delay, and what the fan-out costs the media path (event-loop lag, RTP loss).
 *
 *   npm run bench -- api                    # about 200 s
 *   npm run bench -- api --quick            # about 70 s: one round, 8 s windows
 *   node --import tsx bench/api.ts [--quick]
 *
 * The service (bench/api-service-child.ts: startService, recognizer off) runs on core 0 under
 * `taskset`; SIPp (`uac-bare`), the RTP generator (bench/sip-rtp-generator.ts) and the
 * subscribers (bench/api-subscribers-child.ts) on core 1. Finals and partials are injected
 * through service.hub.publish (startService takes no STT engine to script, and 50 pocketsphinx
 * calls do not fit on two cores), so they are stored, numbered and fanned out exactly as the
 * session's own are. Peers in the same run: the same load with no subscriber (the media path's
 * baseline), and a bare `ws` server broadcasting the same events to the same subscribers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedFile } from '../test/support/paths.js';
import { runSipp, sippScenario, wavToG711 } from '../test/support/sipp/index.js';
import type { PeerSample } from './api-peer-child.js';
import type { ApiStep, Target } from './api-report.js';
import { printApiTables } from './api-report.js';
import type { ServiceSample } from './api-service-child.js';
import type { SubscriberSample } from './api-subscribers-child.js';
import { RTP_MAX, RTP_MIN } from './sip-setup-rate.js';
import type { ChildProc } from './sip-procs.js';
import {
  CORE_LOAD,
  CORE_UNDER_TEST,
  coreBusySince,
  coreTicks,
  pinSelf,
  sleep,
  startChild,
} from './sip-procs.js';
import type { GeneratorReport } from './sip-rtp-generator.js';

export const CALLS = 50;
export const SUBSCRIBERS = 100;
const SETUP_RATE = 100;

export interface ApiBenchOptions {
  readonly quick: boolean;
}

interface Timing {
  readonly warmupS: number;
  readonly windowS: number;
}

interface Procs {
  readonly service: ChildProc;
  readonly peer: ChildProc;
  readonly subscribers: ChildProc;
  readonly generator: ChildProc;
  readonly sipPort: number;
  readonly serviceUrl: string;
  readonly peerUrl: string;
  readonly audioPath: string;
}

interface StepPlan {
  readonly target: Target;
  /** Real SIPp calls with RTP (service only); 0 = no media load. */
  readonly calls: number;
  readonly subscribers: number;
  /** Made-up calls to inject into when there is no real call. */
  readonly synthetic: number;
}

function optionsFromArguments(): ApiBenchOptions {
  const argv = process.argv.slice(2);
  return { quick: argv.includes('--quick') || process.env['VOX_BENCH_QUICK'] === '1' };
}

/** LibriSpeech 0.wav as 8 kHz µ-law: what the callers say (the recognizer is off; it loads the path). */
function writeSpeech(dir: string): string {
  const path = join(dir, 'speech.ul');
  writeFileSync(path, wavToG711(sharedFile('audio/librispeech/0.wav'), 'mulaw'));
  return path;
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function step(procs: Procs, plan: StepPlan, timing: Timing, round: number): Promise<ApiStep> {
  const proc = plan.target === 'voxbridge' ? procs.service : procs.peer;
  await proc.request('gc');
  const socketsBefore =
    plan.target === 'voxbridge' ? (await proc.request<ServiceSample>('sample')).sockets : undefined;
  let sipp: ReturnType<typeof runSipp> | undefined;
  let generatorRunning = false;
  if (plan.calls > 0) {
    await proc.request('takePorts');
    const setupMs = (plan.calls / SETUP_RATE) * 1000;
    const holdMs = Math.round(setupMs + (timing.warmupS + timing.windowS) * 1000 + 10_000);
    let sippDone = false;
    sipp = runSipp({
      scenario: sippScenario('uac-bare'),
      target: `127.0.0.1:${procs.sipPort}`,
      calls: plan.calls,
      rate: SETUP_RATE,
      limit: plan.calls,
      variables: { hold_ms: String(holdMs) },
      timeoutMs: holdMs + setupMs + 60_000,
    }).finally(() => (sippDone = true));
    await until(`${plan.calls} calls`, setupMs + 20_000, async () => {
      const up = (await proc.request<ServiceSample>('sample')).activeCalls;
      return up >= plan.calls || sippDone;
    });
    const ports = await proc.request<number[]>('takePorts');
    await procs.generator.request('start', { ports, audio: procs.audioPath });
    generatorRunning = true;
  }
  const url = plan.target === 'voxbridge' ? procs.serviceUrl : procs.peerUrl;
  const connected =
    plan.subscribers > 0
      ? await procs.subscribers.request<number>('connect', { url, count: plan.subscribers })
      : 0;
  const injectedInto = await proc.request<number>('startEvents', { synthetic: plan.synthetic });
  await sleep(timing.warmupS * 1000);
  await Promise.all([proc.request('mark'), procs.subscribers.request('mark')]);
  const atMark = await proc.request<ServiceSample | PeerSample>('sample');
  const ticks = coreTicks(CORE_UNDER_TEST);
  const loadTicks = coreTicks(CORE_LOAD);
  await sleep(timing.windowS * 1000);
  const [window, delivered] = await Promise.all([
    proc.request<ServiceSample | PeerSample>('sample'),
    procs.subscribers.request<SubscriberSample>('sample'),
  ]);
  const coreBusy = coreBusySince(CORE_UNDER_TEST, ticks);
  const loadCoreBusy = coreBusySince(CORE_LOAD, loadTicks);
  await proc.request('stopEvents');
  const generator = generatorRunning ? await procs.generator.request<GeneratorReport>('stop') : undefined;
  // The jitter buffer plays out what it holds and the last messages reach the subscribers.
  await sleep(1000);
  const [drained, received] = await Promise.all([
    proc.request<ServiceSample | PeerSample>('sample'),
    procs.subscribers.request<SubscriberSample>('sample'),
  ]);
  if (plan.subscribers > 0) await procs.subscribers.request('closeAll');
  const sippResult = sipp === undefined ? undefined : await sipp;
  if (plan.calls > 0) {
    await until(
      'calls to end',
      30_000,
      async () => (await proc.request<ServiceSample>('sample')).activeCalls === 0,
    );
  }
  return {
    ...plan,
    round,
    injectedInto,
    connected,
    atMark,
    window,
    drained,
    delivered,
    received,
    socketsBefore,
    generator,
    coreBusy,
    loadCoreBusy,
    sippFailed: sippResult?.stats?.failed ?? 0,
  };
}

async function startProcs(dir: string): Promise<Procs> {
  const service = startChild('api-service-child.ts', [String(RTP_MIN), String(RTP_MAX)], CORE_UNDER_TEST);
  const peer = startChild('api-peer-child.ts', [], CORE_UNDER_TEST);
  const subscribers = startChild('api-subscribers-child.ts', [], CORE_LOAD, { closeCommand: false });
  const generator = startChild('sip-rtp-generator.ts', [], CORE_LOAD, { closeCommand: false });
  const procs = [service, peer, subscribers, generator];
  try {
    const [serviceReady] = await Promise.all(procs.map((p) => p.ready));
    const info = await service.request<{ httpPort: number; apiKey: string }>('info');
    const peerInfo = await peer.request<{ httpPort: number }>('info');
    return {
      service,
      peer,
      subscribers,
      generator,
      sipPort: serviceReady?.sipPort ?? 0,
      serviceUrl: `ws://127.0.0.1:${info.httpPort}/v1/events?token=${encodeURIComponent(info.apiKey)}`,
      peerUrl: `ws://127.0.0.1:${peerInfo.httpPort}/v1/events`,
      audioPath: writeSpeech(dir),
    };
  } catch (error) {
    await Promise.all(procs.map((p) => p.close()));
    throw error;
  }
}

export async function runApiBench(options: ApiBenchOptions = optionsFromArguments()): Promise<void> {
  const started = Date.now();
  const load = loadavg();
  const oldMask = pinSelf(CORE_LOAD);
  const dir = mkdtempSync(join(tmpdir(), 'vox-bench-api-'));
  const timing: Timing = options.quick ? { warmupS: 2, windowS: 8 } : { warmupS: 3, windowS: 15 };
  const rounds = options.quick ? 1 : 2;
  const steps: ApiStep[] = [];
  try {
    console.log(
      `\nAPI fan-out benchmark${options.quick ? ' (quick)' : ''}: load average at start ` +
        `${load.map((l) => l.toFixed(2)).join(' / ')}`,
    );
    const procs = await startProcs(dir);
    try {
      const media = { calls: CALLS, synthetic: 0 };
      const fanOutOnly = { calls: 0, synthetic: CALLS, subscribers: SUBSCRIBERS };
      const plans: StepPlan[] = [];
      // Each round runs every configuration once, so a change in the machine's load during the
      // run shows up in every configuration rather than in one.
      for (let r = 0; r < rounds; r++) {
        plans.push({ target: 'voxbridge', ...media, subscribers: 0 });
        plans.push({ target: 'voxbridge', ...media, subscribers: SUBSCRIBERS });
        plans.push({ target: 'voxbridge', ...fanOutOnly });
        plans.push({ target: 'ws', ...fanOutOnly });
      }
      const roundOf = new Map<string, number>();
      for (const plan of plans) {
        const key = `${plan.target}/${plan.calls}/${plan.subscribers}`;
        const round = (roundOf.get(key) ?? 0) + 1;
        roundOf.set(key, round);
        const result = await step(procs, plan, timing, round);
        steps.push(result);
        console.error(
          `api: ${plan.target}, ${plan.calls} calls, ${plan.subscribers} subscribers → final p99 ` +
            `${Number.isFinite(result.delivered.finalDelay.p99Ms) ? result.delivered.finalDelay.p99Ms : '–'} ms, loop lag p99 ` +
            `${result.window.probe.lagP99Ms.toFixed(1)} ms`,
        );
      }
    } finally {
      await Promise.all(
        [procs.service, procs.peer, procs.subscribers, procs.generator].map((p) => p.close()),
      );
    }
    printApiTables(steps, timing);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    execFileSync('taskset', ['-a', '-p', '-c', oldMask, String(process.pid)], { stdio: 'ignore' });
    const end = loadavg();
    console.log(
      `\nAPI benchmark took ${Math.round((Date.now() - started) / 1000)} s; load average at the end ` +
        `${end.map((l) => l.toFixed(2)).join(' / ')}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runApiBench();
