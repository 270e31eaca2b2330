import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { ModelEntry } from '../../../src/models/index.js';
import {
  MODEL_CATALOG,
  ModelError,
  findModel,
  pullModel,
  resolveModelDir,
} from '../../../src/models/index.js';
import { modelsCommand } from '../../../src/cli/models-command.js';
import { sharedFile } from '../../support/paths.js';
import { ModelServer, sha256 } from './model-server.js';

/**
 * `voxbridge models pull pocketsphinx-en-us-8k` against a loopback server that serves the real
 * model files from ../shared at the path layout of the upstream commit. The catalog entry is the
 * real one with only its base URL pointed at the server, so the checksums checked are the ones
 * that ship.
 */
const NAME = 'pocketsphinx-en-us-8k';
const UPSTREAM = findModel(NAME);
const FOLDER = '/cmusphinx/pocketsphinx/commit/model/hmm/en_US/hub4_wsj_ptm256_3s_8k.cd_ptm_5000/';

function isModelError(code: string): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof ModelError, `expected a ModelError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  };
}

describe('pull pocketsphinx-en-us-8k file by file', () => {
  const server = new ModelServer();
  const files = new Map<string, Buffer>();
  let root: string;
  let entry: ModelEntry;
  // Tests never see the developer's VOXBRIDGE_MODELS_DIR or cache.
  const env = {};

  before(async () => {
    await server.start();
    for (const part of UPSTREAM.parts ?? []) {
      const bytes = await readFile(sharedFile(`models/${NAME}/${part.path}`));
      files.set(part.path, bytes);
      server.serve(`${FOLDER}${part.path}`, bytes);
    }
    entry = { ...UPSTREAM, url: server.url(FOLDER) };
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'voxbridge-models-8k-'));
    server.requests.length = 0;
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('the catalog names the upstream commit and a checksum for each of the 7 model files', () => {
    assert.equal(UPSTREAM.archive, 'files');
    assert.match(UPSTREAM.url, /cmusphinx\/pocketsphinx\/1fbc5411632e917cc358eaa34bd3255d80e683ae\//);
    assert.deepEqual(
      (UPSTREAM.parts ?? []).map((p) => p.path),
      ['feat.params', 'mdef', 'means', 'noisedict', 'sendump', 'transition_matrices', 'variances'],
    );
    for (const part of UPSTREAM.parts ?? []) {
      const bytes = files.get(part.path);
      assert.ok(bytes !== undefined);
      assert.equal(sha256(bytes), part.sha256, part.path);
      assert.equal(bytes.length, part.sizeBytes, part.path);
    }
  });

  it('downloads every file, checks it, installs the folder and shows progress', async () => {
    const progress: string[] = [];
    const result = await pullModel(NAME, {
      catalog: [entry],
      env,
      modelsDir: root,
      progress: { write: (text: string) => progress.push(text) },
    });
    assert.equal(result.downloaded, true);
    assert.equal(result.verified, true);
    assert.equal(result.dir, join(root, NAME));
    for (const [path, bytes] of files) {
      assert.equal(sha256(await readFile(join(root, NAME, path))), sha256(bytes), path);
    }
    assert.equal(server.requests.length, 7);
    // No staging or part files are left beside the model.
    assert.deepEqual(await readdir(root), [NAME]);
    assert.ok(
      progress.some((line) => /^pocketsphinx-en-us-8k: 100% \(11\.0\/11\.0 MB/.test(line)),
      progress.join(''),
    );
    assert.equal(
      await resolveModelDir(NAME, { catalog: [entry], env, modelsDir: root, shippedDir: null }),
      join(root, NAME),
    );

    const again = await pullModel(NAME, { catalog: [entry], env, modelsDir: root });
    assert.equal(again.downloaded, false);
    assert.equal(server.requests.length, 7);
  });

  it('a corrupt file is a CHECKSUM_MISMATCH naming it; nothing is installed; a rerun fetches only that file', async () => {
    const means = files.get('means');
    assert.ok(means !== undefined);
    const corrupt = Buffer.from(means);
    corrupt[1000] = (corrupt[1000] ?? 0) ^ 0xff;
    server.serve(`${FOLDER}means`, corrupt);
    try {
      await assert.rejects(
        pullModel(NAME, { catalog: [entry], env, modelsDir: root }),
        (err: unknown) =>
          isModelError('CHECKSUM_MISMATCH')(err) &&
          /\/means is [0-9a-f]{64}, expected 5ecc5359/.test((err as Error).message),
      );
      await assert.rejects(stat(join(root, NAME)), { code: 'ENOENT' });
      assert.equal(
        await resolveModelDir(NAME, { catalog: [entry], env, modelsDir: root, shippedDir: null }),
        undefined,
      );
    } finally {
      server.serve(`${FOLDER}means`, means);
    }
    server.requests.length = 0;
    const result = await pullModel(NAME, { catalog: [entry], env, modelsDir: root });
    assert.equal(result.downloaded, true);
    // feat.params and mdef were verified before `means` failed; only the rest is fetched again.
    assert.deepEqual(
      server.requests.map((r) => r.path.slice(FOLDER.length)),
      ['means', 'noisedict', 'sendump', 'transition_matrices', 'variances'],
    );
    assert.equal(sha256(await readFile(join(root, NAME, 'means'))), sha256(means));
  });

  it('`voxbridge models pull` prints where it installed and that every file matched', async () => {
    const out: string[] = [];
    const err: string[] = [];
    await modelsCommand({
      catalog: [entry],
      env,
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
    }).parseAsync(['pull', NAME, '--models-dir', root], { from: 'user' });
    assert.equal(
      out.join(''),
      `installed ${NAME} in ${join(root, NAME)}\nsha256 of each of its 7 files matches the catalog\n`,
    );
    assert.ok(err.join('').includes('100%'));
  });
});

describe('resolving pocketsphinx-en-us-8k', () => {
  const env = { XDG_CACHE_HOME: '/nonexistent-cache-for-tests' };
  const shared = sharedFile('models');

  it('finds the copy shipped in the project when no models folder has one', async () => {
    const dir = await resolveModelDir(NAME, { env });
    assert.ok(dir !== undefined && dir.endsWith(`/models/${NAME}`), dir);
    for (const part of UPSTREAM.parts ?? []) {
      assert.equal(sha256(await readFile(join(dir, part.path))), part.sha256, `shipped ${part.path}`);
    }
  });

  it('prefers --models-dir (here ../shared/models) over the shipped copy', async () => {
    assert.equal(await resolveModelDir(NAME, { env, modelsDir: shared }), join(shared, NAME));
  });

  it('is not installed when neither a models folder nor a shipped copy has it', async () => {
    assert.equal(await resolveModelDir(NAME, { env, shippedDir: null }), undefined);
    assert.equal(await resolveModelDir(NAME, { env, shippedDir: '/nonexistent-shipped' }), undefined);
  });

  it('only shipped models are looked up in the project folder', () => {
    assert.deepEqual(
      MODEL_CATALOG.filter((e) => e.shipped).map((e) => e.name),
      [NAME],
    );
  });
});
