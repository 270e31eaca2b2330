import { spawn } from 'node:child_process';
import { ModelError } from './model-error.js';

export interface ExtractOptions {
  /** Defaults to `tar` on the PATH. */
  readonly tarCommand?: string;
  /** The environment tar runs in (its PATH decides which bzip2 it finds). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Keep only the end of tar's complaints: the last lines say what went wrong. */
const STDERR_KEEP_CHARS = 2000;

const INSTALL_HINT = 'install it (Debian/Ubuntu: apt-get install tar bzip2) and try again';

/**
 * Unpacks a `.tar.bz2` into `destDir` with the system tar, which hands decompression to bzip2.
 * Ownership from the archive is never applied (`--no-same-owner`), which matters when the CLI
 * runs as root. GNU tar already refuses members with `..` or absolute paths.
 */
export function extractTarBz2(
  archivePath: string,
  destDir: string,
  options: ExtractOptions = {},
): Promise<void> {
  const tar = options.tarCommand ?? 'tar';
  return new Promise((resolve, reject) => {
    const child = spawn(tar, ['-xjf', archivePath, '-C', destDir, '--no-same-owner'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: options.env ?? process.env,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_KEEP_CHARS);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new ModelError(
              'TOOL_MISSING',
              `cannot extract ${archivePath}: "${tar}" was not found; ${INSTALL_HINT}`,
            )
          : new ModelError('EXTRACT_FAILED', `cannot run ${tar}: ${err.message}`, { cause: err }),
      );
    });
    child.on('close', (code, signal) => {
      if (code === 0) {
        resolve();
        return;
      }
      const detail = stderr.trim();
      // GNU tar reports a missing decompressor as "bzip2: Cannot exec: No such file or directory".
      if (/bzip2/i.test(detail) && /cannot exec|not found|no such file/i.test(detail)) {
        reject(
          new ModelError(
            'TOOL_MISSING',
            `cannot extract ${archivePath}: bzip2 is not installed; ${INSTALL_HINT}`,
          ),
        );
        return;
      }
      reject(
        new ModelError(
          'EXTRACT_FAILED',
          `${tar} could not extract ${archivePath} (${signal ? `signal ${signal}` : `exit code ${code}`})` +
            (detail ? `: ${detail}` : ''),
        ),
      );
    });
  });
}
