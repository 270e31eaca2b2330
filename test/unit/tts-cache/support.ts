// Helpers shared by the tts-cache tests: temp cache directories, audio bytes, a settable clock.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../../src/core/index.js';
import type { AudioFrame } from '../../../src/media/audio/index.js';
import { frameBytes } from '../../../src/tts-cache/index.js';

export function tempCacheDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'voxbridge-tts-cache-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The concatenated on-disk bytes of the frames. */
export function audioBytes(frames: readonly AudioFrame[]): Buffer {
  return Buffer.concat(frames.map((f) => frameBytes(f)));
}

/** Every file below `dir`, relative to it. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path).map((p) => join(name, p)));
    else out.push(name);
  }
  return out.sort();
}

/** Audio files in the cache directory (the index and temp files excluded). */
export function audioFiles(dir: string): string[] {
  return listFiles(join(dir, 'audio'));
}

export function tempFiles(dir: string): string[] {
  return listFiles(join(dir, 'tmp'));
}

/** A clock tests move by hand; monotonic and wall time move together. */
export class ManualClock implements Clock {
  wall = 1_700_000_000_000;
  mono = 0;
  nowMs(): number {
    return this.mono;
  }
  wallMs(): number {
    return this.wall;
  }
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
}
