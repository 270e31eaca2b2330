import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { modelsCommand } from '../../../src/cli/models-command.js';
import type { ModelEntry } from '../../../src/models/index.js';
import { ModelError } from '../../../src/models/index.js';
import { ModelServer, buildArchive, sha256 } from './model-server.js';

function capture(isTTY = false): { isTTY: boolean; text: string; write(t: string): boolean } {
  return {
    isTTY,
    text: '',
    write(t: string) {
      this.text += t;
      return true;
    },
  };
}

describe('voxbridge models (modelsCommand)', () => {
  const server = new ModelServer();
  let root: string;
  let catalog: ModelEntry[];
  const env = { XDG_CACHE_HOME: '/nonexistent-cache-for-tests' };

  async function run(args: string[], stdout = capture(), stderr = capture()): Promise<string> {
    const command = modelsCommand({ catalog, env, stdout, stderr, retryDelayMs: 0 }).exitOverride();
    await command.parseAsync(args, { from: 'user' });
    return stdout.text;
  }

  before(async () => {
    const archive = await buildArchive('cli-voice', 64 * 1024);
    await server.start();
    root = await mkdtemp(join(tmpdir(), 'voxbridge-cli-models-'));
    const base = {
      kind: 'tts' as const,
      description: 'voice for the CLI test',
      archive: 'tar.bz2' as const,
      files: ['model.onnx', 'tokens.txt'],
      sizeBytes: archive.length,
    };
    catalog = [
      { ...base, name: 'cli-voice', url: server.serve('/cli.tar.bz2', archive), sha256: sha256(archive) },
      { ...base, name: 'cli-unverified', url: server.serve('/u.tar.bz2', archive), sha256: undefined },
    ];
  });
  after(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('list shows the catalog with nothing installed', async () => {
    const text = await run(['list', '--models-dir', root]);
    const lines = text.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+KIND\s+SIZE\s+SHA256\s+INSTALLED$/);
    assert.match(lines[1] ?? '', /^cli-voice\s+tts\s+0\.\d MB\s+verified\s+-$/);
    assert.match(lines[2] ?? '', /^cli-unverified\s+tts\s+0\.\d MB\s+unknown\s+-$/);
  });

  it('path fails with MODEL_NOT_INSTALLED before pull', async () => {
    await assert.rejects(
      run(['path', 'cli-voice', '--models-dir', root]),
      (err: unknown) => err instanceof ModelError && err.code === 'MODEL_NOT_INSTALLED',
    );
  });

  it('pull installs, prints the folder and the verified hash, with progress lines on stderr', async () => {
    const stderr = capture(false);
    const text = await run(['pull', 'cli-voice', '--models-dir', root], capture(), stderr);
    assert.match(text, new RegExp(`^installed cli-voice in ${join(root, 'cli-voice')}\n`));
    assert.match(text, /sha256 [0-9a-f]{64} \(matches the catalog\)/);
    assert.match(stderr.text, /cli-voice: 100% /);
  });

  it('path and list see the installed model; pull again is a no-op', async () => {
    assert.equal(await run(['path', 'cli-voice', '--models-dir', root]), `${join(root, 'cli-voice')}\n`);
    const listed = JSON.parse(await run(['list', '--json', '--models-dir', root])) as {
      name: string;
      installedDir: string | null;
      sha256: string | null;
    }[];
    assert.equal(listed.find((m) => m.name === 'cli-voice')?.installedDir, join(root, 'cli-voice'));
    assert.equal(listed.find((m) => m.name === 'cli-unverified')?.sha256, null);
    const before = server.requests.length;
    assert.match(await run(['pull', 'cli-voice', '--models-dir', root]), /already installed/);
    assert.equal(server.requests.length, before);
  });

  it('VOXBRIDGE_MODELS_DIR is used without --models-dir', async () => {
    const stdout = capture();
    await modelsCommand({ catalog, env: { ...env, VOXBRIDGE_MODELS_DIR: root }, stdout })
      .exitOverride()
      .parseAsync(['path', 'cli-voice'], { from: 'user' });
    assert.equal(stdout.text, `${join(root, 'cli-voice')}\n`);
  });

  it('pull refuses an unverified model, and installs it with --allow-unverified', async () => {
    await assert.rejects(
      run(['pull', 'cli-unverified', '--models-dir', root]),
      (err: unknown) => err instanceof ModelError && err.code === 'CHECKSUM_UNKNOWN',
    );
    const stderr = capture();
    const text = await run(
      ['pull', 'cli-unverified', '--allow-unverified', '--models-dir', root],
      capture(),
      stderr,
    );
    assert.match(text, /sha256 [0-9a-f]{64} \(NOT verified/);
    assert.match(stderr.text, /src\/models\/catalog\.ts/);
  });

  it('pull draws a bar on a terminal', async () => {
    const stderr = capture(true);
    await run(['pull', 'cli-voice', '--force', '--models-dir', root], capture(), stderr);
    assert.ok(stderr.text.includes(`\r\u001b[Kcli-voice [${'#'.repeat(24)}] 100% `), stderr.text);
  });
});
