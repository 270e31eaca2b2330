/**
 * Cost of the RTP socket layer per packet, the work 1000 legs per core repeat 50 times a second.
 *   node --import tsx bench/rtp-endpoint.ts
 * 1. RtpReceiver.onRtpDatagram (latch check, parse, RFC 3550 A.1/A.8 stats, callback) against
 *    parseRtp alone, in a tight loop without sockets.
 * 2. Real loopback: CPU time of this whole process per packet for a raw dgram sender feeding an
 *    RtpEndpoint (onPacket a no-op), against the same sender feeding a bare dgram socket whose
 *    handler does nothing (the named peer: what Node's UDP receive costs by itself).
 * 3. RtpEndpoint.send (serialize into a pooled buffer, dgram send) to a bare socket, against
 *    dgram send of pre-serialized bytes.
 * Loopback numbers include the kernel and the sender, so only the difference between the rows
 * of one table is ours.
 */
import dgram from 'node:dgram';
import { parseRtp, serializeRtp } from '../src/media/rtp/index.js';
import type { RtpPacket } from '../src/media/rtp/index.js';
import { RtpPortPool } from '../src/net/rtp/index.js';
import { RtpReceiver } from '../src/net/rtp/rtp-receiver.js';
import { fmt, printTable, timeOps } from './lib.js';

const HOST = '127.0.0.1';
const RING = 64;
/** Sends per turn of the event loop; below RING, because dgram sends a buffer a tick later. */
const BATCH = 50;
const LOOPBACK_PACKETS = 100_000;

function packets(): Uint8Array[] {
  return Array.from({ length: RING }, (_, i) =>
    serializeRtp({
      marker: false,
      payloadType: 0,
      sequenceNumber: i,
      timestamp: i * 160,
      ssrc: 0x1234abcd,
      csrcs: [],
      extension: null,
      padding: null,
      payload: new Uint8Array(160).fill(i),
    }),
  );
}

function stamp(bytes: Uint8Array, seq: number): void {
  bytes[2] = (seq >> 8) & 0xff;
  bytes[3] = seq & 0xff;
  const ts = (seq * 160) >>> 0;
  bytes[4] = ts >>> 24;
  bytes[5] = (ts >>> 16) & 0xff;
  bytes[6] = (ts >>> 8) & 0xff;
  bytes[7] = ts & 0xff;
}

function receiverLoop(withReceiver: boolean): (n: number) => void {
  const ring = packets();
  const receiver = new RtpReceiver({ clockRateHz: 8000, relatchAfterMs: 2000 });
  let sink = 0;
  receiver.onPacket = (p) => (sink += p.payload.length);
  let seq = 0;
  let nowMs = 0;
  return (n) => {
    for (let i = 0; i < n; i++) {
      const bytes = ring[seq % RING]!;
      stamp(bytes, seq);
      seq = (seq + 1) & 0xffff;
      nowMs += 20;
      if (withReceiver) receiver.onRtpDatagram(bytes, HOST, 40000, nowMs);
      else sink += parseRtp(bytes).payload.length;
    }
    if (sink === 0.5) console.log(sink);
  };
}

async function bind(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  return socket;
}

/** CPU µs of this process per packet while `send` pushes `count` packets and they are all seen. */
async function cpuPerPacket(
  count: number,
  send: (i: number) => void,
  seen: () => number,
): Promise<{ us: number; delivered: number }> {
  const start = process.cpuUsage();
  let sent = 0;
  while (sent < count) {
    // Small batches with a turn of the event loop between, so the receive buffer never overflows.
    for (let i = 0; i < BATCH && sent < count; i++) send(sent++);
    await new Promise((resolve) => setImmediate(resolve));
    while (seen() < sent - 2 * BATCH) await new Promise((resolve) => setImmediate(resolve));
  }
  for (let i = 0; i < 100 && seen() < count; i++) await new Promise((resolve) => setTimeout(resolve, 2));
  const cpu = process.cpuUsage(start);
  return { us: (cpu.user + cpu.system) / count, delivered: seen() };
}

async function loopbackReceive(): Promise<(string | number)[][]> {
  const ring = packets().map((p) => Buffer.from(p));
  const sender = await bind();
  const base = 40000 + 2 * Math.floor(Math.random() * 4000);
  const pool = new RtpPortPool({ host: HOST, minPort: base, maxPort: base + 99 });
  const [endpoint] = await pool.open(1);
  let bareSeen = 0;
  const bare = await bind();
  bare.on('message', () => bareSeen++);
  const sendTo = (port: number) => (i: number) => {
    const bytes = ring[i % RING]!;
    stamp(bytes, i & 0xffff);
    sender.send(bytes, port, HOST);
  };
  const rows: (string | number)[][] = [];
  // Warm-up of both paths, then the timed runs.
  await cpuPerPacket(10_000, sendTo(bare.address().port), () => bareSeen);
  bareSeen = 0;
  const peer = await cpuPerPacket(LOOPBACK_PACKETS, sendTo(bare.address().port), () => bareSeen);
  let ours = 0;
  endpoint!.onPacket = () => ours++;
  await cpuPerPacket(10_000, sendTo(endpoint!.rtpPort), () => ours);
  ours = 0;
  const mine = await cpuPerPacket(LOOPBACK_PACKETS, sendTo(endpoint!.rtpPort), () => ours);
  rows.push(['receive: raw sender → bare dgram socket (peer)', fmt(peer.us, 2), peer.delivered]);
  rows.push(['receive: raw sender → RtpEndpoint (parse, latch, stats)', fmt(mine.us, 2), mine.delivered]);

  // Send path: endpoint.send to the bare socket, against raw sends of ready bytes.
  endpoint!.setRemote({ address: HOST, port: bare.address().port });
  const packet: RtpPacket = parseRtp(ring[0]!);
  const viaEndpoint = (i: number): void => endpoint!.send({ ...packet, sequenceNumber: i & 0xffff });
  bareSeen = 0;
  await cpuPerPacket(10_000, viaEndpoint, () => bareSeen);
  bareSeen = 0;
  const sendOurs = await cpuPerPacket(LOOPBACK_PACKETS, viaEndpoint, () => bareSeen);
  rows.push(['send: RtpEndpoint.send → bare socket', fmt(sendOurs.us, 2), sendOurs.delivered]);
  rows.push(['send: raw dgram send of ready bytes (peer, same as row 1)', fmt(peer.us, 2), peer.delivered]);

  await endpoint!.close();
  await Promise.all([sender, bare].map((s) => new Promise((resolve) => s.close(() => resolve(undefined)))));
  return rows;
}

export async function rtpEndpointBench(): Promise<void> {
  const parse = timeOps(receiverLoop(false)).nsPerOp / 1000;
  const receive = timeOps(receiverLoop(true)).nsPerOp / 1000;
  printTable(
    'RTP receive without sockets, µs per packet',
    ['stage', 'µs/packet'],
    [
      ['parseRtp alone (peer)', fmt(parse, 3)],
      ['RtpReceiver.onRtpDatagram (latch + parse + stats + callback)', fmt(receive, 3)],
    ],
  );
  printTable(
    `Loopback, CPU µs of the whole process per packet (${LOOPBACK_PACKETS} packets, sender included)`,
    ['path', 'CPU µs/packet', 'delivered'],
    await loopbackReceive(),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await rtpEndpointBench();
