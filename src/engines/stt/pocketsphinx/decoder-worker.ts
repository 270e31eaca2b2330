/**
 * Entry point of a decoder process (or, for comparison, a worker thread; connectEngineHost). It
 * holds the channels the pool assigned to it, each with its own pocketsphinx decoder, and answers
 * every audio message with the events it produced. All recognition work of the engine happens
 * here, outside the gateway process, so a native crash costs only these channels.
 */
import { EngineError } from '../../spi/index.js';
import { connectEngineHost } from '../../worker/index.js';
import { ChannelRecognizer } from './channel-recognizer.js';
import { createUtteranceVad } from './create-utterance-vad.js';
import { PocketsphinxDecoder } from './pocketsphinx-decoder.js';
import type {
  DecoderWorkerData,
  FromWorkerMessage,
  OpenStreamMessage,
  ToWorkerMessage,
} from './worker-protocol.js';

interface Channel {
  readonly recognizer: ChannelRecognizer;
  readonly decoder: PocketsphinxDecoder;
  readonly close: () => void;
}

/**
 * Audio before the detector's speech start that the decoder also hears. A whole-utterance final
 * pass decodes it once, so it can afford more: on the telephone clips of docs/benchmarks.md, 300
 * instead of 150 ms took the first words that Silero announces late (53.7 → 49.2 % WER).
 */
const PREROLL_MS = { live: 150, utterance: 300 } as const;

const host = connectEngineHost<DecoderWorkerData, ToWorkerMessage, FromWorkerMessage>();
const data = host.data;
const channels = new Map<number, Channel>();
/** Never-used decoders by input rate (8 kHz input may get the telephone model). */
const spare = new Map<number, PocketsphinxDecoder[]>([[8000, []]]);

/** The rate the decoder for `inputRateHz` runs at: 8 kHz natively when the telephone model is there. */
function decoderRateHz(inputRateHz: number): number {
  return inputRateHz === 8000 && data.narrowbandModel !== undefined ? 8000 : 16000;
}

function buildDecoder(inputRateHz: number): PocketsphinxDecoder {
  if (decoderRateHz(inputRateHz) === 8000 && data.narrowbandModel !== undefined) {
    return new PocketsphinxDecoder(data.engine, data.narrowbandModel);
  }
  return new PocketsphinxDecoder(data.engine, data.model);
}

function post(message: FromWorkerMessage): void {
  host.post(message);
}

function fail(streamId: number, err: unknown): void {
  channels.get(streamId)?.close();
  channels.delete(streamId);
  const code = err instanceof EngineError ? err.code : 'ENGINE_FAILED';
  post({ type: 'error', streamId, code, message: err instanceof Error ? err.message : String(err) });
}

function open(message: OpenStreamMessage): void {
  if (!spare.has(message.inputRateHz)) spare.set(message.inputRateHz, []);
  const decoder = spare.get(message.inputRateHz)?.pop() ?? buildDecoder(message.inputRateHz);
  // 8 kHz finals come from a whole-utterance pass (batch CMN over the utterance). That replaces
  // the live-CMN start the engine used to write into sphinxbase's feat_t at a hard-coded offset
  // for upsampled audio; docs/pocketsphinx-binding.md has the measurements. The wideband path
  // keeps live finals: its peer, pocketsphinx_continuous, decodes live too.
  const finalPass = message.inputRateHz === 8000 ? data.narrowbandFinalPass : 'live';
  const vad = createUtteranceVad(data.vad, message.trailingSilenceMs);
  const recognizer = new ChannelRecognizer(decoder, vad, {
    inputRateHz: message.inputRateHz,
    decoderRateHz: decoderRateHz(message.inputRateHz),
    finalPass,
    partials: message.partials,
    partialIntervalMs: message.partialIntervalMs,
    prerollMs: PREROLL_MS[finalPass],
  });
  channels.set(message.streamId, {
    recognizer,
    decoder,
    close: () => {
      recognizer.abandon();
      vad.close();
      decoder.free();
      scheduleRefill();
    },
  });
  scheduleRefill();
}

let refillScheduled = false;

/**
 * Builds one spare decoder per turn of the event loop, so that audio already queued for the
 * worker's channels is decoded in between.
 */
function scheduleRefill(): void {
  const short = [...spare].find(([, list]) => list.length < data.spareDecoders);
  if (refillScheduled || short === undefined) return;
  refillScheduled = true;
  setImmediate(() => {
    refillScheduled = false;
    try {
      short[1].push(buildDecoder(short[0]));
    } catch {
      // The next open() builds its own decoder and reports the failure to its stream.
      return;
    }
    scheduleRefill();
  });
}

function handle(message: ToWorkerMessage): void {
  const { streamId } = message;
  try {
    switch (message.type) {
      case 'open':
        open(message);
        return;
      case 'audio': {
        const channel = channels.get(streamId);
        if (channel === undefined) return;
        const pcm = new Int16Array(message.pcm);
        const events = channel.recognizer.push(pcm);
        post({ type: 'events', streamId, events, acknowledgedSamples: pcm.length });
        return;
      }
      case 'end': {
        const channel = channels.get(streamId);
        if (channel === undefined) return;
        const events = channel.recognizer.finish();
        const processingMs = channel.recognizer.busyMs;
        channel.close();
        channels.delete(streamId);
        post({ type: 'ended', streamId, events, processingMs });
        return;
      }
      case 'close':
        channels.get(streamId)?.close();
        channels.delete(streamId);
        return;
    }
  } catch (err) {
    fail(streamId, err);
  }
}

host.onMessage((message) => handle(message));
scheduleRefill();
