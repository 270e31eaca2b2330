/**
 * The transport against peers it must not serve: sources outside the allowlist (UDP and TCP),
 * too many connections from one address, and slow-loris connections that trickle bytes in.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { ParseError, VoxError } from '../../../../src/core/index.js';
import { createResponse, parseMessage } from '../../../../src/sip/message/index.js';
import { SipTransport } from '../../../../src/sip/transport/index.js';
import type { SipTransportOptions } from '../../../../src/sip/transport/index.js';
import { bytesOf, optionsRequest, text } from './sip-fixtures.js';

const HOST = '127.0.0.1';
const OUTSIDE = '127.0.0.2';

async function udpClient(host: string): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  return socket;
}

async function sendUdp(socket: dgram.Socket, bytes: Uint8Array, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    socket.send(bytes, port, HOST, (e) => (e ? reject(e) : resolve())),
  );
}

/** A TCP client from `localAddress`; resolves once connected and tracks whether it closed. */
async function tcpClient(
  port: number,
  localAddress: string,
): Promise<{ socket: net.Socket; closed: () => boolean }> {
  const socket = net.connect({ port, host: HOST, localAddress });
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return { socket, closed: () => closed };
}

function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (predicate()) resolve();
      else if (Date.now() - start > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Salvageable garbage: the transport answers it with a 400 when it parses it at all. */
const GARBAGE = bytesOf(text(optionsRequest()).replace('Max-Forwards: 70', 'Max-Forwards: seventy'));

describe('SipTransport against hostile peers', () => {
  const open: SipTransport[] = [];
  const sockets: (dgram.Socket | net.Socket)[] = [];

  async function start(options: Partial<SipTransportOptions> = {}): Promise<SipTransport> {
    const transport = new SipTransport({ host: HOST, port: 0, badRequestToTag: 'bad1', ...options });
    await transport.listen();
    open.push(transport);
    return transport;
  }

  afterEach(async () => {
    for (const s of sockets.splice(0)) {
      if (s instanceof net.Socket) s.destroy();
      else s.close();
    }
    await Promise.all(open.splice(0).map((t) => t.close()));
  });

  it('drops UDP from outside the allowlist before parsing: no 400, no 403, no message', async () => {
    const transport = await start({ allowSource: (address) => address === HOST });
    const messages: unknown[] = [];
    transport.on('message', (m) => messages.push(m));
    const outsider = await udpClient(OUTSIDE);
    const insider = await udpClient(HOST);
    sockets.push(outsider, insider);
    const answersOutside: Buffer[] = [];
    outsider.on('message', (b: Buffer) => answersOutside.push(b));
    await sendUdp(outsider, GARBAGE, transport.ports.udp!);
    await sendUdp(outsider, optionsRequest(), transport.ports.udp!);
    await waitFor(() => transport.stats.refusedDatagrams === 2, 'two refusals');
    // The insider's identical garbage is answered, which shows the outsider's would have been.
    const reply = once(insider, 'message');
    await sendUdp(insider, GARBAGE, transport.ports.udp!);
    const [bytes] = (await reply) as [Buffer];
    assert.match(bytes.toString('latin1'), /^SIP\/2\.0 400/);
    await sleep(50);
    assert.equal(answersOutside.length, 0);
    assert.equal(messages.length, 0);
    const stats = transport.stats;
    assert.deepEqual(
      [stats.received, stats.parseErrors, stats.parsed, stats.refusedDatagrams],
      [1, 1, 0, 2],
      'only the insider datagram was parsed',
    );
  });

  it('closes TCP connections from outside the allowlist at accept, before reading a byte', async () => {
    const transport = await start({ allowSource: (address) => address === HOST });
    const outsider = await tcpClient(transport.ports.tcp!, OUTSIDE);
    sockets.push(outsider.socket);
    outsider.socket.write(optionsRequest());
    await waitFor(outsider.closed, 'the server to close the outsider');
    assert.equal(transport.stats.refusedConnections, 1);
    assert.equal(transport.stats.received, 0);
    assert.deepEqual(transport.connectionIds, []);
    const insider = await tcpClient(transport.ports.tcp!, HOST);
    sockets.push(insider.socket);
    await waitFor(() => transport.connectionIds.length === 1, 'the insider connection');
  });

  it('caps TCP connections per source address', async () => {
    const transport = await start({ maxConnectionsPerSource: 3 });
    const clients: { socket: net.Socket; closed: () => boolean }[] = [];
    for (let i = 0; i < 5; i++) {
      const client = await tcpClient(transport.ports.tcp!, OUTSIDE);
      sockets.push(client.socket);
      clients.push(client);
    }
    await waitFor(() => clients.filter((c) => c.closed()).length === 2, 'two refusals');
    assert.equal(transport.connectionIds.length, 3);
    assert.equal(transport.stats.refusedConnections, 2);
    // Another address is not affected by the first one's cap.
    const other = await tcpClient(transport.ports.tcp!, HOST);
    sockets.push(other.socket);
    await waitFor(() => transport.connectionIds.length === 4, 'the other address');
    // Closing one frees a slot for that address again.
    clients[0]!.socket.destroy();
    await waitFor(() => transport.connectionIds.length === 3, 'the slot to free');
    const again = await tcpClient(transport.ports.tcp!, OUTSIDE);
    sockets.push(again.socket);
    await waitFor(() => transport.connectionIds.length === 4, 'the reconnect');
    assert.equal(again.closed(), false);
  });

  it('closes a slow-loris connection that trickles a message a byte at a time', async () => {
    // The idle timeout alone never fires: every byte resets it.
    const transport = await start({ messageTimeoutMs: 300, idleTimeoutMs: 200 });
    const loris = await tcpClient(transport.ports.tcp!, HOST);
    sockets.push(loris.socket);
    const message = optionsRequest();
    let sent = 0;
    while (!loris.closed() && sent < message.length) {
      loris.socket.write(message.subarray(sent, sent + 1));
      sent++;
      await sleep(20);
    }
    await waitFor(loris.closed, 'the server to close the slow connection');
    assert.ok(sent < message.length, `the whole ${message.length}-byte message got through`);
    assert.equal(transport.stats.timedOutConnections, 1);
    assert.equal(transport.stats.received, 0);
  });

  it('keeps a connection that delivers whole messages, however long it lives', async () => {
    const transport = await start({ messageTimeoutMs: 200 });
    const got: unknown[] = [];
    transport.on('message', (m) => got.push(m));
    const client = await tcpClient(transport.ports.tcp!, HOST);
    sockets.push(client.socket);
    for (let i = 0; i < 5; i++) {
      client.socket.write(optionsRequest({ callId: `alive-${i}` }));
      await sleep(100);
    }
    await waitFor(() => got.length === 5, 'five messages');
    assert.equal(client.closed(), false);
    assert.equal(transport.stats.timedOutConnections, 0);
  });

  it('counts a listener bug as an internal error, and a ParseError from above as none', async () => {
    const transport = await start();
    let mode: 'bug' | 'parse' = 'bug';
    transport.on('message', () => {
      if (mode === 'bug') throw new TypeError('stack bug');
      throw new ParseError('hostile header', 0);
    });
    transport.on('error', () => undefined);
    const client = await udpClient(HOST);
    sockets.push(client);
    await sendUdp(client, optionsRequest({ callId: 'one' }), transport.ports.udp!);
    await waitFor(() => transport.stats.parsed === 1, 'the first message');
    mode = 'parse';
    await sendUdp(client, optionsRequest({ callId: 'two' }), transport.ports.udp!);
    await waitFor(() => transport.stats.parsed === 2, 'the second message');
    assert.equal(transport.stats.internalErrors, 1);
  });

  it('refuses to send to port 0 (a hostile Via) with a VoxError, not a RangeError', async () => {
    const transport = await start();
    const request = parseMessage(optionsRequest());
    assert.equal(request.kind, 'request');
    if (request.kind !== 'request') return;
    const response = createResponse(request, 200, undefined, { toTag: 't' });
    await assert.rejects(transport.send(response, { transport: 'udp', address: HOST, port: 0 }), (error) => {
      assert.ok(error instanceof VoxError);
      assert.equal(error.code, 'SIP_BAD_DESTINATION');
      return true;
    });
  });
});
