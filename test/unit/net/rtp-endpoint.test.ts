import assert from 'node:assert/strict';
import type dgram from 'node:dgram';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { RtpPacket } from '../../../src/media/rtp/index.js';
import { ntpMiddle32, parseRtcp, parseRtp, serializeRtcp } from '../../../src/media/rtp/index.js';
import type { RtpEndpoint } from '../../../src/net/rtp/index.js';
import { RtpPortPool } from '../../../src/net/rtp/index.js';
import { FakeScheduler } from './net-fakes.js';
import {
  closeSocket,
  collect,
  HOST,
  randomBasePort,
  OTHER_HOST,
  rtp,
  sendTo,
  udpSocket,
  waitFor,
} from './net-sockets.js';

const LOCAL_SSRC = 0x5eed0001;
const PEER_SSRC = 0xcafe0001;

// These cases describe the latch mechanics themselves, which `any` shows without an SDP address;
// the default policy is covered in the block below.
describe('RtpEndpoint with latching "any"', () => {
  let scheduler: FakeScheduler;
  let endpoint: RtpEndpoint;
  let peer: dgram.Socket;
  let peerRtcp: dgram.Socket;
  let other: dgram.Socket;
  let received: { packet: RtpPacket; arrivalMs: number }[];

  beforeEach(async () => {
    scheduler = new FakeScheduler();
    const base = randomBasePort();
    const pool = new RtpPortPool({ host: HOST, minPort: base, maxPort: base + 9 });
    [endpoint] = (await pool.open(1, {
      scheduler,
      ssrc: LOCAL_SSRC,
      cname: 'voxbridge@test',
      random: () => 0.5,
      latching: 'any',
    })) as [RtpEndpoint];
    received = [];
    endpoint.onPacket = (packet, arrivalMs) => received.push({ packet, arrivalMs });
    peer = await udpSocket();
    peerRtcp = await udpSocket();
    other = await udpSocket();
  });

  afterEach(async () => {
    await endpoint.close();
    await Promise.all([peer, peerRtcp, other].map(closeSocket));
  });

  it('latches onto the source seen, whatever the SDP said, and echoes to it', async () => {
    endpoint.setRemote({ address: HOST, port: other.address().port });
    const atPeer = collect(peer);
    scheduler.advance(1234);
    await sendTo(peer, rtp(7), endpoint.rtpPort);
    await waitFor(() => received.length === 1, 'the packet');
    assert.equal(received[0]!.packet.sequenceNumber, 7);
    assert.equal(received[0]!.packet.ssrc, PEER_SSRC);
    assert.equal(received[0]!.arrivalMs, 1234, 'arrival stamped from the injected clock');
    assert.equal(endpoint.stats.latched, true);
    assert.deepEqual(endpoint.remote, {
      address: HOST,
      port: peer.address().port,
      rtcpPort: peer.address().port + 1,
    });

    endpoint.send({ ...received[0]!.packet, ssrc: LOCAL_SSRC });
    await waitFor(() => atPeer.length === 1, 'the echo');
    const echo = parseRtp(atPeer[0]!);
    assert.equal(echo.ssrc, LOCAL_SSRC);
    assert.equal(echo.sequenceNumber, 7);
    assert.deepEqual(echo.payload, new Uint8Array(160).fill(7));
    assert.equal(endpoint.stats.sent, 1);
  });

  it('sends to the SDP remote until something arrives, and drops when there is none', async () => {
    const atOther = collect(other);
    endpoint.send(parseRtp(rtp(1)));
    endpoint.setRemote({ address: '0.0.0.0', port: other.address().port }); // RFC 3264 §8.4 hold
    endpoint.send(parseRtp(rtp(1)));
    endpoint.setRemote({ address: HOST, port: 0 });
    endpoint.send(parseRtp(rtp(1)));
    assert.equal(endpoint.stats.sendDropped, 3);
    assert.equal(endpoint.remote, undefined);
    endpoint.setRemote({ address: HOST, port: other.address().port });
    endpoint.send(parseRtp(rtp(2)));
    await waitFor(() => atOther.length === 1, 'the packet at the SDP remote');
    assert.equal(parseRtp(atOther[0]!).sequenceNumber, 2);
  });

  it('drops a second source while the latched one talks, and re-latches after 2 s of silence', async () => {
    await sendTo(peer, rtp(1), endpoint.rtpPort);
    await waitFor(() => received.length === 1, 'first packet');
    scheduler.advance(1999);
    await sendTo(other, rtp(500, { ssrc: PEER_SSRC }), endpoint.rtpPort);
    await waitFor(() => endpoint.stats.foreignDropped === 1, 'the foreign drop');
    assert.equal(received.length, 1);
    assert.equal(endpoint.remote?.port, peer.address().port);

    scheduler.advance(1);
    await sendTo(other, rtp(501), endpoint.rtpPort);
    await waitFor(() => received.length === 2, 'the new source');
    assert.equal(endpoint.stats.relatches, 1);
    assert.equal(endpoint.remote?.port, other.address().port);
    // The new 5-tuple is a new stream, even with the same SSRC.
    assert.equal(endpoint.streamStats?.packets, 1);
    await sendTo(peer, rtp(2), endpoint.rtpPort);
    await waitFor(() => endpoint.stats.foreignDropped === 2, 'the old source is now foreign');
  });

  it('counts bad datagrams and throwing callbacks instead of crashing', async () => {
    await sendTo(peer, new Uint8Array([0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]), endpoint.rtpPort); // version 1
    await sendTo(peer, new Uint8Array([0x80, 0, 0]), endpoint.rtpPort);
    await sendTo(peer, new Uint8Array([0x81, 201, 0, 9]), endpoint.rtcpPort); // RR that runs past the end
    await waitFor(() => endpoint.stats.parseErrors === 3, 'three parse errors');
    assert.equal(endpoint.stats.latched, false, 'garbage never latches');
    endpoint.onPacket = () => {
      throw new Error('session bug');
    };
    await sendTo(peer, rtp(1), endpoint.rtpPort);
    await waitFor(() => endpoint.stats.callbackErrors === 1, 'the callback error');
    assert.equal(endpoint.stats.received, 1);
  });

  it('reports reception in an RR: loss, highest sequence, LSR/DLSR, CNAME', async () => {
    // Packets arrive exactly on their 20 ms schedule (so jitter is 0); 105 and 110 never come.
    for (let seq = 100; seq < 120; seq++) {
      scheduler.advance((seq - 100) * 20 - scheduler.clock.nowMs());
      if (seq === 105 || seq === 110) continue;
      await sendTo(peer, rtp(seq), endpoint.rtpPort);
      await waitFor(() => received.at(-1)?.packet.sequenceNumber === seq, `packet ${seq}`);
    }
    await waitFor(() => received.length === 18, '18 packets');
    const sr = {
      type: 'sr' as const,
      ssrc: PEER_SSRC,
      ntpSeconds: 0x83aa7e80,
      ntpFraction: 0x12345678,
      rtpTimestamp: 0,
      packetCount: 18,
      octetCount: 2880,
      reports: [],
      extension: new Uint8Array(0),
    };
    await sendTo(peerRtcp, serializeRtcp([sr]), endpoint.rtcpPort);
    await waitFor(() => endpoint.stats.rtcpReceived === 1, 'the SR');
    const atPeerRtcp = collect(peerRtcp);
    // random() = 0.5: the first report is due at 2500 ms (half the 5 s minimum, RFC 3550 §6.2).
    scheduler.advance(2500 - scheduler.clock.nowMs());
    await waitFor(() => atPeerRtcp.length === 1, 'the RR at the peer RTCP source');
    const [rr, sdes, ...rest] = parseRtcp(atPeerRtcp[0]!);
    assert.equal(rest.length, 0);
    assert.ok(rr?.type === 'rr');
    assert.equal(rr.ssrc, LOCAL_SSRC);
    assert.deepEqual(rr.reports, [
      {
        ssrc: PEER_SSRC,
        fractionLost: Math.floor((2 * 256) / 20),
        cumulativeLost: 2,
        extendedHighestSeq: 119,
        jitter: 0,
        lastSr: ntpMiddle32({ seconds: sr.ntpSeconds, fraction: sr.ntpFraction }),
        // The SR arrived at 380 ms, the report left at 2500 ms: 2.12 s in 1/65536 s units.
        delaySinceLastSr: Math.round(2120 * 65.536),
      },
    ]);
    assert.deepEqual(sdes, {
      type: 'sdes',
      chunks: [{ ssrc: LOCAL_SSRC, items: [{ type: 1, text: 'voxbridge@test' }] }],
    });
    assert.equal(endpoint.stats.rtcpSent, 1);
  });

  it('sends an SR once it has sent RTP, then a BYE on close', async () => {
    await sendTo(peer, rtp(1), endpoint.rtpPort);
    await sendTo(
      peerRtcp,
      serializeRtcp([{ type: 'rr', ssrc: PEER_SSRC, reports: [], extension: new Uint8Array(0) }]),
      endpoint.rtcpPort,
    );
    await waitFor(() => endpoint.stats.rtcpReceived === 1 && received.length === 1, 'RTP and RTCP in');
    const atPeerRtcp = collect(peerRtcp);
    for (let i = 0; i < 3; i++) {
      endpoint.send({ ...received[0]!.packet, ssrc: 0xabcdef01, timestamp: 8000 + 160 * i });
    }
    scheduler.advance(2500);
    await waitFor(() => atPeerRtcp.length === 1, 'the SR');
    const [report] = parseRtcp(atPeerRtcp[0]!);
    assert.ok(report?.type === 'sr');
    assert.equal(report.ssrc, 0xabcdef01, 'reports follow the SSRC of the RTP we send');
    assert.equal(report.packetCount, 3);
    assert.equal(report.octetCount, 480);
    // Sent at fake time 0; the SR at 2500 ms extrapolates the last timestamp by 20000 samples.
    assert.equal(report.rtpTimestamp, 8320 + 20000);
    assert.equal(report.reports.length, 1);

    // Nothing sent since: the next report is an RR again, 5 s later with random() = 0.5.
    scheduler.advance(5000);
    await waitFor(() => atPeerRtcp.length === 2, 'the RR');
    assert.equal(parseRtcp(atPeerRtcp[1]!)[0]?.type, 'rr');

    await endpoint.close();
    await waitFor(() => atPeerRtcp.length === 3, 'the BYE');
    const last = parseRtcp(atPeerRtcp[2]!);
    assert.deepEqual(
      last.map((p) => p.type),
      ['rr', 'sdes', 'bye'],
    );
    assert.deepEqual(last[2], { type: 'bye', ssrcs: [0xabcdef01], reason: null });
    assert.equal(scheduler.pending, 0, 'no RTCP timer left');
    endpoint.send(parseRtp(rtp(9)));
    assert.equal(endpoint.stats.sendDropped, 1);
  });

  it('accepts RTCP multiplexed on the RTP port (RFC 5761)', async () => {
    await sendTo(peer, rtp(1), endpoint.rtpPort);
    await sendTo(
      peer,
      serializeRtcp([{ type: 'rr', ssrc: PEER_SSRC, reports: [], extension: new Uint8Array(0) }]),
      endpoint.rtpPort,
    );
    await waitFor(() => endpoint.stats.rtcpReceived === 1, 'the muxed RTCP');
    assert.equal(endpoint.stats.parseErrors, 0);
    assert.equal(endpoint.stats.received, 1);
    assert.equal(endpoint.remote?.rtcpPort, peer.address().port, 'reports go back to the muxed port');
  });

  it('drops the latch when the SDP remote changes (re-INVITE)', async () => {
    endpoint.setRemote({ address: HOST, port: 9 });
    await sendTo(peer, rtp(1), endpoint.rtpPort);
    await waitFor(() => endpoint.stats.latched, 'the latch');
    endpoint.setRemote({ address: HOST, port: 9 });
    assert.equal(endpoint.stats.latched, true, 'the same remote again keeps the latch');
    endpoint.setRemote({ address: HOST, port: other.address().port });
    assert.equal(endpoint.stats.latched, false);
    assert.equal(endpoint.remote?.port, other.address().port);
    await sendTo(other, rtp(50), endpoint.rtpPort);
    await waitFor(() => received.length === 2, 'the packet from the new remote');
    assert.equal(endpoint.stats.relatches, 0);
    assert.equal(endpoint.stats.foreignDropped, 0);
  });
});

describe('RtpEndpoint with the default latching ("address")', () => {
  let endpoint: RtpEndpoint;
  let peer: dgram.Socket;
  let intruder: dgram.Socket;
  let received: number[];

  beforeEach(async () => {
    const base = randomBasePort();
    const pool = new RtpPortPool({ host: HOST, minPort: base, maxPort: base + 9 });
    [endpoint] = (await pool.open(1, { scheduler: new FakeScheduler(), random: () => 0.5 })) as [RtpEndpoint];
    received = [];
    endpoint.onPacket = (packet) => received.push(packet.sequenceNumber);
    peer = await udpSocket();
    intruder = await udpSocket(0, OTHER_HOST);
  });

  afterEach(async () => {
    await endpoint.close();
    await Promise.all([peer, intruder].map(closeSocket));
  });

  it('takes media only from the SDP address, on whatever port, and counts the rest as rejected', async () => {
    await sendTo(intruder, rtp(1), endpoint.rtpPort);
    await waitFor(() => endpoint.stats.rejected === 1, 'the rejection before any SDP');
    // The SDP names the peer's address but another port: symmetric RTP takes the port seen.
    endpoint.setRemote({ address: HOST, port: 9 });
    const atIntruder = collect(intruder);
    await sendTo(intruder, rtp(2), endpoint.rtpPort);
    await sendTo(intruder, rtp(3), endpoint.rtcpPort);
    await waitFor(() => endpoint.stats.rejected === 3, 'two more rejections');
    await sendTo(peer, rtp(4), endpoint.rtpPort);
    await waitFor(() => received.length === 1, 'the peer packet');
    assert.deepEqual(received, [4]);
    assert.equal(endpoint.remote?.port, peer.address().port);
    endpoint.send(parseRtp(rtp(5)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(atIntruder.length, 0, 'the intruder receives none of our audio');
    assert.equal(endpoint.stats.relatches, 0);
  });

  it('keeps the SDP address across an RFC 2543 hold (c=0.0.0.0)', async () => {
    endpoint.setRemote({ address: HOST, port: 9 });
    endpoint.setRemote({ address: '0.0.0.0', port: 9 });
    await sendTo(intruder, rtp(1), endpoint.rtpPort);
    await sendTo(peer, rtp(2), endpoint.rtpPort);
    await waitFor(() => received.length === 1 && endpoint.stats.rejected === 1, 'one taken, one refused');
    assert.deepEqual(received, [2]);
  });
});
