import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { SipMessage } from '../../../../src/sip/message/index.js';
import { createResponse, getHeader, getVias, parseMessage } from '../../../../src/sip/message/index.js';
import type { SipTransportMessage } from '../../../../src/sip/transport/index.js';
import { SipStreamFramer, SipTransport } from '../../../../src/sip/transport/index.js';
import { bytesOf, concat, optionsRequest, text } from './sip-fixtures.js';

const HOST = '127.0.0.1';

/** Resolves with the next `count` messages the transport emits. */
function nextMessages(transport: SipTransport, count: number): Promise<SipTransportMessage[]> {
  return new Promise((resolve) => {
    const got: SipTransportMessage[] = [];
    const off = transport.on('message', (event) => {
      got.push(event);
      if (got.length === count) {
        off();
        resolve(got);
      }
    });
  });
}

async function udpClient(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  return socket;
}

async function sendUdp(socket: dgram.Socket, bytes: Uint8Array, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    socket.send(bytes, port, HOST, (e) => (e ? reject(e) : resolve())),
  );
}

async function closeUdp(socket: dgram.Socket): Promise<void> {
  await new Promise<void>((resolve) => socket.close(() => resolve()));
}

async function tcpClient(port: number): Promise<net.Socket> {
  const socket = net.connect(port, HOST);
  await once(socket, 'connect');
  return socket;
}

async function closeTcp(socket: net.Socket): Promise<void> {
  if (socket.closed) return;
  const closed = once(socket, 'close');
  socket.destroy();
  await closed;
}

function waitFor(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (predicate()) resolve();
      else if (Date.now() - start > timeoutMs) reject(new Error('timed out waiting'));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

function asText(message: SipMessage): string {
  return message.kind === 'request'
    ? `${message.method} ${getHeader(message, 'Call-ID')}`
    : String(message.status);
}

describe('SipTransport over loopback', () => {
  let transport: SipTransport;
  let udpPort: number;
  let tcpPort: number;

  beforeEach(async () => {
    transport = new SipTransport({ host: HOST, port: 0, badRequestToTag: 'bad1' });
    await transport.listen();
    udpPort = transport.ports.udp!;
    tcpPort = transport.ports.tcp!;
  });

  afterEach(async () => {
    await transport.close();
  });

  it('emits a UDP request with its source, stamping received/rport on the top Via', async () => {
    const client = await udpClient();
    const clientPort = client.address().port;
    const got = nextMessages(transport, 1);
    await sendUdp(
      client,
      optionsRequest({ via: 'SIP/2.0/UDP client.invalid:5070;rport;branch=z9hG4bK1' }),
      udpPort,
    );
    const [event] = await got;
    assert.ok(event);
    assert.deepEqual(event.source, { transport: 'udp', address: HOST, port: clientPort });
    assert.equal(event.connectionId, undefined);
    assert.equal(asText(event.message), 'OPTIONS a84b4c76e66710@pc33');
    const top = getVias(event.message)[0];
    assert.equal(top?.received, HOST);
    assert.equal(top?.rport, clientPort);
    assert.equal(transport.stats.received, 1);

    // A response built from it goes back to the client's socket (RFC 3581 §4).
    assert.equal(event.message.kind, 'request');
    if (event.message.kind !== 'request') return;
    const response = createResponse(event.message, 200, undefined, { toTag: 't1' });
    const destination = transport.responseDestination(response);
    assert.deepEqual(destination, { transport: 'udp', address: HOST, port: clientPort });
    const reply = once(client, 'message');
    await transport.send(response, destination);
    const [bytes] = (await reply) as [Buffer];
    assert.equal(asText(parseMessage(bytes)), '200');
    await closeUdp(client);
  });

  it('answers a garbage datagram with salvageable headers with a 400 to the sender', async () => {
    const client = await udpClient();
    const garbage = bytesOf(text(optionsRequest()).replace('Max-Forwards: 70', 'Max-Forwards: seventy'));
    const reply = once(client, 'message');
    await sendUdp(client, garbage, udpPort);
    const [bytes] = (await reply) as [Buffer];
    const response = parseMessage(bytes);
    assert.equal(response.kind, 'response');
    assert.equal(response.kind === 'response' && response.status, 400);
    assert.match(getHeader(response, 'To') ?? '', /tag=bad1/);
    await waitFor(() => transport.stats.responsesSent === 1);
    assert.deepEqual(transport.stats, {
      received: 1,
      parsed: 0,
      parseErrors: 1,
      badRequestsSent: 1,
      dropped: 0,
      framingErrors: 0,
      keepAlives: 0,
      responsesSent: 1,
      refusedDatagrams: 0,
      refusedConnections: 0,
      timedOutConnections: 0,
      internalErrors: 0,
    });
    await closeUdp(client);
  });

  it('drops and counts an unsalvageable datagram and keeps working', async () => {
    const client = await udpClient();
    await sendUdp(client, bytesOf('\x00\x01 not sip at all \xff'), udpPort);
    await waitFor(() => transport.stats.dropped === 1);
    assert.equal(transport.stats.parseErrors, 1);
    assert.equal(transport.stats.badRequestsSent, 0);
    const got = nextMessages(transport, 1);
    await sendUdp(client, optionsRequest(), udpPort);
    assert.equal((await got).length, 1);
    await closeUdp(client);
  });

  it('survives a listener that throws, reporting it as an error event', async () => {
    const client = await udpClient();
    const errors: Error[] = [];
    transport.on('error', (e) => errors.push(e));
    transport.on('message', () => {
      throw new Error('listener bug');
    });
    await sendUdp(client, optionsRequest(), udpPort);
    await waitFor(() => errors.length === 1);
    assert.match(errors[0]!.message, /listener bug/);
    await closeUdp(client);
  });

  it('reassembles a TCP message split across many writes', async () => {
    const client = await tcpClient(tcpPort);
    const got = nextMessages(transport, 1);
    const msg = optionsRequest({
      via: 'SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK2',
      body: 'a body with\r\n\r\nblank lines',
    });
    for (let i = 0; i < msg.length; i += 7) {
      client.write(msg.subarray(i, i + 7));
      await new Promise((r) => setImmediate(r));
    }
    const [event] = await got;
    assert.equal(event?.source.transport, 'tcp');
    assert.equal(event?.source.port, client.localPort);
    assert.ok(event?.connectionId && transport.isOpen(event.connectionId));
    assert.equal(text(event.message.body), 'a body with\r\n\r\nblank lines');
    await closeTcp(client);
  });

  it('yields two TCP messages from one write, skipping keep-alives and answering pings with pongs', async () => {
    const client = await tcpClient(tcpPort);
    const got = nextMessages(transport, 2);
    const pong = once(client, 'data');
    const via = 'SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK3';
    client.write(
      concat(
        bytesOf('\r\n\r\n'),
        optionsRequest({ via, callId: 'one' }),
        bytesOf('\r\n'),
        optionsRequest({ via, callId: 'two' }),
      ),
    );
    const events = await got;
    assert.deepEqual(
      events.map((e) => asText(e.message)),
      ['OPTIONS one', 'OPTIONS two'],
    );
    assert.equal(events[0]?.connectionId, events[1]?.connectionId);
    const [data] = (await pong) as [Buffer];
    assert.equal(data.toString('latin1'), '\r\n');
    assert.equal(transport.stats.keepAlives, 1);

    // A response goes back on the same connection while it is open (RFC 3261 §18.2.2).
    const request = events[0]!.message;
    assert.equal(request.kind, 'request');
    if (request.kind !== 'request') return;
    const response = createResponse(request, 200, undefined, { toTag: 't2' });
    const destination = transport.responseDestination(response, events[0]!.connectionId);
    assert.deepEqual(destination, { transport: 'tcp', connectionId: events[0]!.connectionId });
    const framer = new SipStreamFramer();
    const reply = new Promise<Uint8Array>((resolve) =>
      client.on('data', (chunk: Buffer) => {
        const [message] = framer.push(chunk).messages;
        if (message) resolve(message);
      }),
    );
    await transport.send(response, destination);
    assert.equal(asText(parseMessage(await reply)), '200');
    await closeTcp(client);
  });

  it('closes a TCP connection on a framing error (no Content-Length) and reports it', async () => {
    const client = await tcpClient(tcpPort);
    const closed = new Promise<string>((resolve) => transport.on('connectionClosed', resolve));
    const ended = once(client, 'close');
    client.write(optionsRequest({ contentLength: false }));
    await ended;
    const id = await closed;
    assert.equal(transport.isOpen(id), false);
    assert.equal(transport.stats.framingErrors, 1);
    await assert.rejects(
      transport.send(parseMessage(optionsRequest()), { transport: 'tcp', connectionId: id }),
      /not open/,
    );
  });

  it('answers an unparseable framed TCP request with a 400 on the connection', async () => {
    const client = await tcpClient(tcpPort);
    const framer = new SipStreamFramer();
    const reply = new Promise<Uint8Array>((resolve) =>
      client.on('data', (chunk: Buffer) => {
        const [message] = framer.push(chunk).messages;
        if (message) resolve(message);
      }),
    );
    client.write(bytesOf(text(optionsRequest()).replace('Max-Forwards: 70', 'Max-Forwards: x')));
    const response = parseMessage(await reply);
    assert.equal(response.kind === 'response' && response.status, 400);
    await closeTcp(client);
  });
});
