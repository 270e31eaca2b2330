/**
 * The messages between SherpaTts on the main thread and its synthesis worker. The worker owns the
 * sherpa-onnx OfflineTts: loading and generating are synchronous native calls that would otherwise
 * stall the event loop (and with it every call's RTP pacing) for the length of a sentence.
 */

/** Passed as workerData: everything the worker needs to load the voice. */
export interface SherpaWorkerInit {
  readonly modelFile: string;
  readonly tokensFile: string;
  readonly dataDir?: string | undefined;
  readonly lexiconFile?: string | undefined;
  readonly numThreads: number;
}

export interface SherpaGenerateRequest {
  readonly type: 'generate';
  readonly id: number;
  readonly text: string;
  /** Speaker id. */
  readonly sid: number;
  /** sherpa's speed: 2 speaks twice as fast. */
  readonly speed: number;
}

export type SherpaWorkerMessage =
  | {
      readonly type: 'ready';
      readonly sampleRateHz: number;
      readonly numSpeakers: number;
      readonly sherpaVersion: string;
    }
  | { readonly type: 'load-failed'; readonly message: string }
  | { readonly type: 'audio'; readonly id: number; readonly pcm: Int16Array; readonly sampleRateHz: number }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };
