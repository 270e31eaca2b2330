import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import { SipTransport } from '../../../../src/sip/transport/index.js';

const HOST = '127.0.0.1';

/** Socket-like handles alive in this process (this file runs in its own process). */
function handles(): string[] {
  return process.getActiveResourcesInfo().filter((r) => /UDP|TCP|Pipe/i.test(r));
}

describe('SipTransport lifecycle', () => {
  it('close() leaves no sockets, servers or connections behind', async () => {
    const before = handles();
    const transport = new SipTransport({ host: HOST, port: 0 });
    await transport.listen();
    const client = net.connect(transport.ports.tcp!, HOST);
    await once(client, 'connect');
    while (transport.connectionIds.length === 0) await new Promise((r) => setTimeout(r, 5));
    assert.ok(handles().length > before.length);
    const clientClosed = once(client, 'close');
    await transport.close();
    await clientClosed;
    assert.deepEqual(transport.connectionIds, []);
    assert.deepEqual(transport.ports, {});
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(handles(), before);
  });

  it('listen() rejects and cleans up when the port is taken', async () => {
    const first = new SipTransport({ host: HOST, port: 0, tcp: false });
    await first.listen();
    const second = new SipTransport({ host: HOST, port: first.ports.udp!, tcp: false });
    await assert.rejects(second.listen(), /EADDRINUSE/);
    assert.deepEqual(second.ports, {});
    await first.close();
  });
});
