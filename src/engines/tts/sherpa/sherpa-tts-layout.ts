import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { EngineError } from '../../spi/index.js';

/**
 * How a VITS voice folder feeds sherpa-onnx: `piper` voices phonemize with espeak-ng and carry its
 * data folder; older VITS voices (vctk, ljs, ...) look words up in a lexicon.
 */
export type SherpaTtsLayoutKind = 'piper' | 'lexicon';

export interface SherpaTtsLayout {
  readonly kind: SherpaTtsLayoutKind;
  readonly modelDir: string;
  readonly modelFile: string;
  readonly tokensFile: string;
  /** espeak-ng-data folder (piper). */
  readonly dataDir?: string;
  /** lexicon.txt (lexicon). */
  readonly lexiconFile?: string;
}

const ENGINE = 'sherpa';
/** The voice `voxbridge models pull` suggests when the folder's own name is no catalog name. */
export const DEFAULT_SHERPA_VOICE = 'vits-piper-en_US-amy-low';
/**
 * sherpa-onnx validates these inside espeak-ng-data and refuses the config without them; checking
 * first gives a message that names the folder instead of a log line on stderr.
 */
const ESPEAK_DATA_FILES = ['phontab', 'phonindex', 'phondata', 'intonations'];
const EXPECTED =
  '<voice>.onnx, tokens.txt, and either espeak-ng-data/ (Piper voices) or lexicon.txt (other VITS voices)';

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function notFound(modelDir: string, problem: string): EngineError {
  const name = basename(modelDir);
  const pull = /^vits-/.test(name) ? name : DEFAULT_SHERPA_VOICE;
  return new EngineError(
    ENGINE,
    'MODEL_NOT_FOUND',
    `no usable sherpa TTS voice in ${modelDir}: ${problem}. A voice folder holds ${EXPECTED}; ` +
      `get one with: voxbridge models pull ${pull}`,
  );
}

/**
 * An ONNX file is a protobuf ModelProto whose first field is ir_version (field 1, varint), so it
 * starts with the byte 0x08. onnxruntime aborts the whole process (not just a worker) on a file it
 * cannot parse, so a file that is plainly not ONNX must be caught here. A truncated file with a
 * good first byte still gets through; `voxbridge models pull` verifies checksums for that.
 */
async function looksLikeOnnx(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await file.read(Buffer.alloc(1), 0, 1, 0);
    return bytesRead === 1 && buffer[0] === 0x08;
  } finally {
    await file.close();
  }
}

/**
 * Finds the files of a VITS voice in `modelDir` and tells its layout, or throws MODEL_NOT_FOUND
 * naming the folder, what is missing, and the command that installs a voice. `modelFile` picks one
 * `.onnx` when the folder has several.
 */
export async function detectSherpaTtsLayout(
  modelDir: string,
  options: { modelFile?: string } = {},
): Promise<SherpaTtsLayout> {
  let names: string[];
  try {
    names = await readdir(modelDir);
  } catch {
    throw notFound(modelDir, 'the folder does not exist or cannot be read');
  }
  let modelFile: string;
  if (options.modelFile !== undefined) {
    modelFile = join(modelDir, options.modelFile);
    if (!(await isFile(modelFile))) throw notFound(modelDir, `${options.modelFile} is missing`);
  } else {
    const onnx = names.filter((n) => n.endsWith('.onnx')).sort();
    // A folder may ship a full-precision and an int8 copy of the same voice; prefer full precision.
    const full = onnx.filter((n) => !n.includes('.int8.'));
    const candidates = full.length > 0 ? full : onnx;
    const only = candidates[0];
    if (only === undefined) throw notFound(modelDir, 'there is no .onnx file');
    if (candidates.length > 1) {
      throw notFound(modelDir, `there are several .onnx files (${candidates.join(', ')}); pass modelFile`);
    }
    modelFile = join(modelDir, only);
  }
  if (!(await looksLikeOnnx(modelFile))) {
    throw notFound(modelDir, `${basename(modelFile)} is not an ONNX model (damaged download?)`);
  }
  const tokensFile = join(modelDir, 'tokens.txt');
  if (!(await isFile(tokensFile))) throw notFound(modelDir, 'tokens.txt is missing');

  const dataDir = join(modelDir, 'espeak-ng-data');
  if (await isDir(dataDir)) {
    const missing: string[] = [];
    for (const file of ESPEAK_DATA_FILES) if (!(await isFile(join(dataDir, file)))) missing.push(file);
    if (missing.length > 0) throw notFound(modelDir, `espeak-ng-data/ lacks ${missing.join(', ')}`);
    return { kind: 'piper', modelDir, modelFile, tokensFile, dataDir };
  }
  const lexiconFile = join(modelDir, 'lexicon.txt');
  if (await isFile(lexiconFile)) return { kind: 'lexicon', modelDir, modelFile, tokensFile, lexiconFile };
  throw notFound(modelDir, 'neither espeak-ng-data/ nor lexicon.txt is there');
}

/** A BCP 47 tag from a Piper-style name (`vits-piper-en_US-amy-low` → `en-US`), else `und`. */
export function languageFromVoiceName(name: string): string {
  const match = /(?:^|[-_])([a-z]{2,3})_([A-Z]{2})(?:[-_]|$)/.exec(name);
  return match ? `${match[1]}-${match[2]}` : 'und';
}
