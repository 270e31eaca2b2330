import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelEntry } from './catalog.js';
import { modelDirName } from './catalog.js';
import { downloadFile } from './download-file.js';
import type { DownloadFileResult, DownloadProgressEvent } from './download-file.js';
import type { ProgressStream } from './download-progress.js';
import { DownloadProgress } from './download-progress.js';
import { extractTarBz2 } from './extract-tar-bz2.js';
import { ModelError } from './model-error.js';
import { pullModelFiles } from './pull-model-files.js';
import type { ModelsDirOptions } from './models-dir.js';
import { modelsDir } from './models-dir.js';
import { findModel, missingModelFiles } from './resolve-model-dir.js';

export interface PullModelOptions extends ModelsDirOptions {
  readonly catalog?: readonly ModelEntry[];
  /** Install an entry whose catalog sha256 is unknown (the computed hash is reported). */
  readonly allowUnverified?: boolean;
  /** Download and install again even when the expected files are already there. */
  readonly force?: boolean;
  /** Automatic resumes after an interrupted transfer within this call; default 2. */
  readonly retries?: number;
  /** Pause before each automatic resume; default 1000 ms. */
  readonly retryDelayMs?: number;
  readonly signal?: AbortSignal;
  /** Where the progress bar or lines go (normally stderr); none when undefined. */
  readonly progress?: ProgressStream | undefined;
  readonly fetch?: typeof fetch;
  readonly tarCommand?: string;
  /** The environment for tar; defaults to `env`, then process.env. */
  readonly toolEnv?: NodeJS.ProcessEnv;
}

export interface PullModelResult {
  readonly name: string;
  readonly dir: string;
  /** False when the expected files were already there and nothing was downloaded. */
  readonly downloaded: boolean;
  /** The hash of the downloaded asset; undefined when nothing was downloaded. */
  readonly sha256: string | undefined;
  /** True when the hash matched the catalog; false for an `--allow-unverified` install. */
  readonly verified: boolean;
  readonly sizeBytes: number | undefined;
}

/** What one download fetches: the URL and, when the catalog knows it, its size. */
export interface DownloadSource {
  readonly url: string;
  readonly sizeBytes: number | undefined;
}

/**
 * Downloads `source` into `partPath`, resuming automatically after an interrupted transfer up to
 * `options.retries` times. Progress events go to `onProgress`; the caller owns the display.
 */
export async function downloadWithRetries(
  source: DownloadSource,
  partPath: string,
  options: PullModelOptions,
  onProgress?: (event: DownloadProgressEvent) => void,
): Promise<DownloadFileResult> {
  const retries = options.retries ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      return await downloadFile({
        url: source.url,
        partPath,
        expectedSizeBytes: source.sizeBytes,
        signal: options.signal,
        onProgress,
        fetch: options.fetch,
      });
    } catch (err) {
      const resumable = err instanceof ModelError && err.code === 'DOWNLOAD_INTERRUPTED';
      if (!resumable || attempt >= retries || options.signal?.aborted) throw err;
      await new Promise((resolve) => setTimeout(resolve, (options.retryDelayMs ?? 1000) * (attempt + 1)));
    }
  }
}

/** The folder that holds the files: archives usually wrap everything in one top-level folder. */
async function contentRoot(extractedDir: string): Promise<string> {
  const entries = await readdir(extractedDir, { withFileTypes: true });
  const only = entries[0];
  return entries.length === 1 && only?.isDirectory() ? join(extractedDir, only.name) : extractedDir;
}

/** Puts `source` at `target`, replacing an old folder there without a moment where neither exists. */
export async function replaceDir(source: string, target: string, scratch: string): Promise<void> {
  const old = join(scratch, 'previous');
  let hadOld = false;
  try {
    await rename(target, old);
    hadOld = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await rename(source, target);
  if (hadOld) await rm(old, { recursive: true, force: true });
}

async function installArchive(
  entry: ModelEntry,
  partPath: string,
  root: string,
  targetDir: string,
  options: PullModelOptions,
): Promise<void> {
  // The scratch folder sits in the models folder, so the final rename never crosses filesystems.
  const scratch = await mkdtemp(join(root, `.${entry.name}.extract-`));
  try {
    const unpacked = join(scratch, 'unpacked');
    await mkdir(unpacked);
    await extractTarBz2(partPath, unpacked, {
      ...(options.tarCommand !== undefined ? { tarCommand: options.tarCommand } : {}),
      env: options.toolEnv ?? options.env ?? process.env,
    });
    const source = await contentRoot(unpacked);
    const missing = await missingModelFiles(source, entry);
    if (missing.length > 0) {
      throw new ModelError(
        'MODEL_INCOMPLETE',
        `the archive for ${entry.name} lacks ${missing.join(', ')}; nothing was installed`,
      );
    }
    await replaceDir(source, targetDir, scratch);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function installSingleFile(entry: ModelEntry, partPath: string, targetDir: string): Promise<void> {
  const file = entry.files[0];
  if (file === undefined || entry.files.length !== 1) {
    throw new ModelError('MODEL_INCOMPLETE', `catalog entry ${entry.name} must name exactly one file`);
  }
  await mkdir(targetDir, { recursive: true });
  // A rename within one folder tree is atomic: readers see the old file or the whole new one.
  await rename(partPath, join(targetDir, file));
}

/**
 * Installs a catalog model into `<models-dir>/<dir>/`: downloads (resuming a `.part` file),
 * verifies the sha256 before anything is unpacked, extracts into a scratch folder, checks the
 * expected files, and only then moves the folder into place. A failure leaves no half-installed
 * model behind; only an interrupted download keeps its `.part` file, to be resumed.
 */
export async function pullModel(name: string, options: PullModelOptions = {}): Promise<PullModelResult> {
  const entry = findModel(name, options.catalog);
  const root = modelsDir(options);
  const targetDir = join(root, modelDirName(entry));
  if (entry.archive === 'files') return pullModelFiles(entry, root, targetDir, options);
  if (!options.force && (await missingModelFiles(targetDir, entry)).length === 0) {
    return {
      name,
      dir: targetDir,
      downloaded: false,
      sha256: undefined,
      verified: false,
      sizeBytes: undefined,
    };
  }
  if (entry.sha256 === undefined && !options.allowUnverified) {
    throw new ModelError(
      'CHECKSUM_UNKNOWN',
      `the catalog has no verified sha256 for ${name}, so its download cannot be checked; ` +
        'pass --allow-unverified to install it anyway (the computed sha256 is printed)',
    );
  }
  await mkdir(root, { recursive: true });
  const partPath = join(root, `${entry.name}.part`);
  const progress = options.progress
    ? new DownloadProgress({ stream: options.progress, label: entry.name })
    : undefined;
  let download: DownloadFileResult;
  try {
    download = await downloadWithRetries(entry, partPath, options, (event) => progress?.update(event));
  } catch (err) {
    progress?.abandon();
    throw err;
  }
  progress?.finish();

  if (entry.sha256 !== undefined && download.sha256 !== entry.sha256.toLowerCase()) {
    // A corrupt or tampered file cannot be repaired by resuming it, so it goes.
    await rm(partPath, { force: true });
    throw new ModelError(
      'CHECKSUM_MISMATCH',
      `sha256 of ${entry.url} is ${download.sha256}, expected ${entry.sha256}; ` +
        'the download was deleted and nothing was installed',
    );
  }
  try {
    if (entry.archive === 'onnx') await installSingleFile(entry, partPath, targetDir);
    else await installArchive(entry, partPath, root, targetDir, options);
  } finally {
    // A verified archive that failed to install is not worth keeping: it would fail the same way.
    await rm(partPath, { force: true });
  }
  return {
    name,
    dir: targetDir,
    downloaded: true,
    sha256: download.sha256,
    verified: entry.sha256 !== undefined,
    sizeBytes: download.sizeBytes,
  };
}
