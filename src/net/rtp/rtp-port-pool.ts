import dgram from 'node:dgram';
import net from 'node:net';
import { InvalidArgumentError, VoxError } from '../../core/index.js';
import type { RtpEndpointOptions } from './rtp-endpoint.js';
import { RtpEndpoint } from './rtp-endpoint.js';
import { RtpPortsExhaustedError } from './rtp-net-errors.js';

export interface RtpPortPoolOptions {
  /** Local address to bind, e.g. '127.0.0.1' or '0.0.0.0'. */
  readonly host: string;
  /** Inclusive range, e.g. 20000–29999. RTP takes the even ports, RTCP the odd one above each. */
  readonly minPort: number;
  readonly maxPort: number;
  /** Options every endpoint gets unless `open` overrides them (e.g. the latching policy). */
  readonly endpointDefaults?: RtpEndpointOptions;
}

/** Errors that mean "this port is not ours to take", so the search moves on. */
const SKIPPABLE_BIND_ERRORS = new Set(['EADDRINUSE', 'EACCES']);

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      closeQuietly(socket);
      reject(error);
    };
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

function closeQuietly(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // Already closed.
  }
}

/**
 * Lends RTP/RTCP port pairs from a fixed range: RTP on an even port P, RTCP on P + 1 (RFC 3550
 * §11). Blocks of several pairs are contiguous (P, P+2, ...), as SIPREC answers with one m-line
 * per leg want. Ports are handed out round-robin, so a pair just given back is the last to be
 * reused and late packets of an ended call do not land in a new one.
 */
export class RtpPortPool {
  readonly host: string;
  readonly #firstPort: number;
  readonly #capacity: number;
  /** One flag per pair: lent (or being bound) by this pool. */
  readonly #lent: Uint8Array;
  readonly #endpointDefaults: RtpEndpointOptions;
  /** Endpoints lent and not yet closed, for pool-wide counters. */
  readonly #live = new Set<RtpEndpoint>();
  /** `rejected` of endpoints already closed. */
  #retiredRejected = 0;
  #inUse = 0;
  #cursor = 0;

  constructor(options: RtpPortPoolOptions) {
    const { host, minPort, maxPort } = options;
    if (net.isIP(host) === 0) throw new InvalidArgumentError(`RTP host ${host} is not an IP address`);
    for (const [name, value] of [
      ['minPort', minPort],
      ['maxPort', maxPort],
    ] as const) {
      if (!Number.isInteger(value) || value < 1 || value > 65535) {
        throw new InvalidArgumentError(`RTP ${name} ${value} is outside 1..65535`);
      }
    }
    this.host = host;
    this.#firstPort = minPort + (minPort % 2);
    this.#capacity = Math.max(0, Math.floor((maxPort - this.#firstPort + 1) / 2));
    if (this.#capacity === 0) {
      throw new InvalidArgumentError(`RTP port range ${minPort}-${maxPort} holds no even/odd port pair`);
    }
    this.#lent = new Uint8Array(this.#capacity);
    this.#endpointDefaults = options.endpointDefaults ?? {};
  }

  /** Pairs currently lent; back to 0 once every endpoint has closed. */
  get inUse(): number {
    return this.#inUse;
  }

  /**
   * Datagrams every endpoint of this pool refused under its latching policy (from an address no
   * SDP named), live and closed ones together: the gateway-wide count of RTP/RTCP injection
   * attempts.
   */
  get rejectedPackets(): number {
    let total = this.#retiredRejected;
    for (const endpoint of this.#live) total += endpoint.stats.rejected;
    return total;
  }

  /** Pairs in the range. */
  get capacity(): number {
    return this.#capacity;
  }

  /**
   * Binds `count` RTP/RTCP socket pairs on contiguous even ports P, P+2, ... (RTCP = RTP + 1),
   * skipping ports another process holds (EADDRINUSE) and ports this pool already lent. Rejects
   * with RtpPortsExhaustedError when no block is free after one pass over the range.
   */
  async open(count: number, options?: RtpEndpointOptions): Promise<RtpEndpoint[]> {
    if (!Number.isInteger(count) || count < 1 || count > this.#capacity) {
      throw new InvalidArgumentError(`cannot open ${count} RTP port pairs from a pool of ${this.#capacity}`);
    }
    // One pass over the range: each failed start moves the cursor forward by at least one pair.
    let scanned = 0;
    let start = this.#cursor;
    while (scanned < this.#capacity) {
      if (start + count > this.#capacity) {
        scanned += this.#capacity - start;
        start = 0;
        continue;
      }
      const lentAt = this.#firstLent(start, count);
      if (lentAt >= 0) {
        scanned += lentAt - start + 1;
        start = lentAt + 1;
        continue;
      }
      // Reserve synchronously so a concurrent open() skips this block while we bind it.
      this.#mark(start, count, 1);
      let bound;
      try {
        bound = await this.#bindBlock(start, count);
      } catch (error) {
        this.#mark(start, count, 0);
        throw error;
      }
      if (Array.isArray(bound)) {
        this.#cursor = (start + count) % this.#capacity;
        return bound.map((pair, i) => {
          const endpoint: RtpEndpoint = new RtpEndpoint(
            {
              localAddress: this.host,
              rtp: pair[0],
              rtcp: pair[1],
              release: () => {
                this.#mark(start + i, 1, 0);
                if (this.#live.delete(endpoint)) this.#retiredRejected += endpoint.stats.rejected;
              },
            },
            { ...this.#endpointDefaults, ...options },
          );
          this.#live.add(endpoint);
          return endpoint;
        });
      }
      this.#mark(start, count, 0);
      scanned += bound - start + 1;
      start = bound + 1;
    }
    throw new RtpPortsExhaustedError(
      `no ${count} contiguous free RTP port pairs in ${this.#firstPort}-${this.#firstPort + 2 * this.#capacity - 1}`,
    );
  }

  #firstLent(start: number, count: number): number {
    for (let i = start; i < start + count; i++) if (this.#lent[i] === 1) return i;
    return -1;
  }

  #mark(start: number, count: number, value: 0 | 1): void {
    for (let i = start; i < start + count; i++) {
      if (this.#lent[i] !== value) this.#inUse += value === 1 ? 1 : -1;
      this.#lent[i] = value;
    }
  }

  /** The bound socket pairs, or the index of the pair another process holds. */
  async #bindBlock(start: number, count: number): Promise<[dgram.Socket, dgram.Socket][] | number> {
    const pairs: [dgram.Socket, dgram.Socket][] = [];
    for (let i = start; i < start + count; i++) {
      const port = this.#firstPort + 2 * i;
      let rtp: dgram.Socket | undefined;
      try {
        rtp = await bindUdp(this.host, port);
        pairs.push([rtp, await bindUdp(this.host, port + 1)]);
      } catch (error) {
        if (rtp !== undefined) closeQuietly(rtp);
        for (const [a, b] of pairs) {
          closeQuietly(a);
          closeQuietly(b);
        }
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== undefined && SKIPPABLE_BIND_ERRORS.has(code)) return i;
        throw new VoxError('RTP_BIND_FAILED', `cannot bind RTP port ${port} on ${this.host}`, {
          cause: error,
        });
      }
    }
    return pairs;
  }
}
