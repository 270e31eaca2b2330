import { randomBytes } from 'node:crypto';
import type dgram from 'node:dgram';
import type { Clock } from '../../core/index.js';
import { systemClock } from '../../core/index.js';
import type { RtpPacket, RtpStreamStats } from '../../media/rtp/index.js';
import { rtpPacketBytes, serializeRtpInto } from '../../media/rtp/index.js';
import { RtcpReporter, rtcpIntervalMs } from './rtcp-reporter.js';
import type { RtpEndpointStats, RtpLatching } from './rtp-receiver.js';
import { RtpReceiver } from './rtp-receiver.js';
import type { TimerHandle, TimerScheduler } from '../../core/index.js';
import { createTimerScheduler } from '../../core/index.js';

/** The peer's media address from the SDP (c= and m= lines, a=rtcp when present). */
export interface RtpRemote {
  readonly address: string;
  readonly port: number;
  /** RFC 3605 a=rtcp; default port + 1 (RFC 3550 §11). */
  readonly rtcpPort?: number;
}

export interface RtpEndpointOptions {
  /** Monotonic time for arrival stamps and RTCP; default systemClock. */
  readonly clock?: Clock;
  /** Runs the RTCP report timer; default real unref'd timers on `clock`. */
  readonly scheduler?: TimerScheduler;
  /** RTP clock rate of the stream, for jitter and SR timestamps; default 8000. */
  readonly clockRateHz?: number;
  /** SDES CNAME; default a random 96-bit value as RFC 7022 §4.2 recommends. */
  readonly cname?: string;
  /** SSRC our reports carry until we send RTP (then the sent packets' SSRC); default random. */
  readonly ssrc?: number;
  /** RFC 3550 §6.2 minimum report interval; default 5000. Tests shorten it. */
  readonly rtcpMinIntervalMs?: number;
  /** Silence of the latched source after which another source may take over; default 2000. */
  readonly relatchAfterMs?: number;
  /** Which sources may send media; default `address` (see RtpLatching). */
  readonly latching?: RtpLatching;
  /** Uniform [0, 1) for the RTCP interval randomisation; default Math.random. */
  readonly random?: () => number;
}

/** What the pool hands to an endpoint it creates. */
export interface RtpEndpointSockets {
  readonly localAddress: string;
  readonly rtp: dgram.Socket;
  readonly rtcp: dgram.Socket;
  /** Called once both sockets have closed, to return the ports to the pool. */
  readonly release: () => void;
}

/** Bounded wait for the BYE datagram before the sockets close under it. */
const BYE_SEND_WAIT_MS = 200;

/**
 * One RTP/RTCP socket pair of a call leg, created by `RtpPortPool.open`. Receives and parses RTP
 * from the sources the latching policy allows (by default only the address the SDP names),
 * latches onto the source actually seen (symmetric RTP, RFC 4961), sends RTP back there, and runs
 * RTCP (reports every ~5 s, BYE on close).
 */
export class RtpEndpoint {
  readonly localAddress: string;
  readonly rtpPort: number;
  readonly rtcpPort: number;
  readonly #rtp: dgram.Socket;
  readonly #rtcp: dgram.Socket;
  readonly #release: () => void;
  readonly #clock: Clock;
  readonly #scheduler: TimerScheduler;
  readonly #receiver: RtpReceiver;
  readonly #reporter: RtcpReporter;
  readonly #rtcpMinIntervalMs: number;
  readonly #random: () => number;
  #sdpRemote: RtpRemote | undefined = undefined;
  #rtcpTimer: TimerHandle | undefined;
  #closing: Promise<void> | undefined = undefined;

  constructor(sockets: RtpEndpointSockets, options: RtpEndpointOptions = {}) {
    this.localAddress = sockets.localAddress;
    this.#rtp = sockets.rtp;
    this.#rtcp = sockets.rtcp;
    this.rtpPort = this.#rtp.address().port;
    this.rtcpPort = this.#rtcp.address().port;
    this.#release = sockets.release;
    this.#clock = options.clock ?? options.scheduler?.clock ?? systemClock;
    this.#scheduler = options.scheduler ?? createTimerScheduler(this.#clock);
    const clockRateHz = options.clockRateHz ?? 8000;
    this.#receiver = new RtpReceiver({
      clockRateHz,
      relatchAfterMs: options.relatchAfterMs ?? 2000,
      latching: options.latching ?? 'address',
    });
    this.#reporter = new RtcpReporter(
      options.ssrc ?? randomBytes(4).readUInt32BE(0),
      options.cname ?? randomBytes(12).toString('base64'),
      clockRateHz,
    );
    this.#rtcpMinIntervalMs = options.rtcpMinIntervalMs ?? 5000;
    this.#random = options.random ?? Math.random;
    this.#rtp.on('message', this.#onRtpMessage);
    this.#rtcp.on('message', this.#onRtcpMessage);
    // Socket errors (ICMP-induced, buffer) must never become uncaught 'error' events.
    this.#rtp.on('error', this.#onSocketError);
    this.#rtcp.on('error', this.#onSocketError);
    this.#scheduleReport(true);
  }

  /** Hot path callback, set by the session. Packets arrive parsed; their bytes are not reused. */
  get onPacket(): ((packet: RtpPacket, arrivalMs: number) => void) | undefined {
    return this.#receiver.onPacket;
  }

  set onPacket(callback: ((packet: RtpPacket, arrivalMs: number) => void) | undefined) {
    this.#receiver.onPacket = callback;
  }

  /** Live counters (not a snapshot). */
  get stats(): RtpEndpointStats {
    return this.#receiver.stats;
  }

  /** RFC 3550 Appendix A statistics of the latched stream, or undefined before one latched. */
  get streamStats(): RtpStreamStats | undefined {
    return this.#receiver.stream;
  }

  /** Where `send` goes now: the latched source, else the SDP remote. */
  get remote(): RtpRemote | undefined {
    const r = this.#receiver;
    if (r.latchedAddress === undefined) return this.#sdpRemote;
    return { address: r.latchedAddress, port: r.latchedPort, rtcpPort: this.#rtcpDestinationPort() };
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * The remote from the SDP. Until a packet arrives we send there; once one does we send to its
   * source instead (NAT, SBC media relays). A different SDP remote (re-INVITE) drops the latch so
   * the next packet latches afresh; `undefined` (or c=0.0.0.0, or port 0) stops sending until a
   * packet arrives.
   *
   * Under `address` and `strict` latching the SDP address is also the only one media is taken
   * from. Hold with c=0.0.0.0 (RFC 2543 style) or `undefined` keeps the address named before: it
   * is the same peer, which may still send (music on hold) and names its address again when it
   * resumes. Before any SDP address is known, nothing is taken.
   */
  setRemote(remote: RtpRemote | undefined): void {
    // RFC 3264 §8.4: c=0.0.0.0 (or port 0) means "do not send"; 0.0.0.0 would reach this host.
    if (
      remote !== undefined &&
      (remote.port === 0 || remote.address === '0.0.0.0' || remote.address === '::')
    ) {
      remote = undefined;
    }
    if (remote !== undefined) this.#receiver.expect(remote.address, remote.port);
    const old = this.#sdpRemote;
    const changed =
      remote === undefined ||
      old === undefined ||
      old.address !== remote.address ||
      old.port !== remote.port ||
      old.rtcpPort !== remote.rtcpPort;
    this.#sdpRemote = remote;
    if (changed) this.#receiver.unlatch();
  }

  /**
   * Sends one RTP packet to the latched (or SDP) remote; drops it and counts `sendDropped` when no
   * remote is known or the endpoint is closed. Throws InvalidArgumentError only for a packet whose
   * fields do not fit the wire format (a caller bug, not network input).
   */
  send(packet: RtpPacket): void {
    const stats = this.#receiver.stats;
    const r = this.#receiver;
    let address = r.latchedAddress;
    let port = r.latchedPort;
    if (address === undefined && this.#sdpRemote !== undefined) {
      address = this.#sdpRemote.address;
      port = this.#sdpRemote.port;
    }
    if (address === undefined || this.#closing !== undefined) {
      stats.sendDropped++;
      return;
    }
    // dgram resolves the address on a later tick even for an IP literal and reads the bytes only
    // then, so each datagram needs a buffer of its own; the pooled allocUnsafe slab keeps it cheap.
    const bytes = Buffer.allocUnsafe(rtpPacketBytes(packet));
    serializeRtpInto(packet, bytes, 0);
    this.#rtp.send(bytes, port, address, this.#onSent);
    stats.sent++;
    this.#reporter.recordSent(packet, this.#clock.nowMs());
  }

  /** Stops RTCP, sends an RTCP BYE, closes both sockets and returns the ports. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#rtcpTimer !== undefined) this.#scheduler.clear(this.#rtcpTimer);
    this.#rtcpTimer = undefined;
    this.#receiver.onPacket = undefined;
    // RFC 3550 §6.3.7: a participant leaving the session sends a BYE.
    await this.#sendReport(true);
    this.#rtp.off('message', this.#onRtpMessage);
    this.#rtcp.off('message', this.#onRtcpMessage);
    await Promise.all([closeSocket(this.#rtp), closeSocket(this.#rtcp)]);
    this.#release();
  }

  #onRtpMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    this.#receiver.onRtpDatagram(msg, rinfo.address, rinfo.port, this.#clock.nowMs());
  };

  #onRtcpMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    this.#receiver.onRtcpDatagram(msg, rinfo.address, rinfo.port, this.#clock.nowMs());
  };

  #onSent = (error: Error | null): void => {
    if (error !== null) this.#receiver.stats.sendErrors++;
  };

  #onSocketError = (): void => {
    this.#receiver.stats.sendErrors++;
  };

  #scheduleReport(initial: boolean): void {
    const delayMs = rtcpIntervalMs(this.#rtcpMinIntervalMs, this.#random, initial);
    this.#rtcpTimer = this.#scheduler.set(delayMs, () => {
      this.#rtcpTimer = undefined;
      if (this.#closing !== undefined) return;
      void this.#sendReport(false);
      this.#scheduleReport(false);
    });
  }

  #rtcpDestinationPort(): number {
    const r = this.#receiver;
    const sdp = this.#sdpRemote;
    if (r.rtcpAddress !== undefined) return r.rtcpPort;
    if (r.latchedAddress === undefined || (sdp?.address === r.latchedAddress && sdp.port === r.latchedPort)) {
      // RFC 3605 §2.1 / RFC 3550 §11: a=rtcp when given, else the next port up.
      return sdp === undefined ? 0 : (sdp.rtcpPort ?? sdp.port + 1);
    }
    // Latched behind a NAT the SDP ports are meaningless; the peer's mapping for RTCP is unknown
    // until it sends some, and RTP port + 1 is the usual guess.
    return r.latchedPort + 1;
  }

  /** Sends one compound report (with BYE when leaving); resolves when the socket is done. */
  #sendReport(bye: boolean): Promise<void> {
    const r = this.#receiver;
    const address = r.rtcpAddress ?? r.latchedAddress ?? this.#sdpRemote?.address;
    const port = this.#rtcpDestinationPort();
    if (address === undefined || port <= 0 || port > 65535) return Promise.resolve();
    const bytes = this.#reporter.compose(this.#clock.nowMs(), this.#clock.wallMs(), r.stream, bye);
    return new Promise((resolve) => {
      // A report that cannot go out within the bound is not worth holding the close for.
      const timer = setTimeout(resolve, BYE_SEND_WAIT_MS);
      timer.unref();
      try {
        this.#rtcp.send(bytes, port, address, (error) => {
          clearTimeout(timer);
          if (error) r.stats.sendErrors++;
          else r.stats.rtcpSent++;
          resolve();
        });
      } catch {
        clearTimeout(timer);
        r.stats.sendErrors++;
        resolve();
      }
    });
  }
}

function closeSocket(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      // Already closed (ERR_SOCKET_DGRAM_NOT_RUNNING): nothing left to wait for.
      resolve();
    }
  });
}
