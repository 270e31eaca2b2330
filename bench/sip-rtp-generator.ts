/**
 * The caller side's media for `npm run bench -- sip`: one UDP socket per leg (so each leg has
 * its own source port, as every real caller does), 20 ms µ-law packets of looped speech on a
 * monotonic schedule, the legs' phases spread evenly over the 20 ms. Run by bench/sip-procs.ts
 * on the other core than the process under test. IPC requests (`{ id, cmd }` → `{ id, reply }`):
 *
 *   start  { ports, audio }  open a socket per destination port and start sending
 *   stop                      stop, close the sockets, reply GeneratorReport
 *
 * `audio` is a file of raw µ-law bytes at 8 kHz (written by the parent), looped per leg from a
 * different offset so that legs do not speak in unison.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const HOST = '127.0.0.1';
const PTIME_MS = 20;
const SAMPLES = 160;
/** The scheduler wakes this often; each wake sends every packet that has come due. */
const WAKE_MS = 2;

export interface GeneratorReport {
  readonly legs: number;
  readonly sent: number;
  readonly sendErrors: number;
  /** How late packets went out relative to their due time (the generator keeping up). */
  readonly lateP99Ms: number;
  readonly lateMaxMs: number;
  readonly cpuCores: number;
  readonly wallMs: number;
}

interface Leg {
  readonly socket: dgram.Socket;
  readonly port: number;
  readonly ssrc: number;
  seq: number;
  offset: number;
  dueMs: number;
}

type Request = { id: number; cmd: 'start'; ports: number[]; audio: string } | { id: number; cmd: 'stop' };

let legs: Leg[] = [];
let audio = new Uint8Array(SAMPLES).fill(0xff);
let timer: NodeJS.Timeout | undefined;
let sent = 0;
let sendErrors = 0;
let lateness: number[] = [];
let started = { wallMs: 0, cpu: process.cpuUsage() };

function packet(leg: Leg): Buffer {
  // A fresh buffer per datagram: dgram may still hold the previous one until its callback.
  const bytes = Buffer.allocUnsafe(12 + SAMPLES);
  bytes[0] = 0x80;
  bytes[1] = leg.seq === 0 ? 0x80 : 0x00;
  bytes.writeUInt16BE(leg.seq & 0xffff, 2);
  bytes.writeUInt32BE((leg.seq * SAMPLES) >>> 0, 4);
  bytes.writeUInt32BE(leg.ssrc, 8);
  for (let i = 0; i < SAMPLES; i++) {
    bytes[12 + i] = audio[leg.offset]!;
    leg.offset = leg.offset + 1 === audio.length ? 0 : leg.offset + 1;
  }
  leg.seq++;
  return bytes;
}

function wake(): void {
  const now = performance.now();
  for (const leg of legs) {
    while (leg.dueMs <= now) {
      lateness.push(now - leg.dueMs);
      leg.socket.send(packet(leg), leg.port, HOST, (error) => {
        if (error) sendErrors++;
      });
      sent++;
      leg.dueMs += PTIME_MS;
    }
  }
  timer = setTimeout(wake, WAKE_MS);
}

async function start(ports: readonly number[], audioPath: string): Promise<null> {
  audio = new Uint8Array(readFileSync(audioPath));
  sent = 0;
  sendErrors = 0;
  lateness = [];
  const t0 = performance.now() + 50;
  legs = [];
  for (const [i, port] of ports.entries()) {
    const socket = dgram.createSocket('udp4');
    socket.on('error', () => sendErrors++);
    await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
    legs.push({
      socket,
      port,
      ssrc: (0x10000000 + i) >>> 0,
      seq: 0,
      offset: ((i * 7919 * SAMPLES) % audio.length) & ~1,
      dueMs: t0 + (i * PTIME_MS) / ports.length,
    });
  }
  started = { wallMs: performance.now(), cpu: process.cpuUsage() };
  timer = setTimeout(wake, WAKE_MS);
  return null;
}

async function stop(): Promise<GeneratorReport> {
  clearTimeout(timer);
  const wallMs = performance.now() - started.wallMs;
  const cpu = process.cpuUsage(started.cpu);
  await Promise.all(legs.map((l) => new Promise<void>((resolve) => l.socket.close(() => resolve()))));
  const sorted = lateness.sort((a, b) => a - b);
  const report: GeneratorReport = {
    legs: legs.length,
    sent,
    sendErrors,
    lateP99Ms: sorted[Math.floor(0.99 * (sorted.length - 1))] ?? 0,
    lateMaxMs: sorted[sorted.length - 1] ?? 0,
    cpuCores: wallMs > 0 ? (cpu.user + cpu.system) / 1000 / wallMs : 0,
    wallMs,
  };
  legs = [];
  lateness = [];
  return report;
}

process.on('message', (request: Request) => {
  const work = request.cmd === 'start' ? start(request.ports, request.audio) : stop();
  work.then(
    (reply) => process.send?.({ id: request.id, reply }),
    (error: unknown) => process.send?.({ id: request.id, error: String(error) }),
  );
});
process.on('disconnect', () => {
  clearTimeout(timer);
  for (const leg of legs) leg.socket.close();
});
process.send?.({ type: 'ready' });
