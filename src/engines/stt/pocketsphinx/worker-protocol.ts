import type { EngineErrorCode, SttEvent } from '../../spi/index.js';
import type { UtteranceVadChoice } from './create-utterance-vad.js';
import type { PocketsphinxModelPaths } from './pocketsphinx-decoder.js';

/** Sent once to every decoder worker as its workerData. */
export interface DecoderWorkerData {
  readonly engine: string;
  readonly model: PocketsphinxModelPaths;
  readonly vad: UtteranceVadChoice;
  /**
   * Never-used decoders a worker keeps ready for the next streams (building one takes about half
   * a second). Decoders are not reused across streams: live cepstral mean normalization adapts
   * to a channel and would colour the next caller's results.
   */
  readonly spareDecoders: number;
}

export interface OpenStreamMessage {
  readonly type: 'open';
  readonly streamId: number;
  readonly inputRateHz: number;
  readonly partials: boolean;
  readonly partialIntervalMs: number;
  readonly trailingSilenceMs: number;
}

/** `pcm` holds PCM16 samples at the stream's input rate; the buffer is transferred, not copied. */
export interface AudioMessage {
  readonly type: 'audio';
  readonly streamId: number;
  readonly pcm: ArrayBuffer;
}

/** No more audio: finish the open utterance, then report `ended`. */
export interface EndStreamMessage {
  readonly type: 'end';
  readonly streamId: number;
}

/** The consumer is gone: drop the stream's state and give its decoder back. */
export interface CloseStreamMessage {
  readonly type: 'close';
  readonly streamId: number;
}

export type ToWorkerMessage = OpenStreamMessage | AudioMessage | EndStreamMessage | CloseStreamMessage;

/** Events produced by one audio message; one per audio message, so it also acknowledges it. */
export interface EventsMessage {
  readonly type: 'events';
  readonly streamId: number;
  readonly events: readonly SttEvent[];
  readonly acknowledged: number;
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
