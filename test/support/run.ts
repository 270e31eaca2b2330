import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.js';

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion and returns its exit status and output; never throws on failure. */
export function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The built CLI, exactly as `npx voxbridge` runs it (`npm test` builds first). */
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

export function voxbridge(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): RunResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  return run(process.execPath, [CLI, ...args], options);
}

/** Runs a program and throws with its stderr when it fails. */
export function runOk(cmd: string, args: string[], options: { cwd?: string } = {}): string {
  const r = run(cmd, args, options);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
