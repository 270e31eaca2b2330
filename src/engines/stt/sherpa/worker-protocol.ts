import type { StreamFromWorkerMessage, StreamToWorkerMessage } from '../../worker/index.js';
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

export type ToWorkerMessage = StreamToWorkerMessage<OpenStreamMessage>;
export type FromWorkerMessage = StreamFromWorkerMessage;
