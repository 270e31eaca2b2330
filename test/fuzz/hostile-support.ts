/** Shared by the fuzz and hostile-peer tests: real peers and probes, loopback only. */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseMessage } from '../../src/sip/message/index.js';
import { freeUdpPort } from '../support/sipp/index.js';

setFlagsFromString('--expose-gc');
const gcNow = runInNewContext('gc') as () => void;

/** Heap plus buffers after two full collections: what the process actually retains. */
export function retainedBytes(): number {
  gcNow();
  gcNow();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/**
 * RFC 3261 §18.2.2 sends a response to a Via `maddr` when there is one, and a mutated message can
 * carry any maddr. The fuzzers never send such a message: every byte stays on loopback.
 */
export function staysOnLoopback(bytes: Uint8Array): boolean {
  return !Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .toLowerCase()
    .includes('maddr');
}

/** SIPp's built-in UAC placing `calls` calls of `holdMs` each; resolves with its exit code. */
export async function sippCalls(
  target: number,
  calls: number,
  holdMs: number,
  mediaPort: number,
  /** SIPp's SIP and media address (a loopback address other than the attacker's, when they differ). */
  localAddress = '127.0.0.1',
): Promise<{ code: number | null; out: string }> {
  const port = await freeUdpPort();
  const child = spawn(
    'sipp',
    [
      '-sn',
      'uac',
      '-i',
      localAddress,
      '-p',
      String(port),
      '-mi',
      localAddress,
      '-mp',
      String(mediaPort),
      '-m',
      String(calls),
      '-r',
      '2',
      '-d',
      String(holdMs),
      '-timeout',
      '120s',
      '-nostdin',
      '-trace_err',
      `127.0.0.1:${target}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, out: out.slice(-3000) };
}

/** One OPTIONS from 127.0.0.1; resolves with the status of the answer. */
export async function optionsStatus(port: number): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const local = socket.address().port;
  const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const request = [
    `OPTIONS sip:voxbridge@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-probe-${id}`,
    'Max-Forwards: 70',
    `From: <sip:probe@127.0.0.1>;tag=probe`,
    `To: <sip:voxbridge@127.0.0.1>`,
    `Call-ID: probe-${id}@127.0.0.1`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const reply = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer to OPTIONS')), 5000);
    socket.on('message', (bytes) => {
      clearTimeout(timer);
      const message = parseMessage(bytes);
      resolve(message.kind === 'response' ? message.status : 0);
    });
  });
  socket.send(request, port, '127.0.0.1');
  try {
    return await reply;
  } finally {
    socket.close();
  }
}

/** Polls until the predicate holds; rejects after timeoutMs. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
