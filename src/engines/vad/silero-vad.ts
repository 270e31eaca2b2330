import { existsSync } from 'node:fs';
import { EngineError } from '../spi/index.js';
import { checkOnnxModel } from './check-onnx-model.js';
import type { SherpaVad } from './sherpa-vad-binding.js';
import { loadSherpaVad } from './sherpa-vad-binding.js';
import type { VadEvent, VadOptions, VoiceActivityDetector } from './voice-activity-detector.js';
import {
  DEFAULT_MIN_SPEECH_MS,
  DEFAULT_TRAILING_SILENCE_MS,
  VAD_SAMPLE_RATE_HZ,
  msToSamples,
  samplesToMs,
} from './vad-defaults.js';

export interface SileroVadOptions extends VadOptions {
  /** Path to silero_vad.onnx (v4) or silero_vad_v5.onnx. */
  readonly modelPath: string;
  /** Speech probability above which a window is speech. Default 0.5 (Silero's own default). */
  readonly threshold?: number;
  /**
   * Longer speech is split (sherpa lowers the silence needed to end it, it does not cut
   * mid-word). Default 20 s, sherpa's default.
   */
  readonly maxSpeechMs?: number;
  readonly numThreads?: number;
  /**
   * speechStart is reported this much before sherpa's own estimate of the segment start (not
   * before 0 or the previous end), so that a recognizer fed from it never misses a soft onset.
   * Default 100 ms.
   */
  readonly preRollMs?: number;
}

/** Silero v4 and v5 both take 512-sample windows at 16 kHz (32 ms). */
const WINDOW_SAMPLES = 512;

/**
 * Silero VAD through sherpa-onnx-node.
 *
 * sherpa's Vad reports only finished segments (start sample and samples), and only after the
 * trailing silence has passed; its isDetected() tells when a segment has begun. We feed it whole
 * windows ourselves, so we know exactly how many samples it has seen when its state changes:
 * - speechStart is emitted when isDetected() turns true. sherpa dates that segment's start at
 *   "samples seen - 2 windows - minSpeech" (it needs minSpeech of speech to decide); we report that
 *   estimate less preRollMs. (v5 models lag one window inside sherpa, so for them the estimate is
 *   ~32 ms later than the segment's start.)
 * - speechEnd is emitted when a segment comes out, at the segment's last sample.
 * Offsets count every sample fed since reset(), including the part window still buffered here.
 */
export class SileroVad implements VoiceActivityDetector {
  readonly kind = 'silero';
  private vad: SherpaVad | undefined;
  private readonly minSpeechSamples: number;
  private readonly preRollSamples: number;
  private readonly window = new Float32Array(WINDOW_SAMPLES);
  private windowLength = 0;
  /** Samples fed since reset(), as ms offsets count them. */
  private fedSamples = 0;
  /** Our offset of sherpa's sample 0 (sherpa restarts its count when we reset it on flush). */
  private sherpaBaseSamples = 0;
  /** Samples handed to sherpa since it was last reset. */
  private sherpaSamples = 0;
  private speaking = false;
  private previousEndSamples = 0;

  constructor(options: SileroVadOptions) {
    if (!existsSync(options.modelPath)) {
      throw new EngineError('silero-vad', 'MODEL_NOT_FOUND', `no model at ${options.modelPath}`);
    }
    const problem = checkOnnxModel(options.modelPath);
    if (problem !== undefined) {
      throw new EngineError('silero-vad', 'MODEL_NOT_FOUND', `${options.modelPath} is unusable: ${problem}`);
    }
    const trailingSilenceMs = options.trailingSilenceMs ?? DEFAULT_TRAILING_SILENCE_MS;
    const minSpeechMs = options.minSpeechMs ?? DEFAULT_MIN_SPEECH_MS;
    this.minSpeechSamples = msToSamples(minSpeechMs);
    this.preRollSamples = msToSamples(options.preRollMs ?? 100);
    const { Vad } = loadSherpaVad();
    try {
      this.vad = new Vad(
        {
          sileroVad: {
            model: options.modelPath,
            threshold: options.threshold ?? 0.5,
            minSilenceDuration: trailingSilenceMs / 1000,
            minSpeechDuration: minSpeechMs / 1000,
            windowSize: WINDOW_SAMPLES,
            maxSpeechDuration: (options.maxSpeechMs ?? 20000) / 1000,
          },
          sampleRate: VAD_SAMPLE_RATE_HZ,
          numThreads: options.numThreads ?? 1,
          provider: 'cpu',
          debug: 0,
        },
        // sherpa keeps the audio of the open segment; it grows this buffer itself when needed.
        30,
      );
    } catch (err) {
      throw new EngineError('silero-vad', 'ENGINE_FAILED', `cannot load ${options.modelPath}`, {
        cause: err,
      });
    }
  }

  process(pcm16k: Int16Array): VadEvent[] {
    const vad = this.open();
    const events: VadEvent[] = [];
    let offset = 0;
    while (offset < pcm16k.length) {
      const take = Math.min(WINDOW_SAMPLES - this.windowLength, pcm16k.length - offset);
      for (let i = 0; i < take; i++) this.window[this.windowLength + i] = pcm16k[offset + i]! / 32768;
      this.windowLength += take;
      this.fedSamples += take;
      offset += take;
      if (this.windowLength === WINDOW_SAMPLES) {
        vad.acceptWaveform(this.window);
        this.windowLength = 0;
        this.sherpaSamples += WINDOW_SAMPLES;
        this.collect(vad, events);
      }
    }
    return events;
  }

  flush(): VadEvent[] {
    const vad = this.open();
    const events: VadEvent[] = [];
    // The contract ends an open utterance at the last sample; sherpa's own flush would end it a
    // trailing silence earlier, so we end it here and restart sherpa from a clean state.
    if (this.speaking) {
      this.speaking = false;
      this.previousEndSamples = this.fedSamples;
      events.push({ type: 'speechEnd', offsetMs: samplesToMs(this.fedSamples) });
    }
    vad.reset();
    this.windowLength = 0;
    this.sherpaBaseSamples = this.fedSamples;
    this.sherpaSamples = 0;
    return events;
  }

  reset(): void {
    this.open().reset();
    this.windowLength = 0;
    this.fedSamples = 0;
    this.sherpaBaseSamples = 0;
    this.sherpaSamples = 0;
    this.speaking = false;
    this.previousEndSamples = 0;
  }

  close(): void {
    // sherpa-onnx-node has no explicit destroy: the native detector and its onnxruntime session
    // are freed by the handle's finalizer. Clearing it and dropping the only reference lets the
    // garbage collector do that; any later use fails loudly instead of touching freed state.
    this.vad?.clear();
    this.vad = undefined;
  }

  private collect(vad: SherpaVad, events: VadEvent[]): void {
    while (!vad.isEmpty()) {
      const segment = vad.front(false);
      vad.pop();
      const startSamples = this.sherpaBaseSamples + segment.start;
      const endSamples = startSamples + segment.samples.length;
      if (!this.speaking) {
        // Only possible if sherpa opens and closes a segment within one window; report both ends.
        events.push({
          type: 'speechStart',
          offsetMs: samplesToMs(Math.max(startSamples, this.previousEndSamples)),
        });
      }
      this.speaking = false;
      this.previousEndSamples = endSamples;
      events.push({ type: 'speechEnd', offsetMs: samplesToMs(endSamples) });
    }
    if (!this.speaking && vad.isDetected()) {
      this.speaking = true;
      const estimate =
        this.sherpaBaseSamples +
        this.sherpaSamples -
        2 * WINDOW_SAMPLES -
        this.minSpeechSamples -
        this.preRollSamples;
      const startSamples = Math.max(0, this.previousEndSamples, estimate);
      events.push({ type: 'speechStart', offsetMs: samplesToMs(startSamples) });
    }
  }

  private open(): SherpaVad {
    if (this.vad === undefined) throw new Error('SileroVad is closed');
    return this.vad;
  }
}
