/**
 * RtpEndpoint over real 127.0.0.1 sockets, real clock and timers: a peer streams paced RTP with
 * three sequence numbers deliberately missing, the SDP remote is wrong on purpose (as behind NAT),
 * and the endpoint must latch onto the real source, echo there, ignore a second source, report
 * the loss in RTCP, say BYE, and give its ports back.
 */
import assert from 'node:assert/strict';
import type dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import type { RtcpPacket, RtcpReportBlock } from '../../src/media/rtp/index.js';
import { isRtcp, parseRtcp, parseRtp, serializeRtcp, serializeRtp } from '../../src/media/rtp/index.js';
import type { RtpEndpoint } from '../../src/net/rtp/index.js';
import { RtpPacer, RtpPortPool } from '../../src/net/rtp/index.js';
import {
  canBind,
  closeSocket,
  collect,
  HOST,
  OTHER_HOST,
  randomBasePort,
  rtp,
  sendTo,
  udpSocket,
} from '../unit/net/net-sockets.js';

const LOCAL_SSRC = 0x0b0b0b0b;
const PEER_SSRC = 0x5eed5eed;
const PACKETS = 50;
const SKIPPED = new Set([10, 20, 30]);

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function* payloads(count: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) {
    await Promise.resolve();
    yield new Uint8Array(160).fill(i);
  }
}

function reportBlocks(datagrams: readonly Uint8Array[], type: RtcpPacket['type']): RtcpReportBlock[] {
  return datagrams.flatMap((d) =>
    parseRtcp(d).flatMap((p) => (p.type === type && (p.type === 'rr' || p.type === 'sr') ? p.reports : [])),
  );
}

describe('RtpEndpoint on loopback', () => {
  let pool: RtpPortPool;
  let endpoint: RtpEndpoint;
  let peerRtp: dgram.Socket;
  let peerRtcp: dgram.Socket;
  let intruder: dgram.Socket;
  let sameHostIntruder: dgram.Socket;
  let sdpDecoy: dgram.Socket;

  before(async () => {
    const base = randomBasePort();
    pool = new RtpPortPool({ host: HOST, minPort: base, maxPort: base + 19 });
    [endpoint] = (await pool.open(1, { ssrc: LOCAL_SSRC, rtcpMinIntervalMs: 200 })) as [RtpEndpoint];
    [peerRtp, peerRtcp, intruder, sameHostIntruder, sdpDecoy] = await Promise.all([
      udpSocket(),
      udpSocket(),
      udpSocket(0, OTHER_HOST),
      udpSocket(),
      udpSocket(),
    ]);
  });

  after(async () => {
    await endpoint.close();
    await Promise.all([peerRtp, peerRtcp, intruder, sameHostIntruder, sdpDecoy].map(closeSocket));
  });

  it('latches, echoes, drops the intruder, reports loss, says BYE and frees its ports', async () => {
    // What the SDP claimed: a socket that is not where the peer's media comes from.
    endpoint.setRemote({ address: HOST, port: sdpDecoy.address().port, rtcpPort: sdpDecoy.address().port });
    const atDecoy = collect(sdpDecoy);
    const atPeer = collect(peerRtp);
    const atPeerRtcp = collect(peerRtcp);
    const atIntruder = collect(intruder);
    endpoint.onPacket = (packet) => endpoint.send({ ...packet, ssrc: LOCAL_SSRC });

    // The peer paces its stream with our own pacer; the "network" loses three packets.
    const peerPacer = new RtpPacer({
      payloadType: 0,
      ssrc: PEER_SSRC,
      initialSequenceNumber: 0,
      initialTimestamp: 0,
      send: (packet) => {
        if (!SKIPPED.has(packet.sequenceNumber)) peerRtp.send(serializeRtp(packet), endpoint.rtpPort, HOST);
      },
    });
    const streaming = peerPacer.play(payloads(PACKETS));
    await until(() => endpoint.stats.received >= 5, 'the first packets');
    // RTCP from the peer's real RTCP source, so reports come back there (symmetric RTCP).
    const sr = serializeRtcp([
      {
        type: 'sr',
        ssrc: PEER_SSRC,
        ntpSeconds: 0xe0001234,
        ntpFraction: 0x56780000,
        rtpTimestamp: 800,
        packetCount: 5,
        octetCount: 800,
        reports: [],
        extension: new Uint8Array(0),
      },
    ]);
    await sendTo(peerRtcp, sr, endpoint.rtcpPort);
    // An address the SDP never named is refused outright (default latching `address`); another
    // port of the SDP address is only dropped while the latched port talks.
    for (let i = 0; i < 5; i++) await sendTo(intruder, rtp(1000 + i, { ssrc: PEER_SSRC }), endpoint.rtpPort);
    for (let i = 0; i < 3; i++) {
      await sendTo(sameHostIntruder, rtp(2000 + i, { ssrc: PEER_SSRC }), endpoint.rtpPort);
    }
    await streaming;

    await until(() => atPeer.length === PACKETS - SKIPPED.size, 'every echo');
    const echoed = atPeer.map((d) => parseRtp(d));
    assert.deepEqual(
      echoed.map((p) => p.sequenceNumber),
      [...Array(PACKETS).keys()].filter((s) => !SKIPPED.has(s)),
    );
    assert.ok(echoed.every((p) => p.ssrc === LOCAL_SSRC && p.payload[0] === p.sequenceNumber));
    assert.deepEqual(endpoint.remote, {
      address: HOST,
      port: peerRtp.address().port,
      rtcpPort: peerRtcp.address().port,
    });
    assert.equal(endpoint.stats.rejected, 5);
    assert.equal(endpoint.stats.foreignDropped, 3);
    assert.equal(atIntruder.length, 0);
    assert.equal(atDecoy.filter((d) => !isRtcp(d)).length, 0, 'no RTP went to the SDP address');

    // Once the echo stops, the next report is an RR whose block covers the whole stream.
    await until(
      () => reportBlocks(atPeerRtcp, 'rr').some((b) => b.extendedHighestSeq === PACKETS - 1),
      'an RR covering the last packet',
    );
    const block = reportBlocks(atPeerRtcp, 'rr').find((b) => b.extendedHighestSeq === PACKETS - 1)!;
    assert.equal(block.ssrc, PEER_SSRC);
    assert.equal(block.cumulativeLost, SKIPPED.size);
    assert.equal(block.lastSr, 0x12345678, 'LSR: the middle 32 bits of the SR NTP timestamp');
    assert.ok(block.delaySinceLastSr > 0);
    const senderReports = atPeerRtcp.flatMap((d) => parseRtcp(d)).filter((p) => p.type === 'sr');
    assert.ok(senderReports.length > 0, 'an SR while we were echoing');

    const { rtpPort, rtcpPort } = endpoint;
    const reportsBefore = atPeerRtcp.length;
    await endpoint.close();
    await until(() => atPeerRtcp.length > reportsBefore, 'the BYE');
    assert.equal(parseRtcp(atPeerRtcp.at(-1)!).at(-1)?.type, 'bye');
    assert.equal(pool.inUse, 0);
    assert.equal(await canBind(rtpPort), true);
    assert.equal(await canBind(rtcpPort), true);
  });
});
