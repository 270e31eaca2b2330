import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelEntry } from './catalog.js';
import { MODEL_CATALOG, modelDirName } from './catalog.js';
import { ModelError } from './model-error.js';
import type { ModelsDirOptions } from './models-dir.js';
import { modelSearchDirs, shippedModelsDir } from './models-dir.js';

export interface ResolveModelOptions extends ModelsDirOptions {
  /** Defaults to MODEL_CATALOG; tests inject their own. */
  readonly catalog?: readonly ModelEntry[];
  /**
   * Where shipped models are looked up last (ModelEntry.shipped); default the project's `models/`
   * folder, `null` to ignore shipped copies.
   */
  readonly shippedDir?: string | null;
}

/** Looks a name up in the catalog, or throws MODEL_UNKNOWN listing the names that exist. */
export function findModel(name: string, catalog: readonly ModelEntry[] = MODEL_CATALOG): ModelEntry {
  const entry = catalog.find((e) => e.name === name);
  if (!entry) {
    throw new ModelError(
      'MODEL_UNKNOWN',
      `unknown model "${name}"; known models: ${catalog.map((e) => e.name).join(', ')}`,
    );
  }
  return entry;
}

/** The expected files (see ModelEntry.files) that are absent from `dir`, in catalog order. */
export async function missingModelFiles(dir: string, entry: ModelEntry): Promise<string[]> {
  const missing: string[] = [];
  for (const file of entry.files) {
    const wantsDir = file.endsWith('/');
    try {
      const info = await stat(join(dir, file));
      if (wantsDir ? !info.isDirectory() : !info.isFile()) missing.push(file);
    } catch {
      missing.push(file);
    }
  }
  return missing;
}

/** The model roots searched for `entry`, in order: modelSearchDirs, then the shipped copy. */
function searchRoots(entry: ModelEntry, options: ResolveModelOptions): string[] {
  const roots = modelSearchDirs(options);
  if (entry.shipped && options.shippedDir !== null) roots.push(options.shippedDir ?? shippedModelsDir());
  return roots;
}

/**
 * The folder holding every expected file of the model, searching `--models-dir`, then
 * VOXBRIDGE_MODELS_DIR, then the default cache (where `pull` installs), and last, for a model
 * that ships with the project, its `models/` folder. Undefined when no folder has them all.
 */
export async function resolveModelDir(
  name: string,
  options: ResolveModelOptions = {},
): Promise<string | undefined> {
  const entry = findModel(name, options.catalog);
  for (const root of searchRoots(entry, options)) {
    const dir = join(root, modelDirName(entry));
    if ((await missingModelFiles(dir, entry)).length === 0) return dir;
  }
  return undefined;
}

/** Like resolveModelDir, but a missing model is MODEL_NOT_INSTALLED telling the user how to get it. */
export async function requireModelDir(name: string, options: ResolveModelOptions = {}): Promise<string> {
  const dir = await resolveModelDir(name, options);
  if (dir !== undefined) return dir;
  const searched = searchRoots(findModel(name, options.catalog), options).join(', ');
  throw new ModelError(
    'MODEL_NOT_INSTALLED',
    `model "${name}" is not installed (looked in ${searched}); run: voxbridge models pull ${name}`,
  );
}
