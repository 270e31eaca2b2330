/** The tables of `npm run bench -- api` (bench/api.ts), as Markdown for docs/benchmarks.md. */
import type { EventSocketStats } from '../src/api/index.js';
import type { PeerSample } from './api-peer-child.js';
import type { ServiceSample } from './api-service-child.js';
import type { DelayStats } from './api-events.js';
import type { SubscriberSample } from './api-subscribers-child.js';
import { fmt, printTable } from './lib.js';
import type { GeneratorReport } from './sip-rtp-generator.js';

/** voxbridge's /v1/events (startService), or the bare `ws` broadcast peer. */
export type Target = 'voxbridge' | 'ws';

export interface ApiStep {
  readonly target: Target;
  readonly calls: number;
  readonly subscribers: number;
  readonly synthetic: number;
  readonly round: number;
  /** Legs the transcripts were injected into. */
  readonly injectedInto: number;
  /** Subscribers that got their `subscribed` message. */
  readonly connected: number;
  /** Server sample at the start and end of the window, and after the last events drained. */
  readonly atMark: ServiceSample | PeerSample;
  readonly window: ServiceSample | PeerSample;
  readonly drained: ServiceSample | PeerSample;
  /** Subscriber sample at the end of the window (delays), and after the drain (counts). */
  readonly delivered: SubscriberSample;
  readonly received: SubscriberSample;
  readonly socketsBefore: EventSocketStats | undefined;
  readonly generator: GeneratorReport | undefined;
  /** Busy fraction (any process) of the core under test and of the load core during the window. */
  readonly coreBusy: number;
  readonly loadCoreBusy: number;
  readonly sippFailed: number;
}

const isService = (s: ServiceSample | PeerSample): s is ServiceSample => 'sockets' in s;

const ms = (v: number): string => (Number.isFinite(v) ? String(Math.round(v)) : '–');
const triple = (d: DelayStats): string => `${ms(d.p50Ms)} / ${ms(d.p99Ms)} / ${ms(d.maxMs)}`;
const us = (v: number): string => (Number.isFinite(v) ? String(Math.round(v * 1000)) : '–');
const micros = (d: DelayStats): string => `${us(d.p50Ms)} / ${us(d.p99Ms)} / ${us(d.maxMs)}`;
const pct = (v: number): string => (Number.isFinite(v) ? `${fmt(v * 100, 0)} %` : '–');

function serverName(step: ApiStep): string {
  return step.target === 'voxbridge' ? 'voxbridge /v1/events' : 'bare ws broadcast';
}

function mediaName(step: ApiStep): string {
  return step.calls > 0 ? `${step.calls} SIPp calls + RTP` : 'none';
}

/** Messages each subscriber should have had (injected × connected) minus what arrived. */
function shortfall(step: ApiStep): { finals: number; partials: number } {
  const injected = step.drained.injected;
  return {
    finals: injected.finals * step.connected - step.received.finals,
    partials: injected.partials * step.connected - step.received.partials,
  };
}

/** Transcript messages all subscribers together received per second of the window. */
function messagesOutPerS(step: ApiStep): number {
  const d = step.delivered;
  return (d.finalDelay.count + d.partialDelay.count) / (d.probe.windowMs / 1000);
}

function disconnects(sample: SubscriberSample): string {
  const entries = Object.entries(sample.disconnects);
  return entries.length === 0 ? '0' : entries.map(([code, n]) => `${n}× ${code}`).join(', ');
}

/** Packets the generator sent that never played (lost in the network or too late for the buffer). */
function playoutLoss(step: ApiStep): string {
  if (step.generator === undefined || !isService(step.drained)) return '–';
  const sent = step.generator.sent;
  return sent > 0 ? `${fmt((100 * (sent - step.drained.played)) / sent, 3)} %` : '–';
}

function serverDrops(step: ApiStep): string {
  if (!isService(step.drained) || step.socketsBefore === undefined) return '–';
  const dropped = step.drained.sockets.droppedPartials - step.socketsBefore.droppedPartials;
  const closed = step.drained.sockets.slowConsumersClosed - step.socketsBefore.slowConsumersClosed;
  return `${dropped}, ${closed}`;
}

export function printApiTables(
  steps: readonly ApiStep[],
  timing: { warmupS: number; windowS: number },
): void {
  const delivery = steps.filter((s) => s.subscribers > 0);
  printTable(
    `Delivery: ${delivery[0]?.subscribers ?? 0} subscribers to every call, transcripts of ` +
      `${delivery[0]?.injectedInto ?? 0} calls (a partial every 250 ms, a final every 2 s each); ` +
      `delay = subscriber receive wall time − event timestamp, ms (p50 / p99 / max), ` +
      `${timing.windowS} s window after ${timing.warmupS} s warm-up`,
    [
      'server',
      'media load',
      'round',
      'subscribed',
      'final delay',
      'partial delay',
      'msgs/s out',
      'finals lost',
      'partials dropped (seq gaps)',
      'server: dropped, 1013 closes',
      'disconnects',
      'subscriber proc: CPU, lag p99',
    ],
    delivery.map((s) => {
      const lack = shortfall(s);
      const out = messagesOutPerS(s);
      return [
        serverName(s),
        mediaName(s),
        s.round,
        s.connected,
        triple(s.delivered.finalDelay),
        triple(s.delivered.partialDelay),
        fmt(out, 0),
        lack.finals,
        `${lack.partials} (${s.received.missed})`,
        serverDrops(s),
        disconnects(s.received),
        `${fmt(s.delivered.probe.cpuCores, 2)}, ${fmt(s.delivered.probe.lagP99Ms, 1)} ms`,
      ];
    }),
  );

  printTable(
    'Cost on the process under test (core 0): event-loop lag (monitorEventLoopDelay, 10 ms ' +
      'resolution, minus the interval), CPU time (whole process, so it includes the media path), ' +
      'the synchronous publish call per event (voxbridge: hub.publish = store, metrics, fan-out; ' +
      'peer: number, serialise, send to all), ' +
      'RTP playout loss of the calls (packets sent that never played); core busy = any process',
    [
      'server',
      'media load',
      'subscribers',
      'round',
      'loop lag p50 / p99 / max, ms',
      'process CPU, cores',
      'CPU µs per msg out',
      'publish a final, µs p50 / p99 / max',
      'publish a partial, µs',
      'core 0 busy',
      'core 1 busy',
      'RTP playout loss',
      'events/s in',
      'RSS, MiB',
    ],
    steps.map((s) => {
      const p = s.window.probe;
      const injected = (x: ServiceSample | PeerSample): number => x.injected.finals + x.injected.partials;
      const eventsPerS = (injected(s.window) - injected(s.atMark)) / (p.windowMs / 1000);
      return [
        serverName(s),
        mediaName(s),
        s.connected,
        s.round,
        `${fmt(p.lagP50Ms, 1)} / ${fmt(p.lagP99Ms, 1)} / ${fmt(p.lagMaxMs, 1)}`,
        fmt(p.cpuCores, 2),
        s.connected > 0 ? fmt((p.cpuCores * 1e6) / messagesOutPerS(s), 1) : '–',
        micros(s.window.publish.final),
        micros(s.window.publish.partial),
        pct(s.coreBusy),
        pct(s.loadCoreBusy),
        playoutLoss(s),
        fmt(eventsPerS, 0),
        fmt(p.rssBytes / 2 ** 20, 0),
      ];
    }),
  );
  const sippFailures = steps.reduce((n, s) => n + s.sippFailed, 0);
  if (sippFailures > 0) console.log(`\nSIPp reported ${sippFailures} failed calls over the run.`);
}
