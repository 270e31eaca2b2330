import { readFile } from 'node:fs/promises';
import { VoxError } from '../core/index.js';
import type { WavData } from '../media/wav/index.js';
import { parseWav } from '../media/wav/index.js';

/**
 * Reads and parses a WAV file for a command, turning failures into one-line errors that name the
 * file (and, for a corrupt file, the byte offset the parser stopped at).
 */
export async function readWavFile(path: string): Promise<WavData> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new VoxError(
      'FILE_READ',
      `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : String(code)}`,
    );
  }
  try {
    return parseWav(bytes);
  } catch (err) {
    if (err instanceof VoxError) throw new VoxError(err.code, `${path}: ${err.message}`, { cause: err });
    throw err;
  }
}
