import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WavFileWriter, encodeWav, parseWav } from '../../../../src/media/wav/index.js';
import { InvalidArgumentError } from '../../../../src/core/index.js';

const CHILD = fileURLToPath(new URL('./wav-writer-child.fixture.ts', import.meta.url));

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'voxbridge-wav-'));
}

test('a recording is 0600 whatever the umask, also when it replaces a readable file', async () => {
  const dir = tempDir();
  const previous = process.umask(0o000);
  try {
    const fresh = join(dir, 'fresh.wav');
    const existing = join(dir, 'existing.wav');
    writeFileSync(existing, 'old');
    chmodSync(existing, 0o644);
    for (const path of [fresh, existing]) {
      const writer = await WavFileWriter.open(path, { encoding: 'mulaw', sampleRateHz: 8000, channels: 1 });
      await writer.write(Uint8Array.of(1, 2, 3));
      await writer.close();
      assert.equal((statSync(path).mode & 0o777).toString(8), '600', path);
    }
  } finally {
    process.umask(previous);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a closed recording equals encodeWav of the same samples', async () => {
  const dir = tempDir();
  try {
    for (const format of [
      { encoding: 'pcm16', sampleRateHz: 16000, channels: 2 },
      { encoding: 'mulaw', sampleRateHz: 8000, channels: 1 },
      { encoding: 'alaw', sampleRateHz: 8000, channels: 1 },
    ] as const) {
      const path = join(dir, `${format.encoding}.wav`);
      const writer = await WavFileWriter.open(path, format, { patchIntervalMs: 0 });
      const parts =
        format.encoding === 'pcm16'
          ? [Int16Array.of(1, -1, 300, -300), Int16Array.of(32767, -32768)]
          : [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5)];
      for (const part of parts) await writer.write(part);
      const total = parts.reduce((sum, p) => sum + p.length, 0);
      assert.equal(writer.bytesWritten, total * (format.encoding === 'pcm16' ? 2 : 1));
      await writer.close();
      await writer.close();
      const all = format.encoding === 'pcm16' ? new Int16Array(total) : new Uint8Array(total);
      all.set(parts[0]!, 0);
      all.set(parts[1]!, parts[0]!.length);
      assert.deepEqual(new Uint8Array(readFileSync(path)), encodeWav(format, all));
      assert.equal(
        spawnSync('soxi', ['-s', path], { encoding: 'utf8' }).stdout.trim(),
        String(total / format.channels),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('write rejects the wrong container, partial frames and writes after close', async () => {
  const dir = tempDir();
  try {
    const writer = await WavFileWriter.open(join(dir, 'x.wav'), {
      encoding: 'pcm16',
      sampleRateHz: 8000,
      channels: 2,
    });
    await assert.rejects(writer.write(new Uint8Array(2)), InvalidArgumentError);
    await assert.rejects(writer.write(new Int16Array(3)), InvalidArgumentError);
    await writer.close();
    await assert.rejects(writer.write(new Int16Array(2)), InvalidArgumentError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const encoding of ['pcm16', 'mulaw'] as const) {
  test(`a ${encoding} recording killed with SIGKILL mid-call is still a playable file`, async () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'killed.wav');
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, encoding], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('child never became ready')), 20_000);
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('ready')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
      });
      const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');

      const bytes = new Uint8Array(readFileSync(path));
      const wav = parseWav(bytes);
      assert.equal(wav.format.encoding, encoding);
      // The header was patched at least once (on the first write), so it claims a real size; the
      // audio written after the last patch is on disk too, beyond what the header claims.
      const declared = new DataView(bytes.buffer).getUint32(wav.info.dataOffset - 4, true);
      assert.ok(declared >= 160, `declared ${declared}`);
      assert.equal(wav.info.dataLength, declared);
      assert.ok(bytes.length - wav.info.dataOffset >= declared);
      for (let i = 0; i < wav.samples.length; i++) {
        assert.equal(wav.samples[i], encoding === 'pcm16' ? (i % 256) * 7 : i % 256, `sample ${i}`);
      }
      const soxi = spawnSync('soxi', ['-s', path], { encoding: 'utf8' });
      assert.equal(soxi.status, 0, soxi.stderr);
      assert.equal(Number(soxi.stdout.trim()), wav.info.frameCount);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
