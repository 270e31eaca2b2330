import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MODELS_DIR_ENV = 'VOXBRIDGE_MODELS_DIR';

export interface ModelsDirOptions {
  /** `--models-dir`: wins over the environment. */
  readonly modelsDir?: string | undefined;
  /** Defaults to `process.env`; tests pass their own so they never see the developer's settings. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The cache folder used when neither `--models-dir` nor VOXBRIDGE_MODELS_DIR is set. */
export function defaultModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  // XDG_CACHE_HOME is where ~/.cache comes from on Linux desktops; honouring it keeps models out
  // of home directories that users have deliberately moved their caches away from.
  const cacheHome = env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(cacheHome, 'voxbridge', 'models');
}

/** The folder `pull` installs into: `--models-dir`, else VOXBRIDGE_MODELS_DIR, else the cache. */
export function modelsDir(options: ModelsDirOptions = {}): string {
  const env = options.env ?? process.env;
  return resolve(options.modelsDir || env[MODELS_DIR_ENV] || defaultModelsDir(env));
}

/**
 * Every folder a model is looked up in, most specific first and without repeats. A model found in
 * `VOXBRIDGE_MODELS_DIR` (say a shared read-only copy) is used even when `--models-dir` names an
 * empty cache, so a team can share one download.
 */
export function modelSearchDirs(options: ModelsDirOptions = {}): string[] {
  const env = options.env ?? process.env;
  const candidates = [options.modelsDir, env[MODELS_DIR_ENV], defaultModelsDir(env)];
  const dirs: string[] = [];
  for (const dir of candidates) {
    if (!dir) continue;
    const absolute = resolve(dir);
    if (!dirs.includes(absolute)) dirs.push(absolute);
  }
  return dirs;
}

/**
 * The `models/` folder of the project itself, which ships the models whose catalog entry says
 * `shipped` (src/models and dist/models both sit two levels below the project root).
 */
export function shippedModelsDir(): string {
  return fileURLToPath(new URL('../../models/', import.meta.url));
}
