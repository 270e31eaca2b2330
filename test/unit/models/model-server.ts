/**
 * A loopback HTTP server for the model download tests: serves assets by path, honours (or, when
 * told, ignores) Range requests, can cut the connection after a number of bytes, and records what
 * every request asked for.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServedRequest {
  readonly path: string;
  readonly range: string | undefined;
  readonly status: number;
}

export interface AssetBehaviour {
  /** Cut the connection after this many body bytes on the first N requests (default 1). */
  cutAfterBytes?: number;
  cutRequests?: number;
  ignoreRange?: boolean;
}

export class ModelServer {
  readonly requests: ServedRequest[] = [];
  private readonly assets = new Map<string, { bytes: Buffer; behaviour: AssetBehaviour; served: number }>();
  private server: Server | undefined;
  private port = 0;

  serve(path: string, bytes: Buffer, behaviour: AssetBehaviour = {}): string {
    this.assets.set(path, { bytes, behaviour, served: 0 });
    return this.url(path);
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const path = req.url ?? '/';
      const range = req.headers.range;
      const asset = this.assets.get(path);
      const record = (status: number): void => {
        this.requests.push({ path, range, status });
      };
      if (!asset) {
        record(404);
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      asset.served++;
      const { bytes, behaviour } = asset;
      let start = 0;
      const match = /^bytes=(\d+)-$/.exec(range ?? '');
      if (match && !behaviour.ignoreRange) {
        start = Number(match[1]);
        if (start >= bytes.length) {
          record(416);
          res.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
          return;
        }
        record(206);
        res.writeHead(206, {
          'content-length': bytes.length - start,
          'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}`,
        });
      } else {
        record(200);
        res.writeHead(200, { 'content-length': bytes.length, 'accept-ranges': 'bytes' });
      }
      const body = bytes.subarray(start);
      const cut = behaviour.cutAfterBytes;
      if (cut !== undefined && asset.served <= (behaviour.cutRequests ?? 1)) {
        // Send part of the body, then drop the TCP connection as a flaky network would.
        res.write(body.subarray(0, cut), () => {
          setTimeout(() => res.socket?.destroy(), 20);
        });
        return;
      }
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  }
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Builds a real `.tar.bz2` with the system tar: `<top>/model.onnx` (random, so bzip2 cannot shrink
 * it and the download is long enough to cut), `<top>/tokens.txt` and `<top>/data/voice.bin`.
 */
export async function buildArchive(top = 'test-model', onnxBytes = 256 * 1024): Promise<Buffer> {
  const work = await mkdtemp(join(tmpdir(), 'voxbridge-archive-'));
  const dir = join(work, top);
  await mkdir(join(dir, 'data'), { recursive: true });
  await writeFile(join(dir, 'model.onnx'), randomBytes(onnxBytes));
  await writeFile(join(dir, 'tokens.txt'), 'a 1\nb 2\n');
  await writeFile(join(dir, 'data', 'voice.bin'), randomBytes(1024));
  const archive = join(work, 'model.tar.bz2');
  execFileSync('tar', ['-cjf', archive, '-C', work, top]);
  try {
    return await readFile(archive);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
