import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { parseMessage, serializeMessage } from '../../src/sip/message/index.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import { rtpRangeForTest, startGatewayProcess } from '../support/gateway-process.js';
import { createRng, loadSipCorpus, mutateMessage } from './sip-mutator.js';

const MESSAGES = 100_000;
const SEED = Number(process.env['VOXBRIDGE_FUZZ_SEED'] ?? 20261123);

function freeUdpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** SIPp's built-in UAC placing `calls` calls of `holdMs` each while the fuzzer runs. */
async function sippCalls(
  target: number,
  calls: number,
  holdMs: number,
): Promise<{ code: number | null; out: string }> {
  const port = await freeUdpPort();
  const mediaPort = 40000 + (process.pid % 1000) * 4;
  const child = spawn(
    'sipp',
    [
      '-sn',
      'uac',
      '-i',
      '127.0.0.1',
      '-p',
      String(port),
      '-mi',
      '127.0.0.1',
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

async function options(port: number): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const local = socket.address().port;
  const request = [
    `OPTIONS sip:voxbridge@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-fuzz-options-${Date.now()}`,
    'Max-Forwards: 70',
    `From: <sip:probe@127.0.0.1>;tag=probe`,
    `To: <sip:voxbridge@127.0.0.1>`,
    `Call-ID: fuzz-options-${Date.now()}@127.0.0.1`,
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

describe('fuzz: 100,000 mutated SIP messages over UDP while calls run', () => {
  let gateway: GatewayProcess;

  before(async () => {
    gateway = await startGatewayProcess(['--stt', 'none', '--rtp-ports', rtpRangeForTest()]);
  });

  after(async () => {
    await gateway?.stop('SIGKILL');
  });

  it(
    'never crashes, keeps serving calls and OPTIONS, and memory stays flat',
    { timeout: 300_000 },
    async () => {
      const corpus = loadSipCorpus();
      assert.ok(corpus.length >= 40, `corpus has ${corpus.length} messages`);
      // The corpus itself must be real SIP: most seeds parse and re-serialize.
      const parsed = corpus.filter((bytes) => {
        try {
          serializeMessage(parseMessage(bytes));
          return true;
        } catch {
          return false;
        }
      });
      assert.ok(parsed.length >= corpus.length / 2);

      const calls = sippCalls(gateway.sipPort, 20, 4000);
      const rng = createRng(SEED);
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      let answers = 0;
      socket.on('message', () => answers++);
      let rssAfterWarmup = 0;
      for (let i = 0; i < MESSAGES; i++) {
        socket.send(mutateMessage(corpus, rng), gateway.sipPort, '127.0.0.1');
        // Pace the sender (about 10k messages/s) so the kernel queue does not drop most of them
        // and the gateway actually parses what we send.
        if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 10));
        if (i === 20_000) rssAfterWarmup = gateway.rssBytes();
        assert.equal(
          gateway.child.exitCode,
          null,
          `gateway exited after ${i} messages:\n${gateway.stderr()}`,
        );
      }
      socket.close();
      const result = await calls;
      assert.equal(result.code, 0, `SIPp calls failed during fuzzing:\n${result.out}`);
      assert.equal(await options(gateway.sipPort), 200);
      const rssEnd = gateway.rssBytes();
      const growthMb = (rssEnd - rssAfterWarmup) / 2 ** 20;
      console.log(
        `fuzz seed ${SEED}: ${MESSAGES} messages, ${answers} responses, RSS ${(rssAfterWarmup / 2 ** 20).toFixed(1)} → ${(rssEnd / 2 ** 20).toFixed(1)} MB`,
      );
      assert.ok(answers > 1000, `the gateway answered only ${answers} of ${MESSAGES} messages`);
      assert.ok(growthMb < 40, `RSS grew ${growthMb.toFixed(1)} MB between 20k and 100k messages`);
      assert.equal(gateway.child.exitCode, null);
    },
  );
});
