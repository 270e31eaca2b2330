import dgram from 'node:dgram';
import net from 'node:net';
import { ParseError, VoxError } from '../../core/index.js';
import type { SipMessage, SipResponse } from '../message/index.js';
import { badRequestFor, parseMessage, serializeMessage } from '../message/index.js';
import { responseDestination } from './response-destination.js';
import type { SipDestination, SipSource } from './sip-destination.js';
import { SipStreamFramer } from './sip-stream-framer.js';
import { stampVia } from './stamp-via.js';

export interface SipTransportOptions {
  /** Address to bind; default 0.0.0.0. */
  readonly host?: string;
  /** Port for both UDP and TCP; default 5060; 0 picks an ephemeral port for each. */
  readonly port?: number;
  readonly udp?: boolean;
  readonly tcp?: boolean;
  /** Largest framed TCP message; default 64 KB. */
  readonly maxMessageBytes?: number;
  /** Open TCP connections accepted at once; default 1024. */
  readonly maxConnections?: number;
  /** Idle TCP connections are closed after this; default 5 minutes (0: never). */
  readonly idleTimeoutMs?: number;
  /** Bytes queued for a slow TCP peer before it is disconnected; default 1 MB. */
  readonly maxWriteBufferBytes?: number;
  /** To tag for the 400s the transport answers unparseable requests with. */
  readonly badRequestToTag?: string;
  /**
   * Source allowlist. Datagrams from other addresses are dropped before they are parsed (no 400,
   * no 403: nothing to reflect at a spoofed source) and TCP connections from them are closed at
   * accept. Counted as refusedDatagrams / refusedConnections. Default: everyone.
   */
  readonly allowSource?: (address: string) => boolean;
  /**
   * Open TCP connections from one address; more are closed at accept. Default 128: an SBC may
   * open several, but one address must not take the whole `maxConnections`.
   */
  readonly maxConnectionsPerSource?: number;
  /**
   * How long a TCP connection may take to deliver its first message, and any message once its
   * first byte arrived, before it is closed (slow-loris); default 10 s (0: never).
   */
  readonly messageTimeoutMs?: number;
}

export interface SipTransportMessage {
  readonly message: SipMessage;
  readonly source: SipSource;
  /** The TCP connection it arrived on. */
  readonly connectionId?: string;
}

export interface SipTransportStats {
  /**
   * Datagrams and framed stream messages received from allowed sources, good or bad (keep-alives
   * excluded). Every allowed datagram is counted in exactly one of received and keepAlives.
   */
  readonly received: number;
  /** Messages that parsed. */
  readonly parsed: number;
  readonly parseErrors: number;
  readonly badRequestsSent: number;
  /** Unparseable input without a salvageable 400, and messages no listener took. */
  readonly dropped: number;
  /** TCP connections closed for a framing error. */
  readonly framingErrors: number;
  readonly keepAlives: number;
  /** Responses handed to a socket without error (the 400s included). */
  readonly responsesSent: number;
  /** Datagrams from outside the allowlist, dropped unparsed. */
  readonly refusedDatagrams: number;
  /** TCP connections closed at accept: outside the allowlist or over the per-source cap. */
  readonly refusedConnections: number;
  /** TCP connections closed for holding an incomplete message too long. */
  readonly timedOutConnections: number;
  /** Exceptions thrown by listeners (the SIP stack above) that were not a ParseError. */
  readonly internalErrors: number;
}

export interface SipTransportEvents {
  message: (event: SipTransportMessage) => void;
  connectionClosed: (connectionId: string) => void;
  /** A listener threw, or a socket failed after listen; the transport keeps running. */
  error: (error: Error) => void;
}

interface Connection {
  readonly socket: net.Socket;
  readonly framer: SipStreamFramer;
  readonly source: SipSource;
  /** Runs while the connection owes a whole message (slow-loris bound). */
  messageTimer: NodeJS.Timeout | undefined;
}

type Listeners = { [K in keyof SipTransportEvents]: Set<SipTransportEvents[K]> };

const PONG = new Uint8Array([0x0d, 0x0a]);

/**
 * The SIP transport layer (RFC 3261 §18): UDP and TCP listeners on one host and port that turn
 * network bytes into parsed messages and back. Network input never throws: what cannot be
 * parsed is answered with a 400 when one can be built, else dropped and counted.
 */
export class SipTransport {
  readonly #options: SipTransportOptions;
  readonly #listeners: Listeners = { message: new Set(), connectionClosed: new Set(), error: new Set() };
  readonly #connections = new Map<string, Connection>();
  /** Open TCP connections per remote address. */
  readonly #perSource = new Map<string, number>();
  #udp: dgram.Socket | undefined;
  #tcp: net.Server | undefined;
  #nextConnection = 1;
  #closed = false;
  #stats = {
    received: 0,
    parsed: 0,
    parseErrors: 0,
    badRequestsSent: 0,
    dropped: 0,
    framingErrors: 0,
    keepAlives: 0,
    responsesSent: 0,
    refusedDatagrams: 0,
    refusedConnections: 0,
    timedOutConnections: 0,
    internalErrors: 0,
  };

  constructor(options: SipTransportOptions = {}) {
    this.#options = options;
  }

  get stats(): SipTransportStats {
    return { ...this.#stats };
  }

  /** Bound ports, once listening. */
  get ports(): { udp?: number; tcp?: number } {
    const tcp = this.#tcp?.address();
    return {
      ...(this.#udp && { udp: this.#udp.address().port }),
      ...(tcp && typeof tcp === 'object' && { tcp: tcp.port }),
    };
  }

  /** Bound addresses and ports as the sockets report them, once listening (the start banner). */
  get boundAddresses(): {
    udp?: { address: string; family: string; port: number };
    tcp?: { address: string; family: string; port: number };
  } {
    const udp = this.#udp?.address();
    const tcp = this.#tcp?.address();
    return {
      ...(udp && { udp: { address: udp.address, family: udp.family, port: udp.port } }),
      ...(tcp &&
        typeof tcp === 'object' && { tcp: { address: tcp.address, family: tcp.family, port: tcp.port } }),
    };
  }

  /** Ids of the open TCP connections. */
  get connectionIds(): string[] {
    return [...this.#connections.keys()];
  }

  isOpen(connectionId: string): boolean {
    return this.#connections.has(connectionId);
  }

  on<K extends keyof SipTransportEvents>(event: K, listener: SipTransportEvents[K]): () => void {
    this.#listeners[event].add(listener);
    return () => this.off(event, listener);
  }

  off<K extends keyof SipTransportEvents>(event: K, listener: SipTransportEvents[K]): void {
    this.#listeners[event].delete(listener);
  }

  async listen(): Promise<void> {
    const host = this.#options.host ?? '0.0.0.0';
    const port = this.#options.port ?? 5060;
    try {
      if (this.#options.udp ?? true) await this.#listenUdp(host, port);
      if (this.#options.tcp ?? true) await this.#listenTcp(host, port);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /**
   * RFC 3261 §18.2.2 and RFC 3581 §4: where to send a response; `connectionId` is the one the
   * request arrived on.
   */
  responseDestination(response: SipResponse, connectionId?: string): SipDestination | undefined {
    return responseDestination(response, {
      ...(connectionId !== undefined && { connectionId }),
      isOpen: (id) => this.isOpen(id),
    });
  }

  /** Sends a message; rejects with a VoxError when the destination cannot be reached. */
  async send(message: SipMessage, destination: SipDestination): Promise<void> {
    await this.#sendBytes(serializeMessage(message), destination);
    if (message.kind === 'response') this.#stats.responsesSent++;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const udp = this.#udp;
    const tcp = this.#tcp;
    this.#udp = undefined;
    this.#tcp = undefined;
    const waits: Promise<void>[] = [];
    if (udp) waits.push(new Promise((resolve) => udp.close(() => resolve())));
    if (tcp) waits.push(new Promise((resolve) => tcp.close(() => resolve())));
    for (const { socket } of this.#connections.values()) {
      if (!socket.closed) waits.push(new Promise((resolve) => socket.once('close', () => resolve())));
      socket.destroy();
    }
    await Promise.all(waits);
  }

  async #sendBytes(bytes: Uint8Array, destination: SipDestination): Promise<void> {
    if ('connectionId' in destination) {
      const connection = this.#connections.get(destination.connectionId);
      if (!connection) {
        throw new VoxError('SIP_CONNECTION_CLOSED', `connection ${destination.connectionId} is not open`);
      }
      this.#write(connection, bytes);
      return;
    }
    if (destination.transport === 'tcp') {
      throw new VoxError('SIP_TRANSPORT_UNSUPPORTED', 'outbound TCP connections are not supported yet');
    }
    const udp = this.#udp;
    if (!udp) throw new VoxError('SIP_TRANSPORT_CLOSED', 'UDP is not listening');
    // A Via or Contact from the network can name port 0 (or worse); dgram would throw a plain
    // RangeError for it, which is a routing failure, not a bug of ours.
    if (!Number.isInteger(destination.port) || destination.port < 1 || destination.port > 65535) {
      throw new VoxError('SIP_BAD_DESTINATION', `cannot send to port ${destination.port}`);
    }
    await new Promise<void>((resolve, reject) => {
      udp.send(bytes, destination.port, destination.address, (error) =>
        error ? reject(new VoxError('SIP_SEND_FAILED', error.message, { cause: error })) : resolve(),
      );
    });
  }

  #write(connection: Connection, bytes: Uint8Array): void {
    const { socket } = connection;
    // No unbounded queues: a peer that stops reading is disconnected rather than buffered for.
    if (socket.writableLength + bytes.length > (this.#options.maxWriteBufferBytes ?? 1 << 20)) {
      socket.destroy();
      throw new VoxError('SIP_CONNECTION_CLOSED', 'peer is not reading; connection closed');
    }
    socket.write(bytes);
  }

  #listenUdp(host: string, port: number): Promise<void> {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    this.#udp = socket;
    socket.on('message', (bytes, remote) => {
      // The allowlist comes before anything else, parsing included.
      if (!this.#allowed(remote.address)) {
        this.#stats.refusedDatagrams++;
        return;
      }
      this.#onInput(bytes, { transport: 'udp', address: remote.address, port: remote.port });
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        socket.on('error', (error) => this.#emitError(error));
        resolve();
      });
    });
  }

  #listenTcp(host: string, port: number): Promise<void> {
    const server = net.createServer((socket) => this.#accept(socket));
    server.maxConnections = this.#options.maxConnections ?? 1024;
    this.#tcp = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', (error) => this.#emitError(error));
        resolve();
      });
    });
  }

  #accept(socket: net.Socket): void {
    const address = socket.remoteAddress;
    if (this.#closed || address === undefined || socket.remotePort === undefined) {
      socket.destroy();
      return;
    }
    const open = this.#perSource.get(address) ?? 0;
    if (!this.#allowed(address) || open >= (this.#options.maxConnectionsPerSource ?? 128)) {
      // Closed before a byte is read: an outsider gets no framer, no timer, no answer.
      this.#stats.refusedConnections++;
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    this.#perSource.set(address, open + 1);
    const id = `tcp-${this.#nextConnection++}`;
    const connection: Connection = {
      socket,
      framer: new SipStreamFramer({ maxMessageBytes: this.#options.maxMessageBytes ?? 65536 }),
      source: { transport: 'tcp', address, port: socket.remotePort },
      messageTimer: undefined,
    };
    this.#connections.set(id, connection);
    const idleMs = this.#options.idleTimeoutMs ?? 300_000;
    if (idleMs > 0) socket.setTimeout(idleMs, () => socket.destroy());
    // A new connection owes its first message within the bound, like one that started a message.
    this.#armMessageTimer(connection);
    // Errors (resets) are followed by 'close', which does the cleanup.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (connection.messageTimer !== undefined) clearTimeout(connection.messageTimer);
      const left = (this.#perSource.get(address) ?? 1) - 1;
      if (left > 0) this.#perSource.set(address, left);
      else this.#perSource.delete(address);
      this.#connections.delete(id);
      this.#emit('connectionClosed', id);
    });
    socket.on('data', (chunk: Buffer) => this.#onStreamData(id, connection, chunk));
  }

  #allowed(address: string): boolean {
    const allow = this.#options.allowSource;
    return allow === undefined || allow(address);
  }

  /**
   * Slow-loris bound: a connection holding part of a message (or none yet, just after accept)
   * must complete it within messageTimeoutMs, however slowly it trickles bytes in, since every
   * byte would otherwise reset the idle timeout.
   */
  #armMessageTimer(connection: Connection): void {
    const timeoutMs = this.#options.messageTimeoutMs ?? 10_000;
    if (timeoutMs <= 0 || connection.messageTimer !== undefined) return;
    connection.messageTimer = setTimeout(() => {
      connection.messageTimer = undefined;
      this.#stats.timedOutConnections++;
      connection.socket.destroy();
    }, timeoutMs);
    connection.messageTimer.unref();
  }

  #onStreamData(id: string, connection: Connection, chunk: Uint8Array): void {
    const framed = connection.framer.push(chunk);
    for (let i = 0; i < framed.pings; i++) {
      // RFC 5626 §3.5.1: each CRLFCRLF ping is answered with a CRLF pong.
      this.#stats.keepAlives++;
      if (!connection.socket.destroyed) this.#tryWrite(connection, PONG);
    }
    for (const bytes of framed.messages) {
      if (connection.socket.destroyed) break;
      this.#onInput(bytes, connection.source, id);
    }
    if (framed.error) {
      // RFC 3261 §18.3: a stream that cannot be framed cannot be resynchronized; close it.
      this.#stats.framingErrors++;
      connection.socket.destroy();
      return;
    }
    // A completed message (or ping) restarts the bound for whatever follows it.
    if (framed.messages.length > 0 || framed.pings > 0) {
      if (connection.messageTimer !== undefined) clearTimeout(connection.messageTimer);
      connection.messageTimer = undefined;
    }
    if (connection.framer.bufferedBytes > 0) this.#armMessageTimer(connection);
  }

  #tryWrite(connection: Connection, bytes: Uint8Array): void {
    try {
      this.#write(connection, bytes);
    } catch {
      // The connection was closed for not reading; nothing else to do.
    }
  }

  /** One datagram or one framed stream message. */
  #onInput(bytes: Uint8Array, source: SipSource, connectionId?: string): void {
    if (this.#closed) return;
    if (source.transport === 'udp' && bytes.every((b) => b === 0x0d || b === 0x0a)) {
      // CRLF keep-alives sent over UDP by some clients (RFC 5626 §3.5.1 style) carry nothing.
      this.#stats.keepAlives++;
      return;
    }
    this.#stats.received++;
    let message: SipMessage;
    try {
      message = parseMessage(bytes);
    } catch (error) {
      this.#onParseError(bytes, error, source, connectionId);
      return;
    }
    this.#stats.parsed++;
    if (message.kind === 'request') message = stampVia(message, source);
    if (this.#listeners.message.size === 0) {
      this.#stats.dropped++;
      return;
    }
    this.#emit('message', { message, source, ...(connectionId !== undefined && { connectionId }) });
  }

  #onParseError(bytes: Uint8Array, error: unknown, source: SipSource, connectionId?: string): void {
    this.#stats.parseErrors++;
    const parseError = error instanceof ParseError ? error : new ParseError(String(error), 0);
    let response: SipResponse | undefined;
    try {
      response = badRequestFor(bytes, parseError, {
        ...(this.#options.badRequestToTag !== undefined && { toTag: this.#options.badRequestToTag }),
      });
    } catch {
      response = undefined;
    }
    if (!response) {
      this.#stats.dropped++;
      return;
    }
    // The Via may be what failed to parse, so the 400 goes back where the bytes came from.
    const destination: SipDestination =
      connectionId !== undefined
        ? { transport: 'tcp', connectionId }
        : { transport: 'udp', address: source.address, port: source.port };
    this.#stats.badRequestsSent++;
    this.#sendBytes(serializeMessage(response), destination).then(
      () => {
        this.#stats.responsesSent++;
      },
      () => {
        this.#stats.badRequestsSent--;
        this.#stats.dropped++;
      },
    );
  }

  #emit<K extends keyof SipTransportEvents>(event: K, ...args: Parameters<SipTransportEvents[K]>): void {
    for (const listener of this.#listeners[event]) {
      try {
        (listener as (...a: Parameters<SipTransportEvents[K]>) => void)(...args);
      } catch (error) {
        // A ParseError from above is hostile input the stack refused; anything else is our bug.
        if (!(error instanceof ParseError)) this.#stats.internalErrors++;
        if (event !== 'error') this.#emitError(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  #emitError(error: Error): void {
    this.#emit('error', error);
  }
}
