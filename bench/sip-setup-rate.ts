/**
 * Call setup rate: SIPp `uac-bare` (INVITE with SDP, 200, ACK, BYE at once; no RTP) at
 * increasing rates for a fixed time each, against the gateway (stt none) and against SIPp's own
 * `sipp -sn uas` as the peer, each pinned to the core under test, SIPp's caller on the other.
 */
import { readFileSync } from 'node:fs';
import { freeUdpPort, freeUdpPortRange, runSipp, sippScenario } from '../test/support/sipp/index.js';
import type { SippResult } from '../test/support/sipp/index.js';
import { fmt, printTable } from './lib.js';
import type { ChildSample } from './sip-gateway-child.js';
import type { ChildProc } from './sip-procs.js';
import { CORE_UNDER_TEST, sleep, startChild, startSippUas } from './sip-procs.js';
import { percentile } from './speech-data.js';

export interface SetupRateRow {
  readonly uas: string;
  readonly rate: number;
  readonly calls: number;
  readonly successful: number;
  readonly failed: number;
  /** Calls SIPp saw answered 503 (the gateway full or its transaction table full). */
  readonly rejected503: number;
  readonly retransmissions: number;
  readonly callsPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuCores: number;
  /** Gateway only: event-loop lag p99 during the run. */
  readonly lagP99Ms?: number;
}

/** RTP ports of the gateway under test: well below the ephemeral range and the tests' ranges. */
export const RTP_MIN = 12000;
/** The steady-state row: one rate for longer than the 32 s a finished call's transactions live. */
const SUSTAINED_RATE = 300;
const SUSTAINED_S = 40;
export const RTP_MAX = 19999;

/** CPU seconds (user + system, all threads) a process has used, from /proc (Linux). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of proc(5) (utime, stime), counted from the state field (3).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** SIPp durations are `hh:mm:ss:microseconds`. */
function sippDurationS(text: string | undefined): number {
  const m = /^(\d+):(\d+):(\d+):(\d+)$/.exec(text ?? '');
  if (m === null) return NaN;
  const [h, min, s, us] = m.slice(1).map(Number) as [number, number, number, number];
  return (h * 60 + min) * 60 + s + us / 1e6;
}

async function oneRate(
  uas: string,
  target: string,
  rate: number,
  seconds: number,
  pid: number | undefined,
  gateway: ChildProc | undefined,
): Promise<SetupRateRow> {
  const calls = rate * seconds;
  await gateway?.request('mark');
  const cpu0 = cpuSeconds(pid);
  const t0 = Date.now();
  const result: SippResult = await runSipp({
    scenario: sippScenario('uac-bare'),
    target,
    calls,
    rate,
    variables: { hold_ms: '0' },
    traceRtt: true,
    timeoutMs: seconds * 1000 + 60_000,
  });
  const wallS = (Date.now() - t0) / 1000;
  const cpu = (cpuSeconds(pid) - cpu0) / wallS;
  const sample = await gateway?.request<ChildSample>('sample');
  const stats = result.stats;
  const elapsedS = sippDurationS(stats?.fields['ElapsedTime(C)']);
  const successful = stats?.successful ?? 0;
  const rtts = result.rttsMs ?? [];
  return {
    uas,
    rate,
    calls,
    successful,
    failed: stats?.failed ?? calls,
    rejected503: result.errors.split("received 'SIP/2.0 503").length - 1,
    retransmissions: stats?.retransmissions ?? 0,
    callsPerS: successful / (Number.isFinite(elapsedS) && elapsedS > 0 ? elapsedS : wallS),
    p50Ms: rtts.length > 0 ? percentile(rtts, 50) : NaN,
    p99Ms: rtts.length > 0 ? percentile(rtts, 99) : NaN,
    cpuCores: cpu,
    ...(sample === undefined ? {} : { lagP99Ms: sample.lagP99Ms }),
  };
}

async function waitIdle(gateway: ChildProc): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const s = await gateway.request<ChildSample>('sample');
    if (s.activeCalls === 0) return;
    await sleep(200);
  }
}

/**
 * One rate against a fresh gateway: server transactions outlive their calls by 32 s (RFC 3261
 * §17.2.2 Timer J for the BYE, RFC 6026 Timer L for the INVITE), so a gateway reused across
 * rates would start each rate with the previous one's transactions still in its table.
 */
async function gatewayRate(rate: number, seconds: number): Promise<SetupRateRow> {
  const gateway = startChild(
    'sip-gateway-child.ts',
    ['gateway', 'none', String(RTP_MIN), String(RTP_MAX)],
    CORE_UNDER_TEST,
  );
  try {
    const { sipPort } = await gateway.ready;
    // A short run first, so the JIT has warmed the path before the measured one.
    await oneRate('warm-up', `127.0.0.1:${sipPort}`, 50, 2, gateway.child.pid, gateway);
    await waitIdle(gateway);
    return await oneRate('voxbridge', `127.0.0.1:${sipPort}`, rate, seconds, gateway.child.pid, gateway);
  } finally {
    await gateway.close();
  }
}

export async function setupRateBench(options: { quick: boolean }): Promise<SetupRateRow[]> {
  const rates = options.quick ? [100, 300, 600] : [100, 200, 300, 400, 600, 800];
  const seconds = options.quick ? 5 : 10;
  const rows: SetupRateRow[] = [];
  const log = (row: SetupRateRow): void =>
    console.error(
      `sip setup: ${row.uas} ${row.rate}/s for ${row.calls / row.rate} s → ${fmt(row.callsPerS, 0)}/s, ${row.failed} failed`,
    );

  for (const rate of rates) {
    rows.push(await gatewayRate(rate, seconds));
    log(rows.at(-1)!);
  }
  // Past 32 s the table holds two transactions for every call of the last 32 s: the steady state.
  const sustained = options.quick ? undefined : await gatewayRate(SUSTAINED_RATE, SUSTAINED_S);
  if (sustained !== undefined) log(sustained);

  const port = await freeUdpPort();
  const peer = await startSippUas(port, await freeUdpPortRange());
  try {
    for (const rate of rates) {
      rows.push(await oneRate('sipp -sn uas', `127.0.0.1:${port}`, rate, seconds, peer.pid, undefined));
      log(rows.at(-1)!);
      await sleep(500);
    }
  } finally {
    await peer.stop();
  }
  if (sustained !== undefined) rows.push(sustained);

  printTable(
    `Call setup: SIPp uac-bare (hold 0, no RTP) for ${seconds} s per rate (last row: ${SUSTAINED_S} s), a fresh gateway per rate; UAS on core ${CORE_UNDER_TEST}, SIPp caller on the other core; INVITE→200 from SIPp -trace_rtt (1 ms resolution)`,
    [
      'offered calls/s',
      'UAS',
      'calls',
      'successful',
      'failed',
      'of which 503',
      'retransmissions',
      'successful calls/s',
      'INVITE→200 p50 ms',
      'p99 ms',
      'UAS CPU (cores)',
      'UAS loop lag p99 ms',
    ],
    [...rates, ...(sustained === undefined ? [] : [-1])].flatMap((rate) =>
      rows
        .filter((r) => (rate === -1 ? r === sustained : r.rate === rate && r !== sustained))
        .map((r) => [
          r === sustained ? `${r.rate} for ${SUSTAINED_S} s` : rate,
          r.uas,
          r.calls,
          r.successful,
          r.failed,
          r.rejected503,
          r.retransmissions,
          fmt(r.callsPerS, 0),
          fmt(r.p50Ms, 2),
          fmt(r.p99Ms, 2),
          fmt(r.cpuCores, 2),
          r.lagP99Ms === undefined ? '–' : fmt(r.lagP99Ms, 1),
        ]),
    ),
  );
  return rows;
}
