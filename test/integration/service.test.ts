/**
 * `voxbridge start` as a user runs it: SIPp calls in, events out over the WebSocket, REST, signed
 * webhooks and /metrics; 401 without a key; no answer to SIP from outside the allowlist; nothing
 * lost across a kill -9.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { get as httpsGet } from 'node:https';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { CallDetail, SequencedEvent } from '../../src/api/index.js';
import { verifyWebhookSignature } from '../../src/webhooks/index.js';
import { ROOT, sharedFile } from '../support/paths.js';
import { CLI } from '../support/run.js';
import type { ServiceProcess } from '../support/service-process.js';
import { startServiceProcess } from '../support/service-process.js';
import {
  runSipp,
  sendSipDatagrams,
  sipOptionsRequest,
  sippScenario,
  wavToG711,
  writeRtpPcap,
} from '../support/sipp/index.js';
import type { SippResult } from '../support/sipp/index.js';

const KEY = 'service-test-key';
const SECRET = 'webhook-secret-0123456789';
const auth = { authorization: `Bearer ${KEY}` };

interface Received {
  readonly event: string;
  readonly body: string;
  readonly valid: boolean;
}

function startReceiver(): Promise<{ server: Server; port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const valid = verifyWebhookSignature(
        SECRET,
        String(req.headers['x-voxbridge-timestamp']),
        body,
        String(req.headers['x-voxbridge-signature']),
      );
      received.push({ event: String(req.headers['x-voxbridge-event']), body, valid });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port, received }),
    ),
  );
}

function connect(
  service: ServiceProcess,
  token: string | undefined,
  sinceSeq?: number,
): Promise<{ socket: WebSocket; events: SequencedEvent[] }> {
  const url = `ws://127.0.0.1:${service.httpPort}/v1/events${token === undefined ? '' : `?token=${token}`}`;
  const socket = new WebSocket(url);
  const events: SequencedEvent[] = [];
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as SequencedEvent | { type: 'subscribed' };
    if (message.type !== 'subscribed' && 'seq' in message) events.push(message);
  });
  return new Promise((resolve, reject) => {
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'subscribe', ...(sinceSeq === undefined ? {} : { sinceSeq }) }));
      resolve({ socket, events });
    });
    socket.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.on('error', reject);
  });
}

/** The JSON lines pino wrote on stderr (the banner's plain lines are skipped). */
function logLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A one-stream µ-law pcap of a LibriSpeech file, with `silenceMs` of µ-law silence after it: an
 * utterance that runs to the end of the file is only ended by the VAD when silence follows (after
 * the pcap, SIPp holds the call without sending RTP).
 */
function callPcap(dir: string, file: string, silenceMs = 0): { pcap: string; durationMs: number } {
  const pcap = join(dir, `${file}-${silenceMs}.pcap`);
  const speech = wavToG711(sharedFile(`audio/librispeech/${file}`), 'mulaw');
  const payload = new Uint8Array(speech.length + silenceMs * 8).fill(0xff);
  payload.set(speech);
  const summary = writeRtpPcap(pcap, {
    streams: [
      {
        payload,
        payloadType: 0,
        dstPortOffset: 0,
      },
    ],
  });
  return { pcap, durationMs: summary.durationMs };
}

function call(
  service: ServiceProcess,
  pcap: { pcap: string; durationMs: number },
  holdAfterMs = 2000,
  signal?: AbortSignal,
): Promise<SippResult> {
  return runSipp({
    scenario: sippScenario('uac-pcmu'),
    target: `127.0.0.1:${service.sipPort}`,
    keys: { codec: 'PCMU', pt: '0', pcap: pcap.pcap },
    variables: { hold_ms: String(pcap.durationMs + holdAfterMs) },
    timeoutMs: 90_000,
    ...(signal === undefined ? {} : { signal }),
  });
}

describe('voxbridge start: the gateway service', () => {
  let work: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let service: ServiceProcess | undefined;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'voxbridge-service-'));
    receiver = await startReceiver();
  });

  after(async () => {
    await service?.stop('SIGKILL');
    receiver?.server.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const start = async (): Promise<ServiceProcess> =>
    // Debug level: finals are logged too, so the redaction assertions below see real log lines.
    startServiceProcess(
      [
        '--data-dir',
        join(work, 'data'),
        '--rtp-ports',
        '29400-29599',
        '--log-level',
        'debug',
        // Not an admission test: a fixed limit, not one derived from a speed measured under load.
        '--max-recognizer-streams',
        '8',
      ],
      {
        VOXBRIDGE_API_KEYS: KEY,
        VOXBRIDGE_WEBHOOKS: JSON.stringify([
          { url: `http://127.0.0.1:${receiver.port}/hook`, secret: SECRET },
        ]),
      },
    );

  it('refuses every API route without a key and serves health, readiness and OpenAPI', async () => {
    service = await start();
    const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
      fetch(`${service!.baseUrl}${path}`, { headers });
    for (const path of ['/v1/calls', '/v1/calls/x', '/v1/calls/x/transcript', '/metrics', '/v1/tts/cache']) {
      assert.equal((await get(path)).status, 401, path);
      assert.equal((await get(path, { authorization: 'Bearer wrong' })).status, 401, path);
    }
    await assert.rejects(connect(service, undefined), /HTTP 401/);
    await assert.rejects(connect(service, 'wrong'), /HTTP 401/);
    assert.equal((await get('/healthz')).status, 200);
    assert.equal((await get('/readyz')).status, 200);
    const cache = await get('/v1/tts/cache', auth);
    assert.equal(cache.status, 200);
    assert.equal(((await cache.json()) as { entries: number }).entries, 0);
    assert.equal(
      (await fetch(`${service.baseUrl}/v1/tts/cache`, { method: 'DELETE', headers: auth })).status,
      200,
    );
    const openapi = (await (await get('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    assert.match(openapi.openapi, /^3\./);
    for (const path of [
      '/v1/calls',
      '/v1/calls/{id}',
      '/v1/calls/{id}/transcript',
      '/v1/calls/{id}/hangup',
      '/healthz',
      '/readyz',
      '/metrics',
    ]) {
      assert.ok(path in openapi.paths, `${path} missing from ${Object.keys(openapi.paths).join(', ')}`);
    }
  });

  it('streams a SIPp call live over the WebSocket, stores it, signs webhooks and counts it in /metrics', async () => {
    const { socket, events } = await connect(service!, KEY);
    const result = await call(service!, callPcap(work, '0.wav'));
    assert.equal(result.exitCode, 0, result.errors);
    const ended = await until('call.ended', () => events.find((e) => e.type === 'call.ended'), 15_000);
    socket.close();
    const types = events.filter((e) => e.callId === ended.callId).map((e) => e.type);
    assert.equal(types[0], 'call.started');
    assert.ok(types.includes('transcript.partial'));
    assert.ok(types.includes('transcript.final'));
    const seqs = events.map((e) => e.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      'seq increases',
    );
    assert.equal(new Set(seqs).size, seqs.length);

    const detail = (await (
      await fetch(`${service!.baseUrl}/v1/calls/${ended.callId}`, { headers: auth })
    ).json()) as CallDetail;
    assert.equal(detail.sipCallId, `1-${result.pid}@127.0.0.1`);
    assert.equal(detail.legs[0]?.role, 'caller');
    assert.match(detail.from ?? '', /^sip:\+15551230001@127\.0\.0\.1/);
    assert.match(detail.to ?? '', /^sip:.*@127\.0\.0\.1/);
    assert.match(detail.transcript.map((s) => s.text).join(' '), /squalid quarter/);
    const text = await (
      await fetch(`${service!.baseUrl}/v1/calls/${ended.callId}/transcript?format=text`, { headers: auth })
    ).text();
    assert.match(text, /caller: .*brothels/);
    const search = (await (
      await fetch(`${service!.baseUrl}/v1/calls?q=brothels`, { headers: auth })
    ).json()) as { calls: { id: string }[] };
    assert.deepEqual(
      search.calls.map((c) => c.id),
      [ended.callId],
    );

    const hooks = await until(
      'webhooks',
      () => (receiver.received.some((r) => r.event === 'call.ended') ? receiver.received : undefined),
      15_000,
    );
    assert.ok(
      hooks.every((h) => h.valid),
      'every webhook signature verifies',
    );
    assert.deepEqual(
      [...new Set(hooks.map((h) => h.event))].sort(),
      ['call.ended', 'call.started', 'transcript.final'],
      'no partials by default',
    );
    const metrics = await (await fetch(`${service!.baseUrl}/metrics`, { headers: auth })).text();
    assert.match(metrics, /^voxbridge_final_latency_seconds_count [1-9]/m);
    assert.match(metrics, /^voxbridge_events_total\{type="transcript.final"\} [1-9]/m);
    assert.match(metrics, /^voxbridge_recognizer_rtf_count [1-9]/m);
    assert.match(metrics, /^voxbridge_rtp_packets_received_total [1-9]/m);
    // The service logs the call (number, transcript) through its real path, and the logger
    // redacts those fields: the keys are there, the values never.
    const lines = logLines(service!.stderr()).filter((line) => line['callId'] === ended.callId);
    const startedLine = lines.find((line) => line['msg'] === 'call started');
    assert.equal(startedLine?.['from'], '[REDACTED]');
    assert.equal(startedLine?.['to'], '[REDACTED]');
    const finalLines = lines.filter((line) => line['msg'] === 'transcript final');
    assert.ok(finalLines.length >= 1, 'finals are logged at debug');
    assert.ok(finalLines.every((line) => line['text'] === '[REDACTED]'));
    assert.doesNotMatch(service!.stderr(), /squalid|brothels|15551230001/);
  });

  it('loses no emitted final across kill -9; a client resuming with its last seq gets exactly what it missed', async () => {
    const { socket, events } = await connect(service!, KEY);
    // 1.wav (16.7 s) gives two finals (0.2–13.2 s and 13.5–16.7 s): the client sees the first,
    // then goes away. The second runs to the end of the file, so silence follows it in the pcap.
    // SIPp stays on the line long after the audio, so the kill always lands mid-call however
    // late the finals come on a loaded machine.
    const stopSipp = new AbortController();
    const running = call(service!, callPcap(work, '1.wav', 3000), 60_000, stopSipp.signal);
    const firstFinal = await until(
      'a final',
      () => events.find((e) => e.type === 'transcript.final'),
      30_000,
    );
    socket.close();
    await new Promise((resolve) => socket.once('close', resolve));
    const seen = events.filter((e) => e.callId === firstFinal.callId && e.type !== 'transcript.partial');
    const lastSeen = Math.max(...events.map((e) => e.seq));
    // Finals go on being stored while the client is away: wait until at least one it never saw.
    const storedFinals = async (): Promise<number[]> => {
      const detail = (await (
        await fetch(`${service!.baseUrl}/v1/calls/${firstFinal.callId}`, { headers: auth })
      ).json()) as CallDetail;
      return detail.transcript.map((s) => s.seq);
    };
    let stored: number[] = [];
    // SIPp holds the call 60 s: on a loaded machine the next final can come late.
    const deadline = Date.now() + 50_000;
    while (!stored.some((seq) => seq > lastSeen)) {
      assert.ok(Date.now() < deadline, 'no final arrived while the client was away');
      await new Promise((resolve) => setTimeout(resolve, 200));
      stored = await storedFinals();
    }
    service!.child.kill('SIGKILL');
    await service!.exited;
    stopSipp.abort(); // the gateway is gone: nobody would answer SIPp's BYE
    await running;

    service = await start();
    const detail = (await (
      await fetch(`${service.baseUrl}/v1/calls/${firstFinal.callId}`, { headers: auth })
    ).json()) as CallDetail;
    const afterRestart = new Set(detail.transcript.map((s) => s.seq));
    for (const seq of stored) assert.ok(afterRestart.has(seq), `final ${seq} lost`);
    for (const event of seen) {
      if (event.type === 'transcript.final')
        assert.ok(afterRestart.has(event.seq), `final ${event.seq} lost`);
    }
    assert.equal(detail.endReason, 'restart');

    // Resume from the last seq the client saw: exactly the finals stored after it, in order,
    // then the call.ended the restart wrote; nothing already seen, no partials.
    const missed = detail.transcript.map((s) => s.seq).filter((seq) => seq > lastSeen);
    assert.ok(missed.length >= 1);
    const resumed = await connect(service, KEY, lastSeen);
    const endedEvent = await until(
      'the replayed call.ended',
      () => resumed.events.find((e) => e.type === 'call.ended' && e.callId === firstFinal.callId),
      10_000,
    );
    resumed.socket.close();
    const replayed = resumed.events.filter((e) => e.callId === firstFinal.callId);
    assert.deepEqual(
      replayed.filter((e) => e.type === 'transcript.final').map((e) => e.seq),
      missed,
    );
    assert.ok(resumed.events.every((e) => e.seq > lastSeen && e.type !== 'transcript.partial'));
    const seqs = resumed.events.map((e) => e.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    assert.equal(endedEvent.type === 'call.ended' ? endedEvent.reason : undefined, 'restart');
  });

  it('/metrics counts the legs of two concurrent calls apart (both are leg-1)', async () => {
    const gateway = await startServiceProcess(
      ['--data-dir', join(work, 'metrics'), '--rtp-ports', '29900-29949', '--stt', 'none'],
      { VOXBRIDGE_API_KEYS: KEY },
    );
    const metric = async (name: string): Promise<number> => {
      const text = await (await fetch(`${gateway.baseUrl}/metrics`, { headers: auth })).text();
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    };
    try {
      // A short call and a long one overlap; the long one goes on after the short one ends.
      const short = call(gateway, callPcap(work, '0.wav'));
      const long = call(gateway, callPcap(work, '1.wav'));
      let legs = Number.NaN;
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        if ((await metric('voxbridge_active_calls')) === 2) {
          legs = await metric('voxbridge_active_legs');
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(legs, 2, 'two calls, two legs');
      assert.equal((await short).exitCode, 0);
      const afterShort = await metric('voxbridge_rtp_packets_received_total');
      // SIPp exits on the BYE's 200; call.ended may be a moment behind.
      let liveLegs = await metric('voxbridge_active_legs');
      for (let tries = 0; liveLegs !== 1 && tries < 25; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        liveLegs = await metric('voxbridge_active_legs');
      }
      assert.equal(liveLegs, 1, 'the long call is still live');
      assert.equal((await long).exitCode, 0);
      // The long call's leg kept being sampled after the short call (also leg-1) ended.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.ok((await metric('voxbridge_rtp_packets_received_total')) > afterShort);
    } finally {
      await gateway.stop();
    }
  });

  it('logs the caller number in clear only when log.redact is off (the redaction test can fail)', async () => {
    const open = await startServiceProcess(
      [
        '--data-dir',
        join(work, 'open-logs'),
        '--rtp-ports',
        '29800-29899',
        '--stt',
        'none',
        '--no-log-redact',
      ],
      { VOXBRIDGE_API_KEYS: KEY },
    );
    try {
      const result = await call(open, callPcap(work, '0.wav'));
      assert.equal(result.exitCode, 0, result.errors);
      const startedLine = await until(
        'the call started log line',
        () => logLines(open.stderr()).find((line) => line['msg'] === 'call started'),
        15_000,
      );
      assert.match(String(startedLine['from']), /^sip:\+15551230001@127\.0\.0\.1/);
    } finally {
      await open.stop();
    }
  });

  it('answers nothing, not even a 400, to SIP from outside the allowlist', async () => {
    const guarded = await startServiceProcess(
      [
        '--data-dir',
        join(work, 'guarded'),
        '--rtp-ports',
        '29600-29699',
        '--stt',
        'none',
        '--sip-allow-cidrs',
        '10.0.0.0/8',
      ],
      { VOXBRIDGE_API_KEYS: KEY },
    );
    try {
      const target = `127.0.0.1:${guarded.sipPort}`;
      const branch = `z9hG4bK-${Math.random().toString(36).slice(2)}`;
      const requests = [
        sipOptionsRequest(target, { Via: `SIP/2.0/UDP 127.0.0.1:5999;rport;branch=${branch}` }),
        // Unparseable but salvageable: the old gateway parsed it first and sent a 400.
        sipOptionsRequest(target, { 'Max-Forwards': 'seventy' }),
      ];
      const sent = await sendSipDatagrams(target, requests, { waitMs: 500 });
      assert.deepEqual(
        sent.map((s) => s.responses.length),
        [0, 0],
      );
    } finally {
      await guarded.stop();
    }
  });
});

/** A `voxbridge start` with only the flags given (no --http-host), and what it printed. */
interface BareStart {
  readonly child: ChildProcess;
  readonly banner: string;
  readonly httpPort: number;
  stop(): Promise<void>;
}

/**
 * Starts the built CLI with `args` and no VOXBRIDGE_* variables but `env`, under `umask`, and
 * waits for the banner's API line (and the API key line that follows it when no key is set).
 */
async function startBare(
  args: readonly string[],
  env: Record<string, string>,
  umask: number,
): Promise<BareStart> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('VOXBRIDGE_')),
  );
  const previous = process.umask(umask);
  let child: ChildProcess;
  try {
    child = spawn(
      process.execPath,
      [CLI, 'start', '--stt', 'none', '--sip-port', '0', '--http-port', '0', ...args],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...clean, ...env },
      },
    );
  } finally {
    process.umask(previous);
  }
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const httpPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner:\n${stderr}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /dashboard and API on https?:\/\/\S+?:(\d+)\//.exec(stderr);
      // With no configured key, the banner ends with the API key line (one write, maybe two chunks).
      if (match && (env['VOXBRIDGE_API_KEYS'] !== undefined || /voxbridge: API key.*\n/.test(stderr))) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before listening:\n${stderr}`));
    });
  });
  return {
    child,
    banner: stderr,
    httpPort,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Local addresses of the TCP sockets listening on `port` (Linux /proc/net/tcp, IPv4). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A')
    .map((fields) => {
      const hex = fields[1]!.split(':')[0]!;
      // Little-endian IPv4: 0100007F is 127.0.0.1.
      return [6, 4, 2, 0].map((at) => parseInt(hex.slice(at, at + 2), 16)).join('.');
    });
}

const modeOf = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe('voxbridge start: safe defaults', () => {
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'voxbridge-defaults-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('binds the API to loopback unless told, and the banner prints the sockets as bound', async () => {
    const data = join(work, 'loopback');
    const first = await startBare(
      ['--sip-host', '127.0.0.1', '--rtp-ports', '29700-29709', '--data-dir', data],
      {},
      0o022,
    );
    try {
      assert.deepEqual(listeningAddresses(first.httpPort), ['127.0.0.1']);
      assert.match(
        first.banner,
        new RegExp(`dashboard and API on http://127\\.0\\.0\\.1:${first.httpPort}/`),
      );
      assert.match(first.banner, /SIP on udp 127\.0\.0\.1:\d+ and tcp 127\.0\.0\.1:\d+\n/);
      // The default allowlist lets anyone send SIP: said out loud.
      assert.match(first.banner, /warning: SIP accepts requests from any address/);
      assert.equal((await fetch(`http://127.0.0.1:${first.httpPort}/healthz`)).status, 200);
    } finally {
      await first.stop();
    }
    // Told to listen everywhere, the banner says so instead of showing 127.0.0.1.
    const exposed = await startBare(
      [
        '--sip-host',
        '127.0.0.1',
        '--sip-allow-cidrs',
        '127.0.0.0/8',
        '--http-host',
        '0.0.0.0',
        '--rtp-ports',
        '29700-29709',
        '--data-dir',
        data,
      ],
      {},
      0o022,
    );
    try {
      assert.deepEqual(listeningAddresses(exposed.httpPort), ['0.0.0.0']);
      assert.match(
        exposed.banner,
        new RegExp(`dashboard and API on http://0\\.0\\.0\\.0:${exposed.httpPort}/`),
      );
      assert.doesNotMatch(exposed.banner, /warning: SIP accepts/);
    } finally {
      await exposed.stop();
    }
  });

  it('prints the API key only on the start that generates it, and keeps every file private', async () => {
    const data = join(work, 'private');
    const args = ['--sip-host', '127.0.0.1', '--rtp-ports', '29710-29719', '--data-dir', data];
    // Under umask 000 anything created with default modes would be world-writable.
    const first = await startBare(args, {}, 0o000);
    let key: string;
    try {
      key = readFileSync(join(data, 'api-key'), 'utf8').trim();
      assert.ok(key.length >= 32);
      assert.ok(first.banner.includes(key), 'the generated key is shown once');
      const auth = { authorization: `Bearer ${key}` };
      assert.equal(
        (await fetch(`http://127.0.0.1:${first.httpPort}/v1/calls`, { headers: auth })).status,
        200,
      );
      assert.equal(modeOf(data), '700');
      for (const file of ['api-key', 'voxbridge.db', 'voxbridge.db-wal', 'voxbridge.db-shm']) {
        assert.equal(modeOf(join(data, file)), '600', file);
      }
    } finally {
      await first.stop();
    }
    const second = await startBare(args, {}, 0o000);
    try {
      assert.ok(!second.banner.includes(key), 'a later start never prints the key');
      assert.match(
        second.banner,
        new RegExp(`API key in ${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/api-key\\n`),
      );
      assert.equal(readFileSync(join(data, 'api-key'), 'utf8').trim(), key, 'the same key is kept');
    } finally {
      await second.stop();
    }
  });

  it('serves HTTPS with a configured certificate and key', async () => {
    const dir = join(work, 'tls');
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('mkdir', ['-p', dir]);
    // A self-signed certificate for 127.0.0.1, made by Debian's openssl for this test only.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const service = await startBare(
      [
        '--sip-host',
        '127.0.0.1',
        '--rtp-ports',
        '29720-29729',
        '--data-dir',
        join(work, 'tls-data'),
        '--http-tls-cert',
        cert,
        '--http-tls-key',
        key,
      ],
      { VOXBRIDGE_API_KEYS: 'tls-test-key' },
      0o022,
    );
    try {
      assert.match(
        service.banner,
        new RegExp(`dashboard and API on https://127\\.0\\.0\\.1:${service.httpPort}/`),
      );
      // A real TLS client that trusts only this certificate and checks the name.
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = httpsGet(
          {
            host: '127.0.0.1',
            port: service.httpPort,
            path: '/v1/calls',
            ca: readFileSync(cert),
            headers: { authorization: 'Bearer tls-test-key' },
          },
          (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          },
        );
        request.on('error', reject);
      });
      assert.equal(answer.status, 200);
      assert.deepEqual((JSON.parse(answer.body) as { calls: unknown[] }).calls, []);
      // The event stream is WSS on the same port.
      const wss = new WebSocket(`wss://127.0.0.1:${service.httpPort}/v1/events?token=tls-test-key`, {
        ca: readFileSync(cert),
      });
      const subscribed = await new Promise<{ type: string; seq: number }>((resolve, reject) => {
        wss.once('open', () => wss.send(JSON.stringify({ type: 'subscribe' })));
        wss.once('message', (data: Buffer) =>
          resolve(JSON.parse(data.toString()) as { type: string; seq: number }),
        );
        wss.once('error', reject);
      });
      wss.close();
      assert.equal(subscribed.type, 'subscribed');
      // Plain HTTP on the same port gets no API answer.
      await assert.rejects(fetch(`http://127.0.0.1:${service.httpPort}/healthz`));
    } finally {
      await service.stop();
    }
  });
});
