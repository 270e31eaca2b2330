// createVad picks Silero when a model is found (in modelDir or $VOXBRIDGE_MODELS_DIR/silero-vad/)
// and the energy detector otherwise; checkOnnxModel keeps junk away from onnxruntime.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EngineError } from '../../../src/engines/spi/index.js';
import {
  SileroVad,
  checkOnnxModel,
  createVad,
  sileroModelCandidates,
} from '../../../src/engines/vad/index.js';
import { SHARED } from '../../support/paths.js';

const SILERO_V4 = join(SHARED, 'models', 'silero-vad', 'silero_vad.onnx');
const SILERO_V5 = join(SHARED, 'models', 'silero-vad', 'silero_vad_v5.onnx');
const haveSilero = existsSync(SILERO_V4) && existsSync(SILERO_V5);
const skipSilero = haveSilero ? false : `no Silero models in ${join(SHARED, 'models', 'silero-vad')}`;
if (skipSilero !== false) console.log(`# skipping Silero factory tests: ${skipSilero}`);

const scratch = mkdtempSync(join(tmpdir(), 'voxbridge-vad-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function isCode(code: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof EngineError, String(err));
    assert.equal(err.code, code);
    return true;
  };
}

describe('createVad', () => {
  it('falls back to energy when no model is anywhere', () => {
    const empty = mkdtempSync(join(scratch, 'empty-'));
    const vad = createVad({ modelDir: empty, modelsDir: empty });
    assert.equal(vad.kind, 'energy');
    vad.close();
  });

  it("model: 'energy' forces the energy detector even with a model present", () => {
    const vad = createVad({ modelDir: join(SHARED, 'models', 'silero-vad'), model: 'energy' });
    assert.equal(vad.kind, 'energy');
  });

  it("model: 'silero' without a model throws MODEL_NOT_FOUND naming the path", () => {
    const empty = mkdtempSync(join(scratch, 'empty-'));
    assert.throws(
      () => createVad({ modelDir: empty, modelsDir: empty, model: 'silero' }),
      (err: unknown) => isCode('MODEL_NOT_FOUND')(err) && (err as Error).message.includes(empty),
    );
  });

  it('searches modelDir, then <modelsDir>/silero-vad, v4 before v5', () => {
    assert.deepEqual(sileroModelCandidates({ modelDir: '/a', modelsDir: '/m' }), [
      '/a/silero_vad.onnx',
      '/a/silero_vad_v5.onnx',
      '/m/silero-vad/silero_vad.onnx',
      '/m/silero-vad/silero_vad_v5.onnx',
    ]);
  });

  it('uses $VOXBRIDGE_MODELS_DIR when modelsDir is not given', () => {
    const saved = process.env['VOXBRIDGE_MODELS_DIR'];
    process.env['VOXBRIDGE_MODELS_DIR'] = '/env-models';
    try {
      assert.deepEqual(sileroModelCandidates(), [
        '/env-models/silero-vad/silero_vad.onnx',
        '/env-models/silero-vad/silero_vad_v5.onnx',
      ]);
    } finally {
      if (saved === undefined) delete process.env['VOXBRIDGE_MODELS_DIR'];
      else process.env['VOXBRIDGE_MODELS_DIR'] = saved;
    }
  });

  it('picks Silero from modelDir, and a v5-only folder too', { skip: skipSilero }, () => {
    const vad = createVad({ modelDir: join(SHARED, 'models', 'silero-vad') });
    assert.equal(vad.kind, 'silero');
    vad.close();
    const v5only = mkdtempSync(join(scratch, 'v5-'));
    copyFileSync(SILERO_V5, join(v5only, 'silero_vad_v5.onnx'));
    const v5 = createVad({ modelDir: v5only });
    assert.equal(v5.kind, 'silero');
    v5.close();
  });

  it('picks Silero from <modelsDir>/silero-vad', { skip: skipSilero }, () => {
    const vad = createVad({ modelsDir: join(SHARED, 'models') });
    assert.equal(vad.kind, 'silero');
    vad.close();
  });

  it('a closed SileroVad refuses work instead of touching freed state', { skip: skipSilero }, () => {
    const vad = new SileroVad({ modelPath: SILERO_V4 });
    vad.close();
    vad.close();
    assert.throws(() => vad.process(new Int16Array(512)), /closed/);
  });
});

describe('checkOnnxModel', () => {
  it('accepts the real Silero models', { skip: skipSilero }, () => {
    assert.equal(checkOnnxModel(SILERO_V4), undefined);
    assert.equal(checkOnnxModel(SILERO_V5), undefined);
  });

  it('rejects missing, empty, junk, text and truncated files with a reason', () => {
    const dir = mkdtempSync(join(scratch, 'onnx-'));
    assert.match(checkOnnxModel(join(dir, 'nope.onnx')) ?? '', /cannot open.*ENOENT/);
    writeFileSync(join(dir, 'empty.onnx'), new Uint8Array(0));
    assert.match(checkOnnxModel(join(dir, 'empty.onnx')) ?? '', /empty/);
    let seed = 5;
    const junk = Uint8Array.from({ length: 4096 }, () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 24;
    });
    writeFileSync(join(dir, 'junk.onnx'), junk);
    assert.notEqual(checkOnnxModel(join(dir, 'junk.onnx')), undefined);
    writeFileSync(
      join(dir, 'text.onnx'),
      'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n',
    );
    assert.notEqual(checkOnnxModel(join(dir, 'text.onnx')), undefined);
    if (haveSilero) {
      const bytes = readFileSync(SILERO_V4);
      writeFileSync(join(dir, 'cut.onnx'), bytes.subarray(0, bytes.length - 1000));
      assert.match(checkOnnxModel(join(dir, 'cut.onnx')) ?? '', /truncated/);
    }
  });

  it('SileroVad turns a junk model into MODEL_NOT_FOUND instead of an onnxruntime abort', () => {
    const dir = mkdtempSync(join(scratch, 'bad-'));
    const path = join(dir, 'silero_vad.onnx');
    writeFileSync(path, Buffer.from('this is not a model'));
    assert.throws(
      () => new SileroVad({ modelPath: path }),
      (err: unknown) => isCode('MODEL_NOT_FOUND')(err) && (err as Error).message.includes(path),
    );
    // A broken installed model is an operator error to report, not a reason to fall back quietly.
    assert.throws(() => createVad({ modelDir: dir }), isCode('MODEL_NOT_FOUND'));
  });
});
