import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The shared folder beside the project (audio, models); present on developer machines and in CI. */
export const SHARED = join(ROOT, '..', 'shared');

export function sharedFile(relativePath: string): string {
  const p = join(SHARED, relativePath);
  if (!existsSync(p)) {
    throw new Error(`test input ${p} is missing: the shared/ folder must sit beside the project`);
  }
  return p;
}

export function fixture(relativePath: string): string {
  return join(ROOT, 'test', 'fixtures', relativePath);
}
