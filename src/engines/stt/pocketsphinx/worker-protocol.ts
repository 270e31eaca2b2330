import type { StreamFromWorkerMessage, StreamToWorkerMessage } from '../../worker/index.js';
import type { UtteranceVadChoice } from './create-utterance-vad.js';
import type { PocketsphinxModelPaths } from './pocketsphinx-decoder.js';

/** Sent once to every decoder worker as its workerData. */
export interface DecoderWorkerData {
  readonly engine: string;
  /** The wideband (16 kHz) model: 16 kHz input, and 8 kHz input when `narrowbandModel` is absent. */
  readonly model: PocketsphinxModelPaths;
  /** The telephone (8 kHz) model; 8 kHz input is decoded with it natively when present. */
  readonly narrowbandModel?: PocketsphinxModelPaths;
  /** How finals of the 8 kHz decoders are computed (ChannelRecognizerOptions.finalPass). */
  readonly narrowbandFinalPass: 'live' | 'utterance';
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

export type ToWorkerMessage = StreamToWorkerMessage<OpenStreamMessage>;
export type FromWorkerMessage = StreamFromWorkerMessage;
