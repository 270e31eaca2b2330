/**
 * The synthesis process: loads one sherpa-onnx voice and turns sentences into PCM16, one at a
 * time. Started by SherpaTtsWorker (a child process; tests may run it as a thread); never imported
 * by the gateway itself.
 */
import { createRequire } from 'node:module';
import { connectEngineHost } from '../../worker/index.js';
import { floatToPcm16 } from '../../../media/audio/index.js';
import type { SherpaGenerateRequest, SherpaWorkerInit, SherpaWorkerMessage } from './sherpa-tts-protocol.js';

/** The slice of sherpa-onnx-node's OfflineTts used here (the package ships JSDoc, no .d.ts). */
interface OfflineTts {
  readonly sampleRate: number;
  readonly numSpeakers: number;
  generate(request: { text: string; sid: number; speed: number; enableExternalBuffer: boolean }): {
    samples: Float32Array;
    sampleRate: number;
  };
}

interface SherpaModule {
  readonly version: string;
  readonly OfflineTts: new (config: unknown) => OfflineTts;
}

const host = connectEngineHost<SherpaWorkerInit, SherpaGenerateRequest, SherpaWorkerMessage>();
const post = (message: SherpaWorkerMessage, transfer: ArrayBuffer[] = []): void =>
  host.post(message, transfer);

function load(init: SherpaWorkerInit): OfflineTts | undefined {
  try {
    const sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as SherpaModule;
    const tts = new sherpa.OfflineTts({
      model: {
        vits: {
          model: init.modelFile,
          tokens: init.tokensFile,
          ...(init.dataDir === undefined ? {} : { dataDir: init.dataDir }),
          ...(init.lexiconFile === undefined ? {} : { lexicon: init.lexiconFile }),
        },
        numThreads: init.numThreads,
        debug: 0,
        provider: 'cpu',
      },
      // One sentence per call: the main thread already splits, so sherpa must not batch.
      maxNumSentences: 1,
    });
    post({
      type: 'ready',
      sampleRateHz: tts.sampleRate,
      numSpeakers: tts.numSpeakers,
      sherpaVersion: sherpa.version,
    });
    return tts;
  } catch (err) {
    post({ type: 'load-failed', message: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}

const tts = load(host.data);
if (tts !== undefined) {
  host.onMessage((request) => {
    try {
      // An external buffer would point into native memory that cannot be transferred; copy instead.
      const audio = tts.generate({
        text: request.text,
        sid: request.sid,
        speed: request.speed,
        enableExternalBuffer: false,
      });
      const pcm = floatToPcm16(audio.samples);
      post({ type: 'audio', id: request.id, pcm, sampleRateHz: audio.sampleRate }, [
        pcm.buffer as ArrayBuffer,
      ]);
    } catch (err) {
      post({ type: 'failed', id: request.id, message: err instanceof Error ? err.message : String(err) });
    }
  });
}
