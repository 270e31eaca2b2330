import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { ModelError } from './model-error.js';

export interface DownloadProgressEvent {
  /** Bytes in the `.part` file so far, including a resumed prefix. */
  readonly receivedBytes: number;
  readonly totalBytes: number | undefined;
  /** Bytes that were already on disk when this request started. */
  readonly resumedFromBytes: number;
}

export interface DownloadFileOptions {
  readonly url: string;
  /** Where the bytes accumulate; kept after an interruption so the next attempt can resume. */
  readonly partPath: string;
  /** From the catalog, when known: lets a finished `.part` be recognized without a request. */
  readonly expectedSizeBytes?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((event: DownloadProgressEvent) => void) | undefined;
  /** Defaults to the global fetch; tests may wrap it. */
  readonly fetch?: typeof fetch | undefined;
}

export interface DownloadFileResult {
  /** Lower-case hex sha256 of the whole file, the resumed prefix included. */
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly resumedFromBytes: number;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Feeds the bytes already on disk into the hash, so a resumed download is verified end to end. */
async function hashPrefix(hash: Hash, path: string): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

async function hashWholeFile(path: string): Promise<DownloadFileResult> {
  const hash = createHash('sha256');
  await hashPrefix(hash, path);
  const sizeBytes = await fileSize(path);
  return { sha256: hash.digest('hex'), sizeBytes, resumedFromBytes: sizeBytes };
}

/** RFC 9110 §14.4: `Content-Range: bytes <first>-<last>/<complete-length or *>`. */
function parseContentRange(value: string | null): { first: number; total: number | undefined } | undefined {
  const match = /^bytes\s+(\d+)-\d+\/(\d+|\*)$/i.exec(value?.trim() ?? '');
  if (!match) return undefined;
  return { first: Number(match[1]), total: match[2] === '*' ? undefined : Number(match[2]) };
}

// RFC 9110 §15.5.17: a 416 names the current length as `Content-Range: bytes */<length>`.
function unsatisfiedRangeLength(value: string | null): number | undefined {
  const match = /^bytes\s+\*\/(\d+)$/i.exec(value?.trim() ?? '');
  return match ? Number(match[1]) : undefined;
}

function lengthHeader(response: Response): number | undefined {
  const value = response.headers.get('content-length');
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/**
 * Downloads `url` into `partPath`, resuming with an HTTP Range request when the file already holds
 * a prefix, and hashes the bytes as they are written. A server that ignores Range (200 instead of
 * 206) or answers for a different offset makes the download start over, so the result is always
 * the whole asset. An interrupted transfer leaves the `.part` file for the next attempt.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<DownloadFileResult> {
  const doFetch = options.fetch ?? fetch;
  let existingBytes = await fileSize(options.partPath);
  const expected = options.expectedSizeBytes;
  if (expected !== undefined && existingBytes > expected) {
    await rm(options.partPath, { force: true });
    existingBytes = 0;
  }
  if (expected !== undefined && existingBytes === expected) return hashWholeFile(options.partPath);

  // At most two requests: a resume, and a fresh start when the server cannot resume.
  for (let attempt = 0; ; attempt++) {
    const resuming = existingBytes > 0;
    let response: Response;
    try {
      response = await doFetch(options.url, {
        headers: resuming ? { range: `bytes=${existingBytes}-` } : {},
        redirect: 'follow',
        signal: options.signal ?? null,
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw new ModelError('DOWNLOAD_FAILED', `cannot reach ${options.url}: ${(err as Error).message}`, {
        cause: err,
      });
    }

    let restart = false;
    let totalBytes: number | undefined;
    if (resuming && response.status === 416) {
      await response.body?.cancel();
      // The part may already be complete: the server says so by naming exactly its length.
      if (unsatisfiedRangeLength(response.headers.get('content-range')) === existingBytes) {
        return hashWholeFile(options.partPath);
      }
      restart = true;
    } else if (resuming && response.status === 206) {
      const range = parseContentRange(response.headers.get('content-range'));
      if (range?.first !== existingBytes) {
        await response.body?.cancel();
        restart = true;
      } else {
        totalBytes = range.total ?? expected;
      }
    } else if (response.status === 200) {
      // Either a fresh download, or a server that ignored Range and sends the whole file again.
      existingBytes = 0;
      totalBytes = lengthHeader(response) ?? expected;
    } else {
      await response.body?.cancel();
      throw new ModelError(
        'DOWNLOAD_FAILED',
        `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} from ${options.url}`,
      );
    }
    if (restart) {
      if (attempt > 0) {
        throw new ModelError('DOWNLOAD_FAILED', `${options.url} answered a range request inconsistently`);
      }
      await rm(options.partPath, { force: true });
      existingBytes = 0;
      continue;
    }
    if (!response.body) throw new ModelError('DOWNLOAD_FAILED', `empty response from ${options.url}`);
    return receiveBody(options, response.body, existingBytes, totalBytes);
  }
}

async function receiveBody(
  options: DownloadFileOptions,
  body: ReadableStream<Uint8Array>,
  resumedFromBytes: number,
  totalBytes: number | undefined,
): Promise<DownloadFileResult> {
  const hash = createHash('sha256');
  if (resumedFromBytes > 0) await hashPrefix(hash, options.partPath);
  const file = await open(options.partPath, resumedFromBytes > 0 ? 'a' : 'w');
  let receivedBytes = resumedFromBytes;
  try {
    for await (const chunk of body) {
      hash.update(chunk);
      await file.write(chunk);
      receivedBytes += chunk.length;
      options.onProgress?.({ receivedBytes, totalBytes, resumedFromBytes });
    }
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw new ModelError(
      'DOWNLOAD_INTERRUPTED',
      `download of ${options.url} was interrupted after ${megabytes(receivedBytes)} ` +
        `(${(err as Error).message}); run the same command again to resume`,
      { cause: err },
    );
  } finally {
    await file.close();
  }
  if (totalBytes !== undefined && receivedBytes !== totalBytes) {
    throw new ModelError(
      'DOWNLOAD_INTERRUPTED',
      `download of ${options.url} ended at ${receivedBytes} of ${totalBytes} bytes; ` +
        'run the same command again to resume',
    );
  }
  return { sha256: hash.digest('hex'), sizeBytes: receivedBytes, resumedFromBytes };
}
