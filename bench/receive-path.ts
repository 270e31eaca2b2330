/**
 * Per-packet cost of the receive path one call leg runs 50 times a second: RTP parse, jitter
 * buffer push and pop, G.711 decode, 8→16 kHz resample. The same loop with alawmulaw's decoder is
 * the named peer. Each iteration also rewrites the sequence number and timestamp of the packet
 * bytes (as the network would deliver a new packet), which is a few nanoseconds of the total.
 * The resampler writes into one reused buffer through `processInto`, as the media graph does in
 * steady state; it is timed with both 8→16 kHz filters, and also alone.
 */
import alawmulaw from 'alawmulaw';
import type { ResamplerQuality } from '../src/media/audio/index.js';
import { Resampler } from '../src/media/audio/index.js';
import { g711Decode, mulawEncode } from '../src/media/codecs/index.js';
import { JitterBuffer, parseRtp, serializeRtp } from '../src/media/rtp/index.js';
import { fmt, printTable, timeOps } from './lib.js';
import { speechLikePcm } from './media.js';

const SAMPLES_PER_PACKET = 160;
const RING = 64;

const FILTER_NAMES: Record<ResamplerQuality, string> = {
  default: 'IIR half-band (default)',
  high: "linear-phase FIR ('high')",
};

function makePackets(): Uint8Array[] {
  const pcm = speechLikePcm(SAMPLES_PER_PACKET * RING, 7);
  return Array.from({ length: RING }, (_, i) =>
    serializeRtp({
      marker: false,
      payloadType: 0,
      sequenceNumber: i,
      timestamp: i * SAMPLES_PER_PACKET,
      ssrc: 0x1234abcd,
      csrcs: [],
      extension: null,
      padding: null,
      payload: mulawEncode(pcm.subarray(i * SAMPLES_PER_PACKET, (i + 1) * SAMPLES_PER_PACKET)),
    }),
  );
}

type Decode = (codes: Uint8Array, out: Int16Array) => Int16Array;

interface Stages {
  readonly jitter: boolean;
  /** The 8→16 kHz filter to run after decoding, or none. */
  readonly resample: ResamplerQuality | null;
}

function receiveLoop(decode: Decode, stages: Stages): (n: number) => void {
  const packets = makePackets();
  const jitter = new JitterBuffer({ depthMs: 40 });
  const resampler = new Resampler(8000, 16000, { quality: stages.resample ?? 'default' });
  const pcm = new Int16Array(SAMPLES_PER_PACKET);
  const wide = new Int16Array(2 * SAMPLES_PER_PACKET);
  let seq = 0;
  let nowMs = 0;
  let sink = 0;
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const bytes = packets[seq % RING]!;
      // New sequence number and timestamp, as the next packet off the wire would carry.
      bytes[2] = (seq >> 8) & 0xff;
      bytes[3] = seq & 0xff;
      const ts = (seq * SAMPLES_PER_PACKET) >>> 0;
      bytes[4] = ts >>> 24;
      bytes[5] = (ts >>> 16) & 0xff;
      bytes[6] = (ts >>> 8) & 0xff;
      bytes[7] = ts & 0xff;
      seq = (seq + 1) & 0xffff;
      nowMs += 20;
      const packet = parseRtp(bytes);
      let payload: Uint8Array | undefined = packet.payload;
      if (stages.jitter) {
        jitter.push(packet, nowMs);
        const out = jitter.pop(nowMs);
        payload = out.kind === 'packet' ? out.packet.payload : undefined;
      }
      if (payload === undefined) continue;
      const decoded = decode(payload, pcm);
      if (stages.resample !== null) {
        sink += resampler.processInto(decoded, wide) + wide[0]!;
      } else {
        sink += decoded[0]!;
      }
    }
    if (sink === 0.5) console.log(sink); // keeps the work observable to the optimizer
  };
}

/** The resampler alone on decoded 20 ms packets of the same signal, steady state. */
function resampleLoop(quality: ResamplerQuality): (n: number) => void {
  const pcm = speechLikePcm(SAMPLES_PER_PACKET * RING, 7);
  // Views made up front, so the timed loop allocates nothing.
  const packets = Array.from({ length: RING }, (_, i) =>
    pcm.subarray(i * SAMPLES_PER_PACKET, (i + 1) * SAMPLES_PER_PACKET),
  );
  const resampler = new Resampler(8000, 16000, { quality });
  const wide = new Int16Array(2 * SAMPLES_PER_PACKET);
  let packet = 0;
  let sink = 0;
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      sink += resampler.processInto(packets[packet]!, wide) + wide[0]!;
      packet = (packet + 1) % RING;
    }
    if (sink === 0.5) console.log(sink); // keeps the work observable to the optimizer
  };
}

export async function receivePathBench(): Promise<void> {
  const ours: Decode = (codes, out) => g711Decode('mulaw', codes, out);
  const peer: Decode = (codes) => alawmulaw.mulaw.decode(codes);
  const rows: (string | number)[][] = [];
  for (const quality of ['default', 'high'] as const) {
    const us = timeOps(resampleLoop(quality)).nsPerOp / 1000;
    rows.push([`8→16 kHz resample alone, ${FILTER_NAMES[quality]}`, fmt(us, 3), '–', '–']);
  }
  const cases: [string, Stages][] = [
    ['RTP parse + decode', { jitter: false, resample: null }],
    ['RTP parse + jitter buffer + decode', { jitter: true, resample: null }],
    [`full receive path (+ resample, ${FILTER_NAMES.default})`, { jitter: true, resample: 'default' }],
    [`full receive path (+ resample, ${FILTER_NAMES.high})`, { jitter: true, resample: 'high' }],
  ];
  for (const [name, stages] of cases) {
    const a = timeOps(receiveLoop(ours, stages)).nsPerOp / 1000;
    const b = timeOps(receiveLoop(peer, stages)).nsPerOp / 1000;
    rows.push([name, fmt(a, 3), fmt(b, 3), `${fmt(b / a, 1)}×`]);
  }
  printTable(
    'Receive path, µs per 20 ms µ-law packet (target ≤ 2 µs)',
    ['stages', 'voxbridge', 'same loop, alawmulaw decode', 'ratio'],
    rows,
  );
  await Promise.resolve();
}
