import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineError } from '../../../src/engines/spi/index.js';
import {
  SherpaTts,
  detectSherpaTtsLayout,
  languageFromVoiceName,
} from '../../../src/engines/tts/sherpa/index.js';

/** First byte of every ONNX file (ModelProto field 1, ir_version); the rest does not matter here. */
const ONNX_LIKE = Buffer.from([0x08, 0x07, 0x12, 0x00]);

async function voiceDir(root: string, name: string, files: Record<string, Buffer | string>): Promise<string> {
  const dir = join(root, name);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  await mkdir(dir, { recursive: true });
  return dir;
}

const ESPEAK = {
  'espeak-ng-data/phontab': 'x',
  'espeak-ng-data/phonindex': 'x',
  'espeak-ng-data/phondata': 'x',
  'espeak-ng-data/intonations': 'x',
};

function modelNotFound(...fragments: string[]): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof EngineError, String(err));
    assert.equal(err.code, 'MODEL_NOT_FOUND');
    assert.equal(err.engine, 'sherpa');
    for (const fragment of fragments)
      assert.ok(err.message.includes(fragment), `${err.message}\n lacks ${fragment}`);
    return true;
  };
}

describe('sherpa TTS voice folder layout', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'voxbridge-sherpa-layout-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('detects a Piper voice (espeak-ng-data)', async () => {
    const dir = await voiceDir(root, 'vits-piper-en_US-test-low', {
      'en_US-test-low.onnx': ONNX_LIKE,
      'tokens.txt': '_ 0\n',
      ...ESPEAK,
    });
    assert.deepEqual(await detectSherpaTtsLayout(dir), {
      kind: 'piper',
      modelDir: dir,
      modelFile: join(dir, 'en_US-test-low.onnx'),
      tokensFile: join(dir, 'tokens.txt'),
      dataDir: join(dir, 'espeak-ng-data'),
    });
  });

  it('detects a lexicon VITS voice and prefers full precision over int8', async () => {
    const dir = await voiceDir(root, 'vits-vctk', {
      'vits-vctk.onnx': ONNX_LIKE,
      'vits-vctk.int8.onnx': ONNX_LIKE,
      'tokens.txt': '_ 0\n',
      'lexicon.txt': 'hello h e l o\n',
    });
    const layout = await detectSherpaTtsLayout(dir);
    assert.equal(layout.kind, 'lexicon');
    assert.equal(layout.modelFile, join(dir, 'vits-vctk.onnx'));
    assert.equal(layout.lexiconFile, join(dir, 'lexicon.txt'));
  });

  it('takes modelFile when a folder has several voices', async () => {
    const dir = await voiceDir(root, 'two-voices', {
      'a.onnx': ONNX_LIKE,
      'b.onnx': ONNX_LIKE,
      'tokens.txt': '_ 0\n',
      'lexicon.txt': 'x\n',
    });
    await assert.rejects(
      detectSherpaTtsLayout(dir),
      modelNotFound('several .onnx files (a.onnx, b.onnx)', 'modelFile'),
    );
    assert.equal((await detectSherpaTtsLayout(dir, { modelFile: 'b.onnx' })).modelFile, join(dir, 'b.onnx'));
    await assert.rejects(
      detectSherpaTtsLayout(dir, { modelFile: 'c.onnx' }),
      modelNotFound('c.onnx is missing'),
    );
  });

  it('names the folder, the expected files and the pull command when the folder is missing', async () => {
    const dir = join(root, 'nowhere');
    await assert.rejects(
      detectSherpaTtsLayout(dir),
      modelNotFound(
        dir,
        'tokens.txt',
        'espeak-ng-data/',
        'lexicon.txt',
        'voxbridge models pull vits-piper-en_US-amy-low',
      ),
    );
  });

  it('suggests pulling the folder by its own name when that is a catalog-style name', async () => {
    const dir = await voiceDir(root, 'vits-piper-en_GB-alan-low', { 'tokens.txt': '_ 0\n' });
    await assert.rejects(
      detectSherpaTtsLayout(dir),
      modelNotFound('no .onnx file', 'voxbridge models pull vits-piper-en_GB-alan-low'),
    );
  });

  it('refuses a file that is not ONNX, before onnxruntime could abort the process on it', async () => {
    const dir = await voiceDir(root, 'damaged', {
      'voice.onnx': '<html>rate limited</html>',
      'tokens.txt': '_ 0\n',
      ...ESPEAK,
    });
    await assert.rejects(detectSherpaTtsLayout(dir), modelNotFound('voice.onnx is not an ONNX model'));
  });

  it('reports a missing tokens.txt, an incomplete espeak-ng-data and a missing phonemizer', async () => {
    const noTokens = await voiceDir(root, 'no-tokens', { 'v.onnx': ONNX_LIKE, ...ESPEAK });
    await assert.rejects(detectSherpaTtsLayout(noTokens), modelNotFound('tokens.txt is missing'));
    const partial = await voiceDir(root, 'partial-espeak', {
      'v.onnx': ONNX_LIKE,
      'tokens.txt': '_ 0\n',
      'espeak-ng-data/phontab': 'x',
    });
    await assert.rejects(
      detectSherpaTtsLayout(partial),
      modelNotFound('espeak-ng-data/ lacks phonindex, phondata, intonations'),
    );
    const neither = await voiceDir(root, 'no-phonemizer', { 'v.onnx': ONNX_LIKE, 'tokens.txt': '_ 0\n' });
    await assert.rejects(
      detectSherpaTtsLayout(neither),
      modelNotFound('neither espeak-ng-data/ nor lexicon.txt'),
    );
  });

  it('SherpaTts.create fails with MODEL_NOT_FOUND before starting any thread', async () => {
    let spawned = 0;
    await assert.rejects(
      SherpaTts.create(
        { modelDir: join(root, 'nowhere') },
        {
          spawnWorker: () => {
            spawned++;
            throw new Error('must not be reached');
          },
        },
      ),
      modelNotFound('voxbridge models pull'),
    );
    assert.equal(spawned, 0);
  });

  it('reads the language from Piper-style names', () => {
    assert.equal(languageFromVoiceName('vits-piper-en_US-amy-low'), 'en-US');
    assert.equal(languageFromVoiceName('vits-piper-de_DE-thorsten-medium'), 'de-DE');
    assert.equal(languageFromVoiceName('vits-vctk'), 'und');
  });
});
