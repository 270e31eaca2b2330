import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';

function bindUdp(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

async function closeAll(sockets: (Socket | undefined)[]): Promise<void> {
  for (const s of sockets) {
    if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/**
 * A UDP port on 127.0.0.1 that was free a moment ago (the kernel picks it; bound and released). A
 * program started right after will almost always get it; the rig accepts that small race.
 */
export async function freeUdpPort(): Promise<number> {
  const socket = await bindUdp(0);
  if (socket === undefined) throw new Error('cannot bind a UDP socket on 127.0.0.1');
  const { port } = socket.address();
  await closeAll([socket]);
  return port;
}

/**
 * An even UDP port P on 127.0.0.1 such that P .. P+3 were all free: RTP and RTCP for two streams,
 * which is what SIPp binds for `-mp` (audio and "video" echo) and what a two-stream pcap reaches.
 */
export async function freeUdpPortRange(count = 4): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 2 * Math.floor(Math.random() * 19_000);
    const sockets = await Promise.all(Array.from({ length: count }, (_, i) => bindUdp(base + i)));
    const ok = sockets.every((s) => s !== undefined);
    await closeAll(sockets);
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free UDP ports found on 127.0.0.1`);
}
