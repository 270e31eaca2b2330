import type { SocketHandlers, SocketLike } from './event-stream.js';

/** The page's WebSocket behind EventStream's small socket interface. */
export function browserSocket(url: string, handlers: SocketHandlers): SocketLike {
  const socket = new WebSocket(url);
  socket.onopen = () => handlers.open();
  socket.onmessage = (message) => {
    if (typeof message.data === 'string') handlers.message(message.data);
  };
  socket.onclose = (closed) => handlers.close(closed.code, closed.reason);
  return { send: (data) => socket.send(data), close: () => socket.close(1000) };
}

export function browserSchedule(task: () => void, delayMs: number): () => void {
  const timer = window.setTimeout(task, delayMs);
  return () => window.clearTimeout(timer);
}
