import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { CLI } from './run.js';
import { ROOT } from './paths.js';

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly httpPort: number;
  readonly sipPort: number;
  readonly baseUrl: string;
  stderr(): string;
  readonly exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/**
 * Starts `voxbridge start` (the built CLI) on 127.0.0.1 with free SIP and HTTP ports, and waits
 * for the line that says where it listens.
 */
export async function startServiceProcess(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'start',
      '--sip-host',
      '127.0.0.1',
      '--sip-port',
      '0',
      '--http-host',
      '127.0.0.1',
      '--http-port',
      '0',
      ...args,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let stderr = '';
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ports = await new Promise<{ http: number; sip: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${stderr}`)), 30_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // The banner prints the bound sockets: `SIP on udp 127.0.0.1:5060 and tcp …`, then
      // `dashboard and API on http://127.0.0.1:8080/`.
      const sip = /SIP on (?:udp|tcp) \S+:(\d+)/.exec(stderr);
      const http = /dashboard and API on https?:\/\/\S+?:(\d+)\//.exec(stderr);
      if (sip && http) {
        clearTimeout(timer);
        resolve({ sip: Number(sip[1]), http: Number(http[1]) });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before listening:\n${stderr}`));
    });
  });
  return {
    child,
    httpPort: ports.http,
    sipPort: ports.sip,
    baseUrl: `http://127.0.0.1:${ports.http}`,
    stderr: () => stderr,
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
