/**
 * `voxbridge start` as a user runs it: SIPp calls in, events out over the WebSocket, REST, signed
 * webhooks and /metrics; 401 without a key; no answer to SIP from outside the allowlist; nothing
 * lost across a kill -9.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { CallDetail, SequencedEvent } from '../../src/api/index.js';
import { verifyWebhookSignature } from '../../src/webhooks/index.js';
import { sharedFile } from '../support/paths.js';
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

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function callPcap(dir: string, file: string): { pcap: string; durationMs: number } {
  const pcap = join(dir, `${file}.pcap`);
  const summary = writeRtpPcap(pcap, {
    streams: [
      {
        payload: wavToG711(sharedFile(`audio/librispeech/${file}`), 'mulaw'),
        payloadType: 0,
        dstPortOffset: 0,
      },
    ],
  });
  return { pcap, durationMs: summary.durationMs };
}

function call(service: ServiceProcess, pcap: { pcap: string; durationMs: number }): Promise<SippResult> {
  return runSipp({
    scenario: sippScenario('uac-pcmu'),
    target: `127.0.0.1:${service.sipPort}`,
    keys: { codec: 'PCMU', pt: '0', pcap: pcap.pcap },
    variables: { hold_ms: String(pcap.durationMs + 2000) },
    timeoutMs: 90_000,
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
    startServiceProcess(['--data-dir', join(work, 'data'), '--rtp-ports', '29400-29599'], {
      VOXBRIDGE_API_KEYS: KEY,
      VOXBRIDGE_WEBHOOKS: JSON.stringify([{ url: `http://127.0.0.1:${receiver.port}/hook`, secret: SECRET }]),
    });

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
    // Transcript text never reaches the logs.
    assert.doesNotMatch(service!.stderr(), /squalid|brothels/);
  });

  it('loses no emitted final across kill -9, and ends the interrupted call on restart', async () => {
    const { socket, events } = await connect(service!, KEY);
    // 1.wav is long enough to give several finals before the kill.
    const running = call(service!, callPcap(work, '1.wav'));
    const firstFinal = await until(
      'a final',
      () => events.find((e) => e.type === 'transcript.final'),
      30_000,
    );
    service!.child.kill('SIGKILL');
    await service!.exited;
    socket.close();
    await running; // SIPp fails its BYE: nobody answers any more.
    const seen = events.filter((e) => e.type === 'transcript.final' && e.callId === firstFinal.callId);
    assert.ok(seen.length >= 1);

    service = await start();
    const detail = (await (
      await fetch(`${service.baseUrl}/v1/calls/${firstFinal.callId}`, { headers: auth })
    ).json()) as CallDetail;
    const stored = new Set(detail.transcript.map((s) => s.seq));
    for (const final of seen) assert.ok(stored.has(final.seq), `final ${final.seq} lost`);
    assert.equal(detail.endReason, 'restart');
    // A client that reconnects with its last seq gets every final it missed, and no partials.
    const lastSeen = Math.min(...seen.map((e) => e.seq)) - 1;
    const resumed = await connect(service, KEY, lastSeen);
    await until('replay', () => (resumed.events.length >= seen.length ? true : undefined), 10_000);
    resumed.socket.close();
    assert.ok(resumed.events.every((e) => e.type !== 'transcript.partial'));
    for (const final of seen) assert.ok(resumed.events.some((e) => e.seq === final.seq));
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
