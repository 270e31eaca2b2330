import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { CLI } from './run.js';
import { ROOT } from './paths.js';

/** One line of `voxbridge serve --json`. */
export interface GatewayEvent {
  readonly type: string;
  readonly callId: string;
  readonly sipCallId: string;
  readonly legId?: string;
  readonly role?: string;
  readonly text?: string;
  readonly startMs?: number;
  readonly endMs?: number;
  readonly digit?: string;
  readonly source?: string;
  readonly reason?: string;
  readonly timestamp?: string;
  readonly [key: string]: unknown;
}

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly sipPort: number;
  readonly events: GatewayEvent[];
  /** Wall-clock ms at which each event line arrived, parallel to `events`. */
  readonly arrivals: number[];
  stderr(): string;
  /** Resolves with the first event that matches, or rejects after timeoutMs. */
  waitFor(predicate: (event: GatewayEvent) => boolean, timeoutMs: number): Promise<GatewayEvent>;
  /** Resident set size of the gateway process, from /proc. */
  rssBytes(): number;
  /** Resolves with the exit code when the process exits by itself. */
  readonly exited: Promise<number | null>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/**
 * A real-port RTP range for one test file, so files that run in parallel never share ports:
 * a base derived from the process id, 200 ports wide.
 */
export function rtpRangeForTest(): string {
  const base = 30000 + ((process.pid * 7) % 150) * 200;
  return `${base}-${base + 199}`;
}

/**
 * Starts `voxbridge serve` (the built CLI, as a user runs it) on 127.0.0.1 with a free SIP port,
 * and collects its JSON events.
 */
export async function startGatewayProcess(args: readonly string[] = []): Promise<GatewayProcess> {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--sip-host', '127.0.0.1', '--sip-port', '0', '--json', ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const events: GatewayEvent[] = [];
  const arrivals: number[] = [];
  let stderr = '';
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as GatewayEvent);
      arrivals.push(Date.now());
    } catch {
      stderr += `[unparseable stdout] ${line}\n`;
    }
    for (const w of waiters) w();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const sipPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${stderr}`)), 30_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /udp\/(\d+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code} before listening:\n${stderr}`));
    });
  });
  return {
    child,
    sipPort,
    exited,
    events,
    arrivals,
    stderr: () => stderr,
    waitFor(predicate, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = events.find(predicate);
          if (found === undefined) return false;
          waiters.delete(onLine);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const onLine = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(onLine);
          reject(
            new Error(
              `no matching event within ${timeoutMs} ms; events: ${JSON.stringify(events).slice(0, 2000)}`,
            ),
          );
        }, timeoutMs);
        if (!check()) waiters.add(onLine);
      });
    },
    rssBytes() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      return kb * 1024;
    },
    async stop(signal = 'SIGTERM', timeoutMs = 20_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
