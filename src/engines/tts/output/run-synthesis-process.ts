import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { spawn as nodeSpawn } from 'node:child_process';
import { EngineError, abortedError } from '../../spi/index.js';

/** The part of `child_process.spawn` a synthesizer uses; tests inject one to count processes. */
export type SpawnProcess = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface SynthesisProcessOptions {
  /** Engine name for errors. */
  readonly engine: string;
  /** Aborting kills the process with SIGKILL; the promise rejects once it has been reaped. */
  readonly signal: AbortSignal;
  /** What to tell an operator when the binary is missing, e.g. "apt-get install flite". */
  readonly installHint: string;
  readonly spawn?: SpawnProcess;
  /** Written to the process's standard input, which is then closed; no stdin unless given. */
  readonly stdin?: string;
  /**
   * Resolve whatever the exit status (for probes like `flite --version`, which exits 1 after
   * printing the version). A missing binary and an abort still reject.
   */
  readonly anyExitStatus?: boolean;
  /** Standard output beyond this is an error (and the process is killed); 64 MiB unless given. */
  readonly maxOutputBytes?: number;
}

export interface SynthesisProcessResult {
  readonly stdout: Uint8Array;
  readonly stderr: string;
  readonly exitCode: number | null;
}

const STDERR_LIMIT_CHARS = 2000;

/**
 * Runs one synthesizer process (a CLI invoked per sentence) to completion and returns what it
 * wrote. The promise settles only after the process has exited and been reaped, so when it
 * rejects with ABORTED the process no longer exists: no orphans, no handles left open. A binary
 * that is not installed is ENGINE_UNAVAILABLE with the install hint; a non-zero exit, a death by
 * a signal we did not send, or runaway output is ENGINE_FAILED with the end of its stderr.
 */
export function runSynthesisProcess(
  command: string,
  args: readonly string[],
  options: SynthesisProcessOptions,
): Promise<SynthesisProcessResult> {
  const { engine, signal } = options;
  const maxOutputBytes = options.maxOutputBytes ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortedError(engine, signal));
      return;
    }
    let child: ChildProcess;
    try {
      child = (options.spawn ?? nodeSpawn)(command, args, {
        stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      reject(new EngineError(engine, 'ENGINE_FAILED', `cannot start ${command}`, { cause: error }));
      return;
    }
    const chunks: Buffer[] = [];
    let outputBytes = 0;
    let stderr = '';
    let failure: EngineError | undefined;
    const kill = (reason: EngineError): void => {
      failure ??= reason;
      child.kill('SIGKILL');
    };
    const onAbort = (): void => kill(abortedError(engine, signal));
    signal.addEventListener('abort', onAbort, { once: true });

    child.stdout?.on('data', (chunk: Buffer) => {
      outputBytes += chunk.length;
      if (outputBytes > maxOutputBytes) {
        kill(new EngineError(engine, 'ENGINE_FAILED', `${command} wrote more than ${maxOutputBytes} bytes`));
      } else {
        chunks.push(chunk);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_LIMIT_CHARS);
    });
    // A process that exits or is killed before reading all its input makes the write fail with
    // EPIPE; the exit status says what happened, so the write error itself carries nothing.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.stdin);
    child.once('error', (error: NodeJS.ErrnoException) => {
      failure ??=
        error.code === 'ENOENT'
          ? new EngineError(engine, 'ENGINE_UNAVAILABLE', `${command} not found: ${options.installHint}`, {
              cause: error,
            })
          : new EngineError(engine, 'ENGINE_FAILED', `${command} failed: ${error.message}`, { cause: error });
    });
    // 'close' comes after the exit has been reaped and every stdio stream has ended, also after a
    // failed spawn, so it is the one place the promise settles.
    child.once('close', (code: number | null, killedBy: NodeJS.Signals | null) => {
      signal.removeEventListener('abort', onAbort);
      if (failure !== undefined) {
        reject(failure);
      } else if (code !== 0 && options.anyExitStatus !== true) {
        const how = killedBy === null ? `exited with status ${code}` : `was killed by ${killedBy}`;
        reject(
          new EngineError(engine, 'ENGINE_FAILED', `${command} ${how}: ${stderr.trim()}`, {
            retryable: true,
          }),
        );
      } else {
        resolve({ stdout: Buffer.concat(chunks), stderr, exitCode: code });
      }
    });
  });
}
