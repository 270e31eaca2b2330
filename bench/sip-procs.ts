/**
 * Processes of `npm run bench -- sip`: the children (gateway under test, dgram sink, RTP
 * generator) pinned to a core with `taskset`, spoken to over IPC; SIPp's own UAS as a peer; and
 * pinning this process (so every SIPp it spawns runs on the load core).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildSample } from './sip-gateway-child.js';

/** The core the process under test runs on, and the one SIPp and the generator use. */
export const CORE_UNDER_TEST = '0';
export const CORE_LOAD = '1';

export interface ChildProc {
  readonly child: ChildProcess;
  /** The `ready` message (the gateway's SIP port in gateway mode). */
  readonly ready: Promise<{ sipPort?: number }>;
  /** The last per-second report. */
  latest(): ChildSample | undefined;
  request<T>(cmd: string, extra?: Record<string, unknown>): Promise<T>;
  /** Asks the child to close, then kills it if it has not exited within 10 s. */
  close(): Promise<void>;
}

interface Reply {
  id?: number;
  reply?: unknown;
  error?: string;
  type?: string;
  sipPort?: number;
  sample?: ChildSample;
}

export function benchFile(name: string): string {
  return fileURLToPath(new URL(name, import.meta.url));
}

/**
 * Starts `node --import tsx <script> ...args` under `taskset -c <cpus>`; extra node flags (e.g.
 * `--cpu-prof`) go in `nodeFlags`.
 */
export function startChild(
  script: string,
  args: string[],
  cpus: string,
  options: { nodeFlags?: string[]; closeCommand?: boolean } = {},
): ChildProc {
  const nodeFlags = options.nodeFlags ?? [];
  const closeCommand = options.closeCommand ?? true;
  const child = spawn(
    'taskset',
    [
      '-c',
      cpus,
      process.execPath,
      '--expose-gc',
      '--import',
      'tsx',
      ...nodeFlags,
      benchFile(script),
      ...args,
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  let nextId = 1;
  let latest: ChildSample | undefined;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<{ sipPort?: number }>((resolve, reject) => {
    child.on('message', (message: Reply) => {
      if (message.type === 'ready')
        resolve(message.sipPort === undefined ? {} : { sipPort: message.sipPort });
      else if (message.type === 'failed') reject(new Error(`${script} failed: ${message.error}`));
      else if (message.type === 'tick') latest = message.sample;
      else if (message.id !== undefined) {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) waiter?.reject(new Error(message.error));
        else waiter?.resolve(message.reply);
      }
    });
    void exited.then(() => {
      reject(new Error(`${script} exited before it was ready`));
      for (const waiter of pending.values()) waiter.reject(new Error(`${script} exited`));
      pending.clear();
    });
  });
  return {
    child,
    ready,
    latest: () => latest,
    request: <T>(cmd: string, extra: Record<string, unknown> = {}): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, cmd, ...extra });
      }),
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // The gateway child closes its gateway first and then disconnects; the generator just exits.
        if (child.connected && closeCommand) child.send({ id: 0, cmd: 'close' });
        else if (child.connected) child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Pins every thread of this process (and so each SIPp it spawns later) to `cpus`; returns the old mask. */
export function pinSelf(cpus: string): string {
  const before = execFileSync('taskset', ['-p', '-c', String(process.pid)], { encoding: 'utf8' });
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
  return /:\s*(\S+)\s*$/.exec(before.trim())?.[1] ?? '0-1';
}

/** SIPp's built-in UAS (`sipp -sn uas`), pinned to the core under test: the setup-rate peer. */
export async function startSippUas(
  port: number,
  mediaPort: number,
): Promise<{ pid: number | undefined; stop: () => Promise<void> }> {
  const args = ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(port), '-mi', '127.0.0.1'];
  args.push('-mp', String(mediaPort), '-nostdin');
  // taskset execs sipp in place, so the child's pid is SIPp's.
  const child = spawn('taskset', ['-c', CORE_UNDER_TEST, 'sipp', ...args], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForBind(port);
  return {
    pid: child.pid,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

async function waitForBind(port: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const out = execFileSync('ss', ['-Hul', `sport = :${port}`], { encoding: 'utf8' });
    if (out.trim() !== '') return;
    await sleep(100);
  }
  throw new Error(`sipp -sn uas did not bind 127.0.0.1:${port}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Busy and total jiffies of one core from /proc/stat (Linux), to see what else loaded it. */
export function coreTicks(core: string): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${core} `));
  const values = (line ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  // idle and iowait are fields 4 and 5 of proc(5)'s cpu lines.
  return { busy: total - (values[3] ?? 0) - (values[4] ?? 0), total };
}

/** Fraction of `core` busy (anything: ours, others', interrupts) since `before`. */
export function coreBusySince(core: string, before: { busy: number; total: number }): number {
  const now = coreTicks(core);
  const total = now.total - before.total;
  return total > 0 ? (now.busy - before.busy) / total : NaN;
}
