import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { ModelEntry } from '../../../src/models/index.js';
import { ModelError, pullModel } from '../../../src/models/index.js';
import { ModelServer, buildArchive, sha256 } from './model-server.js';

const FILES = ['model.onnx', 'tokens.txt', 'data/'];

function isModelError(code: string): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof ModelError, `expected a ModelError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

describe('pullModel against a loopback HTTP server', () => {
  const server = new ModelServer();
  let archive: Buffer;
  let root: string;
  // Tests never see the developer's VOXBRIDGE_MODELS_DIR or cache.
  const env = {};

  function entry(overrides: Partial<ModelEntry> & { path: string }): ModelEntry {
    const { path, ...rest } = overrides;
    return {
      name: 'test-model',
      kind: 'tts',
      description: 'test archive',
      url: server.url(path),
      sha256: sha256(archive),
      sizeBytes: archive.length,
      archive: 'tar.bz2',
      files: FILES,
      ...rest,
    };
  }

  before(async () => {
    archive = await buildArchive();
    await server.start();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'voxbridge-models-'));
    server.requests.length = 0;
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('downloads, verifies, extracts and installs the expected files', async () => {
    server.serve('/ok.tar.bz2', archive);
    const catalog = [entry({ path: '/ok.tar.bz2' })];
    const result = await pullModel('test-model', { catalog, env, modelsDir: root });
    assert.equal(result.dir, join(root, 'test-model'));
    assert.equal(result.downloaded, true);
    assert.equal(result.verified, true);
    assert.equal(result.sha256, sha256(archive));
    assert.equal(await readFile(join(root, 'test-model', 'tokens.txt'), 'utf8'), 'a 1\nb 2\n');
    assert.equal((await stat(join(root, 'test-model', 'model.onnx'))).size, 256 * 1024);
    assert.ok((await stat(join(root, 'test-model', 'data'))).isDirectory());
    // No .part file and no scratch folder are left beside the model.
    assert.deepEqual(await readdir(root), ['test-model']);
    assert.deepEqual(
      server.requests.map((r) => r.range),
      [undefined],
    );
  });

  it('does nothing when the model is already installed, unless forced', async () => {
    server.serve('/again.tar.bz2', archive);
    const catalog = [entry({ path: '/again.tar.bz2' })];
    await pullModel('test-model', { catalog, env, modelsDir: root });
    const second = await pullModel('test-model', { catalog, env, modelsDir: root });
    assert.equal(second.downloaded, false);
    assert.equal(server.requests.length, 1);
    await writeFile(join(root, 'test-model', 'stale.txt'), 'from the old install');
    const forced = await pullModel('test-model', { catalog, env, modelsDir: root, force: true });
    assert.equal(forced.downloaded, true);
    assert.equal(server.requests.length, 2);
    assert.equal(await exists(join(root, 'test-model', 'stale.txt')), false);
    assert.deepEqual(await readdir(root), ['test-model']);
  });

  it('installs a single .onnx asset into its (shared) folder', async () => {
    const onnx = Buffer.from('not really onnx, but bytes with a known hash');
    server.serve('/vad.onnx', onnx);
    const catalog: ModelEntry[] = [
      {
        ...entry({ path: '/vad.onnx' }),
        name: 'test-vad',
        kind: 'vad',
        archive: 'onnx',
        dir: 'vad-shared',
        sha256: sha256(onnx),
        sizeBytes: onnx.length,
        files: ['vad.onnx'],
      },
    ];
    const result = await pullModel('test-vad', { catalog, env, modelsDir: root });
    assert.equal(result.dir, join(root, 'vad-shared'));
    assert.deepEqual(await readFile(join(root, 'vad-shared', 'vad.onnx')), onnx);
    assert.deepEqual(await readdir(root), ['vad-shared']);
  });

  it('rejects a checksum mismatch, installs nothing and deletes the .part file', async () => {
    server.serve('/bad.tar.bz2', archive);
    const wrong = 'f'.repeat(64);
    const catalog = [entry({ path: '/bad.tar.bz2', sha256: wrong })];
    await assert.rejects(pullModel('test-model', { catalog, env, modelsDir: root }), (err: unknown) => {
      isModelError('CHECKSUM_MISMATCH')(err);
      const message = (err as Error).message;
      assert.match(message, new RegExp(wrong));
      assert.match(message, new RegExp(sha256(archive)));
      return true;
    });
    assert.deepEqual(await readdir(root), []);
  });

  it('resumes an interrupted download with a Range request on the next run', async () => {
    const cut = 100_000;
    server.serve('/cut.tar.bz2', archive, { cutAfterBytes: cut });
    const catalog = [entry({ path: '/cut.tar.bz2' })];
    await assert.rejects(
      pullModel('test-model', { catalog, env, modelsDir: root, retries: 0 }),
      isModelError('DOWNLOAD_INTERRUPTED'),
    );
    const partBytes = (await stat(join(root, 'test-model.part'))).size;
    assert.ok(partBytes > 0 && partBytes <= cut, `${partBytes} bytes kept`);
    assert.equal(await exists(join(root, 'test-model')), false);

    const result = await pullModel('test-model', { catalog, env, modelsDir: root });
    assert.equal(result.sha256, sha256(archive));
    assert.deepEqual(
      server.requests.map((r) => [r.range, r.status]),
      [
        [undefined, 200],
        [`bytes=${partBytes}-`, 206],
      ],
    );
    assert.deepEqual(await readdir(root), ['test-model']);
  });

  it('resumes by itself within one run when retries are allowed', async () => {
    server.serve('/flaky.tar.bz2', archive, { cutAfterBytes: 60_000, cutRequests: 2 });
    const catalog = [entry({ path: '/flaky.tar.bz2' })];
    const result = await pullModel('test-model', {
      catalog,
      env,
      modelsDir: root,
      retries: 2,
      retryDelayMs: 0,
    });
    assert.equal(result.sha256, sha256(archive));
    assert.equal(server.requests.length, 3);
    assert.equal(server.requests[0]?.range, undefined);
    assert.match(server.requests[1]?.range ?? '', /^bytes=\d+-$/);
    assert.match(server.requests[2]?.range ?? '', /^bytes=\d+-$/);
  });

  it('starts over when the server ignores Range (200 instead of 206) and still verifies', async () => {
    server.serve('/norange.tar.bz2', archive, { ignoreRange: true });
    const catalog = [entry({ path: '/norange.tar.bz2' })];
    // A prefix that does not even match the asset: appending to it would corrupt the file.
    await writeFile(join(root, 'test-model.part'), Buffer.alloc(5000, 0x55));
    const result = await pullModel('test-model', { catalog, env, modelsDir: root });
    assert.equal(result.sha256, sha256(archive));
    assert.equal(result.sizeBytes, archive.length);
    assert.deepEqual(
      server.requests.map((r) => [r.range, r.status]),
      [['bytes=5000-', 200]],
    );
    assert.deepEqual(await readdir(root), ['test-model']);
  });

  it('recognizes a complete .part file from a 416 answer when the size is unknown', async () => {
    server.serve('/done.tar.bz2', archive);
    const catalog = [entry({ path: '/done.tar.bz2', sizeBytes: undefined })];
    await writeFile(join(root, 'test-model.part'), archive);
    const result = await pullModel('test-model', { catalog, env, modelsDir: root });
    assert.equal(result.sha256, sha256(archive));
    assert.deepEqual(
      server.requests.map((r) => r.status),
      [416],
    );
  });

  it('skips the request when the .part file already has the catalog size', async () => {
    server.serve('/sized.tar.bz2', archive);
    const catalog = [entry({ path: '/sized.tar.bz2' })];
    await writeFile(join(root, 'test-model.part'), archive);
    const result = await pullModel('test-model', { catalog, env, modelsDir: root });
    assert.equal(result.sha256, sha256(archive));
    assert.equal(server.requests.length, 0);
  });

  it('reports HTTP 404 clearly and installs nothing', async () => {
    const catalog = [entry({ path: '/missing.tar.bz2' })];
    await assert.rejects(pullModel('test-model', { catalog, env, modelsDir: root }), (err: unknown) => {
      isModelError('DOWNLOAD_FAILED')(err);
      assert.match(
        (err as Error).message,
        /HTTP 404 Not Found from http:\/\/127\.0\.0\.1:\d+\/missing\.tar\.bz2/,
      );
      return true;
    });
    assert.deepEqual(await readdir(root), []);
  });

  it('reports an unreachable server as DOWNLOAD_FAILED', async () => {
    // Port 9 (discard) on loopback is closed on any sane test machine: the connection is refused.
    const catalog = [{ ...entry({ path: '/x' }), url: 'http://127.0.0.1:9/x.tar.bz2' }];
    await assert.rejects(
      pullModel('test-model', { catalog, env, modelsDir: root }),
      isModelError('DOWNLOAD_FAILED'),
    );
  });

  it('refuses an archive without the expected files and installs nothing', async () => {
    server.serve('/incomplete.tar.bz2', archive);
    const catalog = [entry({ path: '/incomplete.tar.bz2', files: [...FILES, 'lexicon.txt'] })];
    await assert.rejects(pullModel('test-model', { catalog, env, modelsDir: root }), (err: unknown) => {
      isModelError('MODEL_INCOMPLETE')(err);
      assert.match((err as Error).message, /lexicon\.txt/);
      return true;
    });
    assert.deepEqual(await readdir(root), []);
  });

  it('refuses an entry without a checksum before downloading anything', async () => {
    server.serve('/unverified.tar.bz2', archive);
    const catalog = [entry({ path: '/unverified.tar.bz2', sha256: undefined })];
    await assert.rejects(
      pullModel('test-model', { catalog, env, modelsDir: root }),
      (err: unknown) =>
        isModelError('CHECKSUM_UNKNOWN')(err) && /--allow-unverified/.test((err as Error).message),
    );
    assert.equal(server.requests.length, 0);
    assert.deepEqual(await readdir(root), []);
  });

  it('installs an entry without a checksum with allowUnverified and reports the hash', async () => {
    server.serve('/unverified2.tar.bz2', archive);
    const catalog = [entry({ path: '/unverified2.tar.bz2', sha256: undefined })];
    const result = await pullModel('test-model', { catalog, env, modelsDir: root, allowUnverified: true });
    assert.equal(result.verified, false);
    assert.equal(result.sha256, sha256(archive));
    assert.ok((await stat(join(root, 'test-model', 'model.onnx'))).isFile());
  });

  it('reports a missing tar as TOOL_MISSING', async () => {
    server.serve('/notar.tar.bz2', archive);
    const catalog = [entry({ path: '/notar.tar.bz2' })];
    await assert.rejects(
      pullModel('test-model', { catalog, env, modelsDir: root, tarCommand: join(root, 'no-such-tar') }),
      (err: unknown) =>
        isModelError('TOOL_MISSING')(err) && /apt-get install tar bzip2/.test((err as Error).message),
    );
    assert.deepEqual(await readdir(root), []);
  });

  it('reports a missing bzip2 as TOOL_MISSING naming bzip2', async () => {
    server.serve('/nobzip2.tar.bz2', archive);
    const catalog = [entry({ path: '/nobzip2.tar.bz2' })];
    // A PATH that has tar but no bzip2, as on a minimal container image.
    const bin = await mkdtemp(join(tmpdir(), 'voxbridge-bin-'));
    await symlink(
      execFileSync('sh', ['-c', 'command -v tar'], { encoding: 'utf8' }).trim(),
      join(bin, 'tar'),
    );
    try {
      await assert.rejects(
        pullModel('test-model', {
          catalog,
          env,
          modelsDir: root,
          tarCommand: join(bin, 'tar'),
          toolEnv: { PATH: bin },
        }),
        (err: unknown) =>
          isModelError('TOOL_MISSING')(err) && /bzip2 is not installed/.test((err as Error).message),
      );
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
    assert.deepEqual(await readdir(root), []);
  });

  it('reports a corrupt archive with a matching checksum as EXTRACT_FAILED', async () => {
    const junk = Buffer.from('this is not a bzip2 stream');
    server.serve('/junk.tar.bz2', junk);
    const catalog = [entry({ path: '/junk.tar.bz2', sha256: sha256(junk), sizeBytes: junk.length })];
    await assert.rejects(
      pullModel('test-model', { catalog, env, modelsDir: root }),
      isModelError('EXTRACT_FAILED'),
    );
    assert.deepEqual(await readdir(root), []);
  });

  it('names the known models when asked for an unknown one', async () => {
    const catalog = [entry({ path: '/ok.tar.bz2' })];
    await assert.rejects(
      pullModel('nope', { catalog, env, modelsDir: root }),
      (err: unknown) => isModelError('MODEL_UNKNOWN')(err) && /test-model/.test((err as Error).message),
    );
  });

  it('creates the models folder when it does not exist yet', async () => {
    server.serve('/fresh.tar.bz2', archive);
    const catalog = [entry({ path: '/fresh.tar.bz2' })];
    const nested = join(root, 'a', 'b');
    const result = await pullModel('test-model', { catalog, env, modelsDir: nested });
    assert.equal(result.dir, join(nested, 'test-model'));
  });
});
