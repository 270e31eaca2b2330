import type { Socket } from 'node:net';
import WebSocket from 'ws';

export type Message = Record<string, unknown> & { type: string; seq?: number };

/**
 * A `ws` client that keeps every message it gets and lets a test wait for a condition on them,
 * driven by the messages themselves (no sleeps).
 */
export class WsTestClient {
  readonly messages: Message[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse((data as Buffer).toString('utf8')) as Message);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString('utf8') });
        this.wake();
      });
    });
  }

  /** Opens a client; rejects with the HTTP status when the server refuses the upgrade. */
  static open(url: string, headers: Record<string, string> = {}): Promise<WsTestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      const client = new WsTestClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`HTTP ${response.statusCode} ${String(response.headers['www-authenticate'])}`));
        response.resume();
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Resolves once `done(messages)` holds; rejects if the socket closes first. */
  async until(done: (messages: Message[]) => boolean): Promise<Message[]> {
    while (!done(this.messages)) {
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error('closed while waiting');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.messages;
  }

  events(): Message[] {
    return this.messages.filter((m) => typeof m.seq === 'number' && m.type !== 'subscribed');
  }

  /** Stops reading from the TCP socket, as a consumer that cannot keep up would. */
  pause(): void {
    (this.socket as unknown as { _socket: Socket })._socket.pause();
  }

  resume(): void {
    (this.socket as unknown as { _socket: Socket })._socket.resume();
  }

  async close(): Promise<void> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close();
    await this.closed;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
