import type { EngineErrorCode, SttEvent } from '../../spi/index.js';
import type { SherpaModelLayout } from './sherpa-model-layout.js';

/** Sent once to the recognizer worker as its workerData. */
export interface RecognizerWorkerData {
  readonly layout: SherpaModelLayout;
  readonly numThreads: number;
}

export interface OpenStreamMessage {
  readonly type: 'open';
  readonly streamId: number;
  readonly sampleRateHz: number;
  readonly trailingSilenceMs: number;
  readonly partials: boolean;
  readonly partialIntervalMs: number;
}

/** `pcm` holds PCM16 samples at the stream's rate; the buffer is transferred, not copied. */
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

/** The consumer is gone: drop the stream. */
export interface CloseStreamMessage {
  readonly type: 'close';
  readonly streamId: number;
}

export type ToWorkerMessage = OpenStreamMessage | AudioMessage | EndStreamMessage | CloseStreamMessage;

/** The events one audio message produced; exactly one per audio message, so it is also the ack. */
export interface EventsMessage {
  readonly type: 'events';
  readonly streamId: number;
  readonly events: readonly SttEvent[];
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

export type FromWorkerMessage = EventsMessage | EndedMessage | StreamErrorMessage;
