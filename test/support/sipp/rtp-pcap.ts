import { readFileSync, writeFileSync } from 'node:fs';
import { mixDown, resample } from '../../../src/media/audio/index.js';
import type { G711Encoding } from '../../../src/media/codecs/index.js';
import { g711Decode, g711Encode } from '../../../src/media/codecs/index.js';
import { parseWav } from '../../../src/media/wav/index.js';

/** One RFC 4733 telephone-event inside a stream. */
export interface PcapDtmfEvent {
  /** 0-9, '*', '#', A-D. */
  digit: string;
  /** Start, from the beginning of the stream; rounded down to a whole ptime. */
  atMs: number;
  durationMs: number;
}

export interface PcapRtpStream {
  /** Raw G.711 code words at 8 kHz, one byte per sample. */
  payload: Uint8Array;
  payloadType: 0 | 8;
  /** Added to the base port (6000); SIPp sends each packet to the answered port plus this offset. */
  dstPortOffset: number;
  ssrc?: number;
  dtmf?: PcapDtmfEvent[];
}

export interface RtpPcapOptions {
  streams: PcapRtpStream[];
  ptimeMs?: number;
}

/** What was written, for assertions: packets per stream (audio plus DTMF) and the length in time. */
export interface RtpPcapSummary {
  packets: number[];
  dtmfPackets: number[];
  durationMs: number;
}

/** Telephone-event payload type we offer in every scenario (`a=rtpmap:101 telephone-event/8000`). */
export const DTMF_PAYLOAD_TYPE = 101;
/** UDP destination port of the first stream in the pcap; SIPp only uses differences from the lowest. */
export const PCAP_BASE_PORT = 6000;
const PCAP_SOURCE_PORT = 7000;
const RTP_CLOCK_HZ = 8000;
/** RFC 4733 §2.5.1.4: the final packet is sent three times so that one loss does not lose the end. */
const END_PACKET_COPIES = 3;
/** RFC 4733 §3.2: DTMF events 0-9, *, #, A-D are numbered 0-15 in this order. */
const DTMF_EVENT_CODES = '0123456789*#ABCD';
const SILENCE: Record<0 | 8, number> = { 0: 0xff, 8: 0xd5 };

interface TimedPacket {
  timeUs: number;
  stream: number;
  rtp: Uint8Array;
}

/**
 * Writes a libpcap file (Ethernet/IPv4/UDP/RTP, microsecond timestamps) that SIPp's
 * `play_pcap_audio` replays: one packet per stream every ptime, packets of all streams interleaved
 * in time order. During a DTMF event the stream carries RFC 4733 packets (pt 101, marker on the
 * first, the event start as RTP timestamp, growing duration, three end packets) in place of audio.
 */
export function writeRtpPcap(path: string, options: RtpPcapOptions): RtpPcapSummary {
  const ptimeMs = options.ptimeMs ?? 20;
  if (!Number.isInteger(ptimeMs) || ptimeMs <= 0) throw new Error(`ptimeMs must be a positive integer`);
  const packets: TimedPacket[] = [];
  const summary: RtpPcapSummary = { packets: [], dtmfPackets: [], durationMs: 0 };
  options.streams.forEach((stream, index) => {
    const made = streamPackets(stream, index, ptimeMs);
    packets.push(...made.packets);
    summary.packets.push(made.packets.length);
    summary.dtmfPackets.push(made.dtmf);
    summary.durationMs = Math.max(summary.durationMs, made.packets.length > 0 ? made.slots * ptimeMs : 0);
  });
  // Stable sort keeps stream order within one time slot.
  packets.sort((a, b) => a.timeUs - b.timeUs);
  const chunks: Uint8Array[] = [pcapGlobalHeader()];
  for (const p of packets) {
    const stream = options.streams[p.stream];
    if (stream === undefined) continue;
    chunks.push(pcapRecord(p.timeUs, udpFrame(PCAP_BASE_PORT + stream.dstPortOffset, p.rtp)));
  }
  writeFileSync(path, Buffer.concat(chunks));
  return summary;
}

function streamPackets(
  stream: PcapRtpStream,
  index: number,
  ptimeMs: number,
): { packets: TimedPacket[]; dtmf: number; slots: number } {
  const samplesPerPacket = (RTP_CLOCK_HZ * ptimeMs) / 1000;
  const audioSlots = Math.ceil(stream.payload.length / samplesPerPacket);
  // Which slots carry an event packet instead of audio.
  const eventInfo = new Map<number, { marker: boolean; startSlot: number; payload: Uint8Array }>();
  let slots = audioSlots;
  for (const event of stream.dtmf ?? []) {
    const code = DTMF_EVENT_CODES.indexOf(event.digit.toUpperCase());
    if (code < 0 || event.digit.length !== 1) throw new Error(`not a DTMF digit: ${event.digit}`);
    const startSlot = Math.floor(event.atMs / ptimeMs);
    const totalDuration = Math.round((event.durationMs * RTP_CLOCK_HZ) / 1000);
    const runningSlots = Math.max(1, Math.ceil(event.durationMs / ptimeMs));
    for (let k = 0; k < runningSlots + END_PACKET_COPIES - 1; k++) {
      const end = k >= runningSlots - 1;
      const duration = end ? totalDuration : (k + 1) * samplesPerPacket;
      if (eventInfo.has(startSlot + k)) throw new Error(`DTMF events overlap at ${event.atMs} ms`);
      eventInfo.set(startSlot + k, {
        marker: k === 0,
        startSlot,
        payload: eventPayload(code, end, duration),
      });
    }
    slots = Math.max(slots, startSlot + runningSlots + END_PACKET_COPIES - 1);
  }
  const ssrc = stream.ssrc ?? 0x1234_5670 + index;
  const seqBase = (0x1000 * (index + 1)) & 0xffff;
  const tsBase = 0x10_0000 * (index + 1);
  const packets: TimedPacket[] = [];
  let dtmf = 0;
  for (let slot = 0; slot < slots; slot++) {
    const seq = (seqBase + slot) & 0xffff;
    const timeUs = slot * ptimeMs * 1000;
    const event = eventInfo.get(slot);
    if (event !== undefined) {
      // RFC 4733 §2.3.5: every packet of one event carries the event's start time as its timestamp.
      const ts = (tsBase + event.startSlot * samplesPerPacket) >>> 0;
      packets.push({
        timeUs,
        stream: index,
        rtp: rtpPacket(DTMF_PAYLOAD_TYPE, event.marker, seq, ts, ssrc, event.payload),
      });
      dtmf++;
      continue;
    }
    const audio = new Uint8Array(samplesPerPacket).fill(SILENCE[stream.payloadType]);
    audio.set(stream.payload.subarray(slot * samplesPerPacket, (slot + 1) * samplesPerPacket));
    const ts = (tsBase + slot * samplesPerPacket) >>> 0;
    // RFC 3551 §4.1: the marker bit flags the first packet of a talkspurt.
    packets.push({
      timeUs,
      stream: index,
      rtp: rtpPacket(stream.payloadType, slot === 0, seq, ts, ssrc, audio),
    });
  }
  return { packets, dtmf, slots };
}

/**
 * RFC 4733 §2.3 telephone-event payload:
 *  0                   1                   2                   3
 *  |     event     |E|R| volume    |          duration             |
 */
function eventPayload(code: number, end: boolean, duration: number): Uint8Array {
  const p = new Uint8Array(4);
  p[0] = code;
  p[1] = (end ? 0x80 : 0) | 10; // volume: -10 dBm0
  p[2] = (duration >> 8) & 0xff;
  p[3] = duration & 0xff;
  return p;
}

/**
 * RFC 3550 §5.1 fixed header:
 *  |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *  |                           timestamp                           |
 *  |                             SSRC                              |
 */
function rtpPacket(
  pt: number,
  marker: boolean,
  seq: number,
  ts: number,
  ssrc: number,
  payload: Uint8Array,
): Uint8Array {
  const b = Buffer.alloc(12 + payload.length);
  b[0] = 0x80;
  b[1] = (marker ? 0x80 : 0) | (pt & 0x7f);
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(ts >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  b.set(payload, 12);
  return b;
}

/** Ethernet II + IPv4 (127.0.0.1 → 127.0.0.1, no options) + UDP around one RTP packet. */
function udpFrame(dstPort: number, rtp: Uint8Array): Uint8Array {
  const udpLength = 8 + rtp.length;
  const ipLength = 20 + udpLength;
  const b = Buffer.alloc(14 + ipLength);
  // Locally administered MAC addresses; SIPp ignores them.
  b.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01], 0);
  b.writeUInt16BE(0x0800, 12);
  const ip = 14;
  b[ip] = 0x45;
  b.writeUInt16BE(ipLength, ip + 2);
  b[ip + 8] = 64; // TTL
  b[ip + 9] = 17; // UDP
  b.set([127, 0, 0, 1, 127, 0, 0, 1], ip + 12);
  b.writeUInt16BE(onesComplement(b.subarray(ip, ip + 20), 0), ip + 10);
  const udp = ip + 20;
  b.writeUInt16BE(PCAP_SOURCE_PORT, udp);
  b.writeUInt16BE(dstPort, udp + 2);
  b.writeUInt16BE(udpLength, udp + 4);
  b.set(rtp, udp + 8);
  // RFC 768: the checksum covers a pseudo header of addresses, protocol and length.
  const pseudo = 0x7f00 + 0x0001 + 0x7f00 + 0x0001 + 17 + udpLength;
  const sum = onesComplement(b.subarray(udp, udp + udpLength), pseudo);
  b.writeUInt16BE(sum === 0 ? 0xffff : sum, udp + 6);
  return b;
}

function onesComplement(bytes: Uint8Array, initial: number): number {
  let sum = initial;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** libpcap global header: magic, version 2.4, UTC, snaplen 65535, LINKTYPE_ETHERNET. */
function pcapGlobalHeader(): Uint8Array {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(65535, 16);
  b.writeUInt32LE(1, 20);
  return b;
}

function pcapRecord(timeUs: number, frame: Uint8Array): Uint8Array {
  const b = Buffer.alloc(16 + frame.length);
  // A fixed, plausible epoch start: SIPp paces by differences only.
  b.writeUInt32LE(1_700_000_000 + Math.floor(timeUs / 1e6), 0);
  b.writeUInt32LE(timeUs % 1e6, 4);
  b.writeUInt32LE(frame.length, 8);
  b.writeUInt32LE(frame.length, 12);
  b.set(frame, 16);
  return b;
}

/**
 * Reads a WAV file (any layout parseWav accepts) and returns mono G.711 code words at 8 kHz:
 * channels are mixed down and other rates resampled with the project's own resampler.
 */
export function wavToG711(wavPath: string, law: G711Encoding): Uint8Array {
  const wav = parseWav(readFileSync(wavPath));
  const { encoding } = wav.format;
  let pcm: Int16Array =
    encoding === 'alaw' || encoding === 'mulaw'
      ? g711Decode(encoding, wav.samples as Uint8Array)
      : (wav.samples as Int16Array);
  if (wav.info.channels > 1) pcm = mixDown(pcm, wav.info.channels);
  if (wav.info.sampleRateHz !== RTP_CLOCK_HZ) pcm = resample(pcm, wav.info.sampleRateHz, RTP_CLOCK_HZ);
  return g711Encode(law, pcm);
}
