import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ModelEntry, ModelPart } from './catalog.js';
import type { DownloadProgressEvent } from './download-file.js';
import { DownloadProgress } from './download-progress.js';
import { ModelError } from './model-error.js';
import type { PullModelOptions, PullModelResult } from './pull-model.js';
import { downloadWithRetries, replaceDir } from './pull-model.js';
import { missingModelFiles } from './resolve-model-dir.js';

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Installs a `files` model (no upstream archive): every part is downloaded into a staging folder
 * beside the target, resuming a `.part` file, and checked against its own sha256 before it is
 * renamed into place there; only when every part is verified does the staging folder replace the
 * target. A corrupt part is deleted and named in a CHECKSUM_MISMATCH error; verified parts stay in
 * the staging folder, so running the command again fetches only what is missing.
 */
export async function pullModelFiles(
  entry: ModelEntry,
  root: string,
  targetDir: string,
  options: PullModelOptions,
): Promise<PullModelResult> {
  const parts = entry.parts ?? [];
  if (parts.length === 0) {
    throw new ModelError('MODEL_INCOMPLETE', `catalog entry ${entry.name} lists no files to fetch`);
  }
  const totalBytes = parts.reduce((sum, part) => sum + part.sizeBytes, 0);
  if (!options.force && (await missingModelFiles(targetDir, entry)).length === 0) {
    return {
      name: entry.name,
      dir: targetDir,
      downloaded: false,
      sha256: undefined,
      verified: false,
      sizeBytes: undefined,
    };
  }
  const staging = join(root, `.${entry.name}.staging`);
  await mkdir(staging, { recursive: true });
  // One bar for the whole model: the bytes of finished parts plus the current part's progress.
  const progress = options.progress
    ? new DownloadProgress({ stream: options.progress, label: entry.name })
    : undefined;
  let doneBytes = 0;
  try {
    for (const part of parts) {
      await fetchPart(entry, part, staging, options, (event) =>
        progress?.update({
          receivedBytes: doneBytes + event.receivedBytes,
          totalBytes,
          resumedFromBytes: doneBytes + event.resumedFromBytes,
        }),
      );
      doneBytes += part.sizeBytes;
      progress?.update({ receivedBytes: doneBytes, totalBytes, resumedFromBytes: 0 });
    }
  } catch (err) {
    progress?.abandon();
    throw err;
  }
  progress?.finish();
  const scratch = join(root, `.${entry.name}.replace`);
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch);
  try {
    await replaceDir(staging, targetDir, scratch);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return {
    name: entry.name,
    dir: targetDir,
    downloaded: true,
    sha256: undefined,
    verified: true,
    sizeBytes: totalBytes,
  };
}

async function fetchPart(
  entry: ModelEntry,
  part: ModelPart,
  staging: string,
  options: PullModelOptions,
  onProgress: (event: DownloadProgressEvent) => void,
): Promise<void> {
  const finalPath = join(staging, part.path);
  // A part renamed into the staging folder was verified when it was; a later run skips it.
  if (await isFile(finalPath)) return;
  await mkdir(dirname(finalPath), { recursive: true });
  const partPath = `${finalPath}.part`;
  const url = new URL(part.path, entry.url).href;
  const download = await downloadWithRetries(
    { url, sizeBytes: part.sizeBytes },
    partPath,
    options,
    onProgress,
  );
  if (download.sha256 !== part.sha256.toLowerCase()) {
    await rm(partPath, { force: true });
    throw new ModelError(
      'CHECKSUM_MISMATCH',
      `sha256 of ${url} is ${download.sha256}, expected ${part.sha256}; ` +
        `the file was deleted and ${entry.name} was not installed`,
    );
  }
  await rename(partPath, finalPath);
}
