import dgram from 'node:dgram';
import { serializeRtp } from '../../../src/media/rtp/index.js';
import type { RtpPacket } from '../../../src/media/rtp/index.js';

export const HOST = '127.0.0.1';

/** Another loopback address, for a sender the SDP never named. */
export const OTHER_HOST = '127.0.0.2';

export async function udpSocket(port = 0, host = HOST): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}

export async function closeSocket(socket: dgram.Socket): Promise<void> {
  await new Promise<void>((resolve) => socket.close(() => resolve()));
}

export async function sendTo(socket: dgram.Socket, bytes: Uint8Array, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    socket.send(bytes, port, HOST, (e) => (e ? reject(e) : resolve())),
  );
}

/** Collects every datagram a socket receives. */
export function collect(socket: dgram.Socket): Uint8Array[] {
  const got: Uint8Array[] = [];
  socket.on('message', (msg) => got.push(new Uint8Array(msg)));
  return got;
}

/** Polls on the event loop (no wall-clock assertion) until the predicate holds, or fails after 3 s. */
export async function waitFor(predicate: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** True when binding the port succeeds (and the probe socket is closed again). */
export async function canBind(port: number): Promise<boolean> {
  try {
    await closeSocket(await udpSocket(port));
    return true;
  } catch {
    return false;
  }
}

/** A random even base port in 40000–49900 so parallel runs rarely collide. */
export function randomBasePort(): number {
  return 40000 + 2 * Math.floor(Math.random() * 4950);
}

export function rtp(sequenceNumber: number, overrides: Partial<RtpPacket> = {}): Uint8Array {
  return serializeRtp({
    marker: false,
    payloadType: 0,
    sequenceNumber,
    timestamp: sequenceNumber * 160,
    ssrc: 0xcafe0001,
    csrcs: [],
    extension: null,
    padding: null,
    payload: new Uint8Array(160).fill(sequenceNumber & 0xff),
    ...overrides,
  });
}
