import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RtpEndpoint } from '../../../src/net/rtp/index.js';
import { RtpPortPool, RtpPortsExhaustedError } from '../../../src/net/rtp/index.js';
import {
  canBind,
  closeSocket,
  HOST,
  OTHER_HOST,
  randomBasePort,
  rtp,
  sendTo,
  udpSocket,
  waitFor,
} from './net-sockets.js';

function pool(pairs: number, base = randomBasePort()): { pool: RtpPortPool; base: number } {
  return { pool: new RtpPortPool({ host: HOST, minPort: base, maxPort: base + 2 * pairs - 1 }), base };
}

async function closeAll(endpoints: readonly RtpEndpoint[]): Promise<void> {
  await Promise.all(endpoints.map((e) => e.close()));
}

describe('RtpPortPool', () => {
  it('counts only whole even/odd pairs in its range', () => {
    assert.equal(new RtpPortPool({ host: HOST, minPort: 20000, maxPort: 29999 }).capacity, 5000);
    // 40001 rounds up to 40002; 40010 has no 40011 inside the range.
    assert.equal(new RtpPortPool({ host: HOST, minPort: 40001, maxPort: 40010 }).capacity, 4);
    assert.throws(() => new RtpPortPool({ host: HOST, minPort: 40002, maxPort: 40002 }), {
      code: 'INVALID_ARGUMENT',
    });
    assert.throws(() => new RtpPortPool({ host: 'localhost', minPort: 40000, maxPort: 40009 }), {
      code: 'INVALID_ARGUMENT',
    });
    assert.throws(() => new RtpPortPool({ host: HOST, minPort: 0, maxPort: 40009 }), {
      code: 'INVALID_ARGUMENT',
    });
  });

  it('binds contiguous even RTP ports with RTCP one above, and returns them on close', async () => {
    const { pool: p, base } = pool(8);
    const first = await p.open(3);
    const second = await p.open(2);
    try {
      assert.deepEqual(
        first.map((e) => [e.rtpPort, e.rtcpPort]),
        [
          [base, base + 1],
          [base + 2, base + 3],
          [base + 4, base + 5],
        ],
      );
      assert.deepEqual(
        second.map((e) => e.rtpPort),
        [base + 6, base + 8],
      );
      assert.ok(first.every((e) => e.localAddress === HOST));
      assert.equal(p.inUse, 5);
      assert.equal(await canBind(base + 2), false, 'the pool holds the port');
    } finally {
      await closeAll([...first, ...second]);
    }
    assert.equal(p.inUse, 0);
    assert.equal(await canBind(base + 2), true, 'the port is free again');
    assert.equal(await canBind(base + 3), true);
  });

  it('skips pairs another process holds (EADDRINUSE), keeping the block contiguous', async () => {
    const { pool: p, base } = pool(6);
    // Someone else holds the RTP port of pair 0 and the RTCP port of pair 1.
    const squatters = [await udpSocket(base), await udpSocket(base + 3)];
    let endpoints: RtpEndpoint[] = [];
    try {
      endpoints = await p.open(2);
      assert.deepEqual(
        endpoints.map((e) => e.rtpPort),
        [base + 4, base + 6],
      );
      assert.equal(p.inUse, 2);
    } finally {
      await closeAll(endpoints);
      await Promise.all(squatters.map(closeSocket));
    }
    assert.equal(p.inUse, 0);
    // The sockets of the abandoned attempt on pair 1 were closed too.
    assert.equal(await canBind(base + 2), true);
  });

  it('rejects with RTP_PORTS_EXHAUSTED when no block fits, and recovers after a close', async () => {
    const { pool: p, base } = pool(3);
    const a = await p.open(2);
    await assert.rejects(p.open(2), (error: unknown) => {
      assert.ok(error instanceof RtpPortsExhaustedError);
      assert.equal(error.code, 'RTP_PORTS_EXHAUSTED');
      return true;
    });
    const b = await p.open(1);
    assert.equal(b[0]!.rtpPort, base + 4);
    await assert.rejects(p.open(1), { code: 'RTP_PORTS_EXHAUSTED' });
    assert.equal(p.inUse, 3);
    await closeAll(a);
    assert.equal(p.inUse, 1);
    const c = await p.open(2);
    assert.deepEqual(
      c.map((e) => e.rtpPort),
      [base, base + 2],
    );
    await closeAll([...b, ...c]);
    assert.equal(p.inUse, 0);
  });

  it('hands pairs out round-robin so a released pair is not reused at once', async () => {
    const { pool: p, base } = pool(4);
    const [a] = await p.open(1);
    await a!.close();
    const [b] = await p.open(1);
    assert.equal(b!.rtpPort, base + 2);
    await b!.close();
  });

  it('never gives the same pair to two concurrent opens', async () => {
    const { pool: p } = pool(6);
    const [x, y] = await Promise.all([p.open(2), p.open(3)]);
    const ports = [...x, ...y].map((e) => e.rtpPort);
    assert.equal(new Set(ports).size, 5);
    assert.equal(p.inUse, 5);
    await closeAll([...x, ...y]);
    assert.equal(p.inUse, 0);
  });

  it('refuses a count outside 1..capacity', async () => {
    const { pool: p } = pool(2);
    await assert.rejects(p.open(0), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(p.open(3), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(p.open(1.5), { code: 'INVALID_ARGUMENT' });
  });

  it('close is idempotent and releases the pair once', async () => {
    const { pool: p } = pool(2);
    const [e] = await p.open(1);
    await Promise.all([e!.close(), e!.close()]);
    await e!.close();
    assert.equal(p.inUse, 0);
    assert.equal(e!.closed, true);
  });
});

describe('RtpPortPool rejectedPackets', () => {
  it('sums what live and closed endpoints refused under their latching policy', async () => {
    const base = randomBasePort();
    const pool = new RtpPortPool({ host: HOST, minPort: base, maxPort: base + 9 });
    const [a, b] = (await pool.open(2)) as [RtpEndpoint, RtpEndpoint];
    a.setRemote({ address: HOST, port: 9 });
    const intruder = await udpSocket(0, OTHER_HOST);
    await sendTo(intruder, rtp(1), a.rtpPort);
    await sendTo(intruder, rtp(2), b.rtpPort);
    await waitFor(() => pool.rejectedPackets === 2, 'two rejections');
    await a.close();
    assert.equal(pool.rejectedPackets, 2, 'a closed endpoint still counts');
    await b.close();
    await closeSocket(intruder);
    assert.equal(pool.rejectedPackets, 2);
  });
});
