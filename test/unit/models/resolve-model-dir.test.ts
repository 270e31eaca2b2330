import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ModelEntry } from '../../../src/models/index.js';
import {
  MODEL_CATALOG,
  ModelError,
  defaultModelsDir,
  missingModelFiles,
  modelSearchDirs,
  modelsDir,
  requireModelDir,
  resolveModelDir,
} from '../../../src/models/index.js';

const SHARED_MODELS = resolve(import.meta.dirname, '../../../../shared/models');

const voice: ModelEntry = {
  name: 'local-voice',
  kind: 'tts',
  description: 'a voice laid out by hand',
  url: 'http://127.0.0.1:1/unused.tar.bz2',
  sha256: undefined,
  sizeBytes: undefined,
  archive: 'tar.bz2',
  files: ['voice.onnx', 'tokens.txt', 'espeak-ng-data/'],
};

describe('models folder', () => {
  it('prefers --models-dir, then VOXBRIDGE_MODELS_DIR, then the cache', () => {
    assert.equal(modelsDir({ modelsDir: '/a', env: { VOXBRIDGE_MODELS_DIR: '/b' } }), '/a');
    assert.equal(modelsDir({ env: { VOXBRIDGE_MODELS_DIR: '/b' } }), '/b');
    assert.equal(modelsDir({ env: {} }), join(homedir(), '.cache', 'voxbridge', 'models'));
    assert.equal(defaultModelsDir({ XDG_CACHE_HOME: '/xdg' }), '/xdg/voxbridge/models');
  });

  it('searches every distinct folder once, most specific first', () => {
    assert.deepEqual(modelSearchDirs({ modelsDir: '/a', env: { VOXBRIDGE_MODELS_DIR: '/a' } }), [
      '/a',
      join(homedir(), '.cache', 'voxbridge', 'models'),
    ]);
  });
});

describe('resolveModelDir', () => {
  let root: string;
  const env = { XDG_CACHE_HOME: '/nonexistent-cache-for-tests' };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'voxbridge-resolve-'));
    const dir = join(root, 'local-voice');
    await mkdir(join(dir, 'espeak-ng-data'), { recursive: true });
    await writeFile(join(dir, 'voice.onnx'), 'x');
    await writeFile(join(dir, 'tokens.txt'), 'x');
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('finds a hand-made folder through --models-dir and through the environment', async () => {
    const catalog = [voice];
    assert.equal(
      await resolveModelDir('local-voice', { catalog, env, modelsDir: root }),
      join(root, 'local-voice'),
    );
    assert.equal(
      await resolveModelDir('local-voice', { catalog, env: { ...env, VOXBRIDGE_MODELS_DIR: root } }),
      join(root, 'local-voice'),
    );
    // An empty --models-dir does not hide a model that VOXBRIDGE_MODELS_DIR holds.
    assert.equal(
      await resolveModelDir('local-voice', {
        catalog,
        env: { ...env, VOXBRIDGE_MODELS_DIR: root },
        modelsDir: join(root, 'empty'),
      }),
      join(root, 'local-voice'),
    );
  });

  it('is undefined when a file is missing or a directory is a file', async () => {
    const catalog = [{ ...voice, files: [...voice.files, 'lexicon.txt'] }];
    assert.equal(await resolveModelDir('local-voice', { catalog, env, modelsDir: root }), undefined);
    assert.deepEqual(await missingModelFiles(join(root, 'local-voice'), catalog[0]!), ['lexicon.txt']);
    const fileAsDir = { ...voice, files: ['tokens.txt/'] };
    assert.deepEqual(await missingModelFiles(join(root, 'local-voice'), fileAsDir), ['tokens.txt/']);
  });

  it('requireModelDir says where it looked and how to pull the model', async () => {
    await assert.rejects(
      requireModelDir('local-voice', { catalog: [voice], env, modelsDir: join(root, 'empty') }),
      (err: unknown) =>
        err instanceof ModelError &&
        err.code === 'MODEL_NOT_INSTALLED' &&
        err.message.includes(join(root, 'empty')) &&
        err.message.includes('voxbridge models pull local-voice'),
    );
  });

  it('throws MODEL_UNKNOWN for a name outside the catalog', async () => {
    await assert.rejects(
      resolveModelDir('no-such-model', { env, modelsDir: root }),
      (err: unknown) => err instanceof ModelError && err.code === 'MODEL_UNKNOWN',
    );
  });

  it(
    'finds both Silero VAD versions in ../shared/models with the real catalog',
    {
      skip: existsSync(SHARED_MODELS) ? false : `no ${SHARED_MODELS}`,
    },
    async () => {
      assert.equal(
        await resolveModelDir('silero-vad', { env, modelsDir: SHARED_MODELS }),
        join(SHARED_MODELS, 'silero-vad'),
      );
      assert.equal(
        await resolveModelDir('silero-vad-v5', { env, modelsDir: SHARED_MODELS }),
        join(SHARED_MODELS, 'silero-vad'),
      );
      assert.equal(
        await resolveModelDir('vits-piper-en_US-amy-low', {
          catalog: MODEL_CATALOG,
          env,
          modelsDir: SHARED_MODELS,
        }),
        undefined,
      );
    },
  );
});
