import type { EngineErrorCode, SttEvent } from '../spi/index.js';

/**
 * The messages a streaming recognizer's main-thread side and its worker thread exchange, common
 * to every engine that decodes in a worker. Each engine adds its own `open` message (what a
 * stream needs to start differs) and its own workerData.
 */

/** `pcm` holds PCM16 samples at the stream's input rate; the buffer is transferred, not copied. */
export interface AudioMessage {
  readonly type: 'audio';
  readonly streamId: number;
  readonly pcm: ArrayBuffer;
}

/** No more audio: decode what is left, send the last final, then `ended`. */
export interface EndStreamMessage {
  readonly type: 'end';
  readonly streamId: number;
}

/** The consumer is gone: drop the stream's state and free what it holds. */
export interface CloseStreamMessage {
  readonly type: 'close';
  readonly streamId: number;
}

/** Every message to a worker: the engine's own `open` message plus the common ones. */
export type StreamToWorkerMessage<Open extends { readonly type: 'open'; readonly streamId: number }> =
  Open | AudioMessage | EndStreamMessage | CloseStreamMessage;

/** The events one audio message produced; exactly one per audio message, so it is also the ack. */
export interface EventsMessage {
  readonly type: 'events';
  readonly streamId: number;
  readonly events: readonly SttEvent[];
  /** Samples of the acknowledged audio message, at the stream's input rate. */
  readonly acknowledgedSamples: number;
}

export interface EndedMessage {
  readonly type: 'ended';
  readonly streamId: number;
  readonly events: readonly SttEvent[];
  readonly processingMs: number;
}

export interface StreamErrorMessage {
  readonly type: 'error';
  readonly streamId: number;
  readonly code: EngineErrorCode;
  readonly message: string;
}

export type StreamFromWorkerMessage = EventsMessage | EndedMessage | StreamErrorMessage;
