// The recognizer process. sherpa-onnx-node decodes synchronously, often for tens of milliseconds
// per chunk, so it runs here and never on the thread that moves RTP and SIP; and a native crash
// here (onnxruntime aborts) costs the recognition streams, not the gateway.
import { connectEngineHost } from '../../worker/index.js';
import { ChannelDecoder } from './channel-decoder.js';
import type { SherpaOnlineRecognizer } from './sherpa-recognizer-binding.js';
import { createSherpaRecognizer, recognizerConfig } from './sherpa-recognizer-binding.js';
import type { FromWorkerMessage, RecognizerWorkerData, ToWorkerMessage } from './worker-protocol.js';

const host = connectEngineHost<RecognizerWorkerData, ToWorkerMessage, FromWorkerMessage>();
const data = host.data;

/**
 * Endpointing (rule 2, the trailing silence) is configured per recognizer, not per stream, so
 * each distinct trailingSilenceMs gets its own recognizer. A deployment uses one value, so in
 * practice the model is loaded once.
 */
const recognizers = new Map<number, SherpaOnlineRecognizer>();
const channels = new Map<number, { decoder: ChannelDecoder; processingMs: number }>();

function recognizerFor(trailingSilenceMs: number): SherpaOnlineRecognizer {
  let recognizer = recognizers.get(trailingSilenceMs);
  if (recognizer === undefined) {
    recognizer = createSherpaRecognizer(
      recognizerConfig(data.layout, { numThreads: data.numThreads, trailingSilenceMs }),
    );
    recognizers.set(trailingSilenceMs, recognizer);
  }
  return recognizer;
}

function send(message: FromWorkerMessage): void {
  host.post(message);
}

function handle(message: ToWorkerMessage): void {
  switch (message.type) {
    case 'open': {
      const decoder = new ChannelDecoder(recognizerFor(message.trailingSilenceMs), {
        sampleRateHz: message.sampleRateHz,
        partials: message.partials,
        partialIntervalMs: message.partialIntervalMs,
      });
      channels.set(message.streamId, { decoder, processingMs: 0 });
      return;
    }
    case 'audio': {
      const channel = channels.get(message.streamId);
      // Audio for a stream closed meanwhile is dropped; its consumer is gone.
      if (channel === undefined) return;
      const pcm = new Int16Array(message.pcm);
      const started = performance.now();
      const events = channel.decoder.accept(pcm);
      channel.processingMs += performance.now() - started;
      send({ type: 'events', streamId: message.streamId, events, acknowledgedSamples: pcm.length });
      return;
    }
    case 'end': {
      const channel = channels.get(message.streamId);
      if (channel === undefined) return;
      const started = performance.now();
      const events = channel.decoder.finish();
      channel.processingMs += performance.now() - started;
      channels.delete(message.streamId);
      send({ type: 'ended', streamId: message.streamId, events, processingMs: channel.processingMs });
      return;
    }
    case 'close':
      // The sherpa stream is freed by its finalizer once unreachable.
      channels.delete(message.streamId);
      return;
  }
}

host.onMessage((message) => {
  try {
    handle(message);
  } catch (err) {
    channels.delete(message.streamId);
    send({
      type: 'error',
      streamId: message.streamId,
      code: 'ENGINE_FAILED',
      message: err instanceof Error ? err.message : String(err),
    });
  }
});
