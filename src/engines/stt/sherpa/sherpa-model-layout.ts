import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../../spi/index.js';

/** The model `voxbridge models pull` installs for this engine unless told otherwise. */
export const DEFAULT_SHERPA_MODEL = 'sherpa-onnx-streaming-zipformer-en-2023-06-26';

export type SherpaModelLayout =
  | {
      readonly kind: 'transducer';
      readonly dir: string;
      readonly encoder: string;
      readonly decoder: string;
      readonly joiner: string;
      readonly tokens: string;
    }
  | {
      readonly kind: 'zipformer2-ctc';
      readonly dir: string;
      readonly model: string;
      readonly tokens: string;
    };

const ENGINE = 'sherpa';
const EXPECTED =
  'a streaming transducer (encoder*.onnx, decoder*.onnx, joiner*.onnx, tokens.txt) or a streaming ' +
  'zipformer2 CTC model (model.onnx or ctc-*.onnx, tokens.txt)';

function remedy(dir: string): string {
  return `run \`voxbridge models pull ${DEFAULT_SHERPA_MODEL}\` (or another streaming sherpa-onnx model) and pass its folder; looked in ${dir}`;
}

/**
 * Picks one file per role. Release archives ship fp32 and int8 exports side by side; int8 is
 * preferred because it is about four times smaller and faster on CPU at nearly the same accuracy.
 * Among equals the name that sorts first wins, so the choice never depends on readdir order.
 */
function pick(files: readonly string[], pattern: RegExp): string | undefined {
  const matches = files.filter((f) => pattern.test(f)).sort();
  return matches.find((f) => f.includes('.int8.')) ?? matches[0];
}

/**
 * Works out which kind of streaming model a folder holds from the file names alone (contents are
 * checked separately), or throws MODEL_NOT_FOUND saying what was expected and what was found.
 */
export function detectSherpaModelLayout(dir: string): SherpaModelLayout {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new EngineError(ENGINE, 'MODEL_NOT_FOUND', `model folder ${dir} does not exist; ${remedy(dir)}`);
  }
  const files = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile());
  const found = files.length === 0 ? 'the folder is empty' : `found: ${files.sort().join(', ')}`;
  const encoder = pick(files, /^encoder.*\.onnx$/);
  const decoder = pick(files, /^decoder.*\.onnx$/);
  const joiner = pick(files, /^joiner.*\.onnx$/);
  const ctc = pick(files, /^(model|ctc-.*)(\.int8)?\.onnx$/);
  const hasTokens = files.includes('tokens.txt');
  const tokens = join(dir, 'tokens.txt');

  if (encoder !== undefined || decoder !== undefined || joiner !== undefined) {
    const missing = [
      encoder === undefined ? 'encoder*.onnx' : undefined,
      decoder === undefined ? 'decoder*.onnx' : undefined,
      joiner === undefined ? 'joiner*.onnx' : undefined,
      hasTokens ? undefined : 'tokens.txt',
    ].filter((m): m is string => m !== undefined);
    if (missing.length > 0 || encoder === undefined || decoder === undefined || joiner === undefined) {
      throw new EngineError(
        ENGINE,
        'MODEL_NOT_FOUND',
        `${dir} holds an incomplete transducer: missing ${missing.join(', ')} (${found}); ${remedy(dir)}`,
      );
    }
    return {
      kind: 'transducer',
      dir,
      encoder: join(dir, encoder),
      decoder: join(dir, decoder),
      joiner: join(dir, joiner),
      tokens,
    };
  }
  if (ctc !== undefined && hasTokens) return { kind: 'zipformer2-ctc', dir, model: join(dir, ctc), tokens };
  throw new EngineError(
    ENGINE,
    'MODEL_NOT_FOUND',
    `no streaming model in ${dir}: expected ${EXPECTED} (${found}); ${remedy(dir)}`,
  );
}

/** The ONNX files a layout loads, for content checks. */
export function layoutOnnxFiles(layout: SherpaModelLayout): string[] {
  return layout.kind === 'transducer' ? [layout.encoder, layout.decoder, layout.joiner] : [layout.model];
}
