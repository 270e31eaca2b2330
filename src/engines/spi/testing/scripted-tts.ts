import type { AudioFrame } from '../../../media/audio/index.js';
import { createFrame } from '../../../media/audio/index.js';
import { g711Encode } from '../../../media/codecs/index.js';
import { EngineError, abortedError } from '../engine-error.js';
import type { TtsCapabilities, TtsEngine, TtsRequest, TtsSynthesisOptions } from '../tts-engine.js';

/**
 * A fake synthesizer for unit tests of the layers above engines (cache, playback, dialog). Each
 * sentence becomes a tone whose frequency encodes the sentence index and whose length is 250 ms
 * per word, so tests can assert by content which sentence was played. `synthesized` counts the
 * sentences actually produced, so a cache test can prove single-flight.
 */
export class ScriptedTts implements TtsEngine {
  readonly name: string;
  readonly model = 'scripted-1';
  readonly capabilities: TtsCapabilities = {
    voices: [{ id: 'fake-en', language: 'en-US', gender: 'neutral' }],
    ssml: false,
    sentenceStreaming: true,
    nativeSampleRateHz: 16000,
  };
  synthesized = 0;
  private readonly delayMs: number;

  constructor(options: { name?: string; delayPerSentenceMs?: number } = {}) {
    this.name = options.name ?? 'scripted';
    this.delayMs = options.delayPerSentenceMs ?? 0;
  }

  async *synthesize(request: TtsRequest, options: TtsSynthesisOptions = {}): AsyncGenerator<AudioFrame> {
    const signal = options.signal;
    if (signal?.aborted) throw abortedError(this.name, signal);
    if (request.voice !== undefined && !this.capabilities.voices.some((v) => v.id === request.voice)) {
      throw new EngineError(this.name, 'INVALID_REQUEST', `unknown voice ${request.voice}`);
    }
    const { encoding, sampleRateHz } = request.format;
    const sentences = request.text
      .split(/(?<=[.!?])\s+/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    let timestampMs = 0;
    for (const [index, sentence] of sentences.entries()) {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (signal?.aborted) throw abortedError(this.name, signal);
      this.synthesized++;
      const words = sentence.split(/\s+/).length;
      const samples = Math.round((sampleRateHz * words * 250) / 1000);
      const pcm = new Int16Array(samples);
      const hz = 400 + 100 * index;
      for (let i = 0; i < samples; i++)
        pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / sampleRateHz));
      const frameSamples = sampleRateHz / 50;
      for (let i = 0; i < samples; i += frameSamples) {
        if (signal?.aborted) throw abortedError(this.name, signal);
        const chunk = pcm.subarray(i, i + frameSamples);
        const data = encoding === 'pcm16' ? chunk.slice() : g711Encode(encoding, chunk);
        yield createFrame({ encoding, sampleRateHz, channels: 1 }, data, timestampMs);
        timestampMs += (chunk.length / sampleRateHz) * 1000;
      }
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
