import type { AudioFormat, AudioFrame } from '../../../media/audio/index.js';
import { PCM16_16K, PCM16_8K, rmsDbfs } from '../../../media/audio/index.js';
import { EngineError, abortedError } from '../engine-error.js';
import type { SttCapabilities, SttEngine, SttEvent, SttOptions } from '../stt-engine.js';

export interface ScriptedSttOptions {
  /** Texts returned for successive utterances; the last one repeats when they run out. */
  readonly utterances: readonly string[];
  /** Frame level (dBFS, AES17 as `rmsDbfs` reads it) above which a frame is speech. Default -42. */
  readonly speechThresholdDbfs?: number;
  readonly name?: string;
}

/**
 * A fake recognizer for unit tests of the layers above engines. It really segments the audio (a
 * frame-energy detector with the usual trailing silence) but returns scripted text instead of
 * recognizing it, so session and API tests get realistic timing without a model.
 */
export class ScriptedStt implements SttEngine {
  readonly name: string;
  readonly capabilities: SttCapabilities = {
    streaming: true,
    partials: true,
    wordTimings: false,
    languages: ['en-US'],
    inputFormats: [PCM16_8K, PCM16_16K],
  };
  private readonly options: ScriptedSttOptions;

  constructor(options: ScriptedSttOptions) {
    this.options = options;
    this.name = options.name ?? 'scripted';
  }

  async *transcribe(frames: AsyncIterable<AudioFrame>, options: SttOptions = {}): AsyncGenerator<SttEvent> {
    const signal = options.signal;
    const threshold = this.options.speechThresholdDbfs ?? -42;
    const trailingMs = options.trailingSilenceMs ?? 500;
    const started = performance.now();
    let utterance = 0;
    let positionMs = 0;
    let speechStartMs = -1;
    let lastSpeechMs = -1;
    let lastPartialMs = -1;
    const textFor = (i: number): string =>
      this.options.utterances[Math.min(i, this.options.utterances.length - 1)] ?? '';
    const final = (): SttEvent => {
      const text = textFor(utterance++);
      const event: SttEvent = {
        type: 'final',
        text,
        startMs: speechStartMs,
        endMs: lastSpeechMs,
        confidence: 0.9,
      };
      speechStartMs = -1;
      return event;
    };

    if (signal?.aborted) throw abortedError(this.name, signal);
    yield { type: 'started' };
    try {
      for await (const frame of frames) {
        if (signal?.aborted) throw abortedError(this.name, signal);
        checkFormat(this.name, frame.format, this.capabilities.inputFormats);
        const pcm = frame.data as Int16Array;
        const frameMs = (pcm.length / frame.format.sampleRateHz) * 1000;
        const loud = rmsDbfs(pcm) > threshold;
        if (loud) {
          if (speechStartMs < 0) {
            speechStartMs = positionMs;
            lastPartialMs = positionMs;
            yield { type: 'speechStarted', offsetMs: positionMs };
          }
          lastSpeechMs = positionMs + frameMs;
        }
        positionMs += frameMs;
        if (speechStartMs >= 0 && options.partials !== false && positionMs - lastPartialMs >= 200) {
          lastPartialMs = positionMs;
          const words = textFor(utterance).split(' ');
          const shown = Math.max(1, Math.round((words.length * (positionMs - speechStartMs)) / 2000));
          yield {
            type: 'partial',
            text: words.slice(0, shown).join(' '),
            startMs: speechStartMs,
            endMs: positionMs,
          };
        }
        if (speechStartMs >= 0 && positionMs - lastSpeechMs >= trailingMs) {
          yield final();
          yield { type: 'speechEnded', offsetMs: lastSpeechMs };
        }
      }
    } catch (err) {
      if (signal?.aborted) throw abortedError(this.name, signal);
      throw err;
    }
    if (speechStartMs >= 0) {
      yield final();
      yield { type: 'speechEnded', offsetMs: lastSpeechMs };
    }
    yield { type: 'usage', audioMs: positionMs, processingMs: performance.now() - started };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function checkFormat(engine: string, format: AudioFormat, accepted: readonly AudioFormat[]): void {
  const ok = accepted.some(
    (f) =>
      f.encoding === format.encoding &&
      f.sampleRateHz === format.sampleRateHz &&
      f.channels === format.channels,
  );
  if (!ok) {
    throw new EngineError(
      engine,
      'UNSUPPORTED_FORMAT',
      `cannot take ${format.encoding}/${format.sampleRateHz} Hz/${format.channels} ch audio`,
    );
  }
}
