import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeUdpPort, freeUdpPortRange } from './free-port.js';

export interface RunSippOptions {
  /** A scenario file (`*.xml`), or the name of a SIPp built-in scenario (`uas`, `uac`, ...). */
  scenario: string;
  /** `127.0.0.1:PORT` to call. Omitted: SIPp runs as a server and waits for `calls` calls. */
  target?: string;
  /** `-key NAME VALUE`: replaces `[NAME]` in message text. */
  keys?: Record<string, string>;
  /** `-set NAME VALUE`: global variables (the rig's scenarios read `hold_ms` this way). */
  variables?: Record<string, string>;
  /** `-m`: calls to place (or, as a server, to take) before exiting. Default 1. */
  calls?: number;
  /** `-r`: calls per second. */
  rate?: number;
  /** `-l`: most calls at once. */
  limit?: number;
  /** `-p`: SIPp's own SIP port; a free one when omitted (a server usually needs it known). */
  localPort?: number;
  /** `-mp`: SIPp's media port; a free even port with the next three free when omitted. */
  mediaPort?: number;
  /** `-trace_msg`: return every message sent and received. */
  traceMessages?: boolean;
  /** `-trace_rtt -rtt_freq 1`: return each call's `rtd="true"` response time. */
  traceRtt?: boolean;
  extraArgs?: string[];
  /** SIPp is killed after this long (SIGTERM, then SIGKILL after 1 s). */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The cumulative counters of the last `-stf` line. */
export interface SippStats {
  created: number;
  successful: number;
  failed: number;
  retransmissions: number;
  /** Mean `rtd="true"` response time (ResponseTime1(C)). */
  responseTimeMs: number;
  /** Every field of the last line by header name, as written (`SuccessfulCall(C)`, ...). */
  fields: Record<string, string>;
}

export interface SippResult {
  /**
   * SIPp's exit status: 0 every call succeeded, 1 at least one failed, 97 stopped by command,
   * 99 ended without any call, 255 fatal (bad scenario, cannot bind); null when killed.
   */
  exitCode: number | null;
  killedBy: 'timeout' | 'abort' | undefined;
  /** SIPp's process id (gone by the time the result is returned). */
  pid: number | undefined;
  stdout: string;
  stderr: string;
  stats?: SippStats;
  messages?: string;
  /** The `-trace_err` log: why calls failed. */
  errors: string;
  /** Response times in ms, one per call (with `traceRtt`). */
  rttsMs?: number[];
  localPort: number;
  mediaPort: number;
}

/** Output kept per stream; SIPp redraws its screen, and only the end of it matters. */
const MAX_OUTPUT_CHARS = 256 * 1024;

/**
 * Runs SIPp once, everything bound to 127.0.0.1, without a terminal (`-nostdin`), in a temporary
 * directory that is removed afterwards. Resolves (never rejects for a failing call) once SIPp has
 * exited; on timeout or abort SIPp is killed first, so no process is ever left behind.
 */
export async function runSipp(options: RunSippOptions): Promise<SippResult> {
  const localPort = options.localPort ?? (await freeUdpPort());
  const mediaPort = options.mediaPort ?? (await freeUdpPortRange());
  const dir = mkdtempSync(join(tmpdir(), 'vox-sipp-'));
  try {
    const args = sippArgs(options, localPort, mediaPort);
    const run = await spawnSipp(args, dir, options);
    const result: SippResult = {
      ...run,
      errors: readIf(join(dir, 'errors.log')) ?? '',
      localPort,
      mediaPort,
    };
    const statsText = readIf(join(dir, 'stats.csv'));
    if (statsText !== undefined) result.stats = parseSippStats(statsText);
    if (options.traceMessages === true) result.messages = readIf(join(dir, 'messages.log')) ?? '';
    if (options.traceRtt === true) {
      const rttFile = readdirSync(dir).find((f) => f.endsWith('_rtt.csv'));
      result.rttsMs = rttFile === undefined ? [] : parseRtts(readFileSync(join(dir, rttFile), 'utf8'));
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sippArgs(options: RunSippOptions, localPort: number, mediaPort: number): string[] {
  const args: string[] = [];
  if (options.target !== undefined) {
    if (!/^127\.0\.0\.1:\d+$/.test(options.target)) {
      throw new Error(`the rig only calls 127.0.0.1:PORT, not ${options.target}`);
    }
    args.push(options.target);
  }
  if (options.scenario.endsWith('.xml')) args.push('-sf', resolve(options.scenario));
  else args.push('-sn', options.scenario);
  args.push('-i', '127.0.0.1', '-p', String(localPort), '-mi', '127.0.0.1', '-mp', String(mediaPort));
  args.push('-m', String(options.calls ?? 1), '-nostdin');
  if (options.rate !== undefined) args.push('-r', String(options.rate));
  if (options.limit !== undefined) args.push('-l', String(options.limit));
  for (const [name, value] of Object.entries(options.keys ?? {})) args.push('-key', name, value);
  for (const [name, value] of Object.entries(options.variables ?? {})) args.push('-set', name, value);
  args.push('-trace_stat', '-stf', 'stats.csv', '-fd', '1', '-trace_err', '-error_file', 'errors.log');
  if (options.traceMessages === true) args.push('-trace_msg', '-message_file', 'messages.log');
  if (options.traceRtt === true) args.push('-trace_rtt', '-rtt_freq', '1');
  args.push(...(options.extraArgs ?? []));
  return args;
}

function spawnSipp(
  args: string[],
  cwd: string,
  options: RunSippOptions,
): Promise<Pick<SippResult, 'exitCode' | 'killedBy' | 'pid' | 'stdout' | 'stderr'>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('sipp', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killedBy: SippResult['killedBy'];
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout = (stdout + s).slice(-MAX_OUTPUT_CHARS);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr = (stderr + s).slice(-MAX_OUTPUT_CHARS);
    });
    let hardKill: NodeJS.Timeout | undefined;
    const stop = (why: 'timeout' | 'abort'): void => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killedBy ??= why;
      child.kill('SIGTERM');
      hardKill ??= setTimeout(() => child.kill('SIGKILL'), 1000);
    };
    const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
    const onAbort = (): void => stop('abort');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted === true) stop('abort');
    const cleanup = (): void => {
      clearTimeout(timer);
      if (hardKill !== undefined) clearTimeout(hardKill);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (error) => {
      cleanup();
      reject(error);
    });
    child.once('close', (code) => {
      cleanup();
      resolvePromise({ exitCode: code, killedBy, pid: child.pid, stdout, stderr });
    });
  });
}

function readIf(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Parses a `-stf` file: a `;`-separated header line, then one line per dump; the last one counts. */
export function parseSippStats(text: string): SippStats | undefined {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.split(';');
  const last = lines.length > 1 ? lines[lines.length - 1]?.split(';') : undefined;
  if (header === undefined || last === undefined) return undefined;
  const fields: Record<string, string> = {};
  header.forEach((name, i) => {
    if (name !== '') fields[name] = last[i] ?? '';
  });
  const count = (name: string): number => Number(fields[name] ?? 'NaN');
  return {
    created: count('TotalCallCreated'),
    successful: count('SuccessfulCall(C)'),
    failed: count('FailedCall(C)'),
    retransmissions: count('Retransmissions(C)'),
    responseTimeMs: durationMs(fields['ResponseTime1(C)'] ?? ''),
    fields,
  };
}

/** SIPp writes durations as `hh:mm:ss:microseconds`. */
function durationMs(text: string): number {
  const m = /^(\d+):(\d+):(\d+):(\d+)$/.exec(text);
  if (m === null) return NaN;
  const [h, min, s, us] = m.slice(1).map(Number) as [number, number, number, number];
  return ((h * 60 + min) * 60 + s) * 1000 + us / 1000;
}

/** `-trace_rtt` lines: `date_ms;date_sec;response_time_ms;rtd_no` after a header. */
function parseRtts(text: string): number[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.split(';') ?? [];
  const column = header.findIndex((h) => /response_time/i.test(h));
  if (column < 0) return [];
  return lines.slice(1).map((l) => Number(l.split(';')[column]));
}
