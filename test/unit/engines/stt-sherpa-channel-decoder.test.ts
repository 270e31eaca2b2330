// ChannelDecoder turns sherpa results into SttEvents. A scripted recognizer stands in for the
// model: every 320 ms chunk is "decoded", voiced chunks add a word, and the endpoint fires after
// rule2's trailing silence, as sherpa's would. What is tested is our offsets and event order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SttEvent } from '../../../src/engines/spi/index.js';
import { ChannelDecoder } from '../../../src/engines/stt/sherpa/channel-decoder.js';
import type {
  SherpaOnlineRecognizer,
  SherpaOnlineResult,
  SherpaOnlineStream,
} from '../../../src/engines/stt/sherpa/sherpa-recognizer-binding.js';
import { concatPcm, generateTone } from '../../../src/media/audio/index.js';

const CHUNK_MS = 320;

class ScriptedStream implements SherpaOnlineStream {
  samples: number[] = [];
  rateHz = 16000;
  finished = false;
  acceptWaveform(waveform: { samples: Float32Array; sampleRate: number }): void {
    this.rateHz = waveform.sampleRate;
    for (const s of waveform.samples) this.samples.push(s);
  }
  inputFinished(): void {
    this.finished = true;
  }
}

class ScriptedRecognizer implements SherpaOnlineRecognizer {
  private words: string[] = [];
  private timestamps: number[] = [];
  private segmentChunks = 0;
  private trailingChunks = 0;
  private consumed = 0;
  constructor(private readonly trailingSilenceMs: number) {}
  createStream(): ScriptedStream {
    return new ScriptedStream();
  }
  private chunkSamples(stream: ScriptedStream): number {
    return (stream.rateHz * CHUNK_MS) / 1000;
  }
  isReady(stream: ScriptedStream): boolean {
    return stream.samples.length - this.consumed >= this.chunkSamples(stream);
  }
  decode(stream: ScriptedStream): void {
    const n = this.chunkSamples(stream);
    const chunk = stream.samples.slice(this.consumed, this.consumed + n);
    this.consumed += n;
    const energy = chunk.reduce((sum, s) => sum + s * s, 0) / n;
    if (energy > 1e-4) {
      this.words.push(`word${this.words.length + 1}`);
      this.timestamps.push((this.segmentChunks * CHUNK_MS) / 1000);
      this.trailingChunks = 0;
    } else {
      this.trailingChunks++;
    }
    this.segmentChunks++;
  }
  isEndpoint(): boolean {
    return this.words.length > 0 && this.trailingChunks * CHUNK_MS >= this.trailingSilenceMs;
  }
  reset(): void {
    this.words = [];
    this.timestamps = [];
    this.segmentChunks = 0;
    this.trailingChunks = 0;
  }
  getResult(): SherpaOnlineResult {
    return {
      text: this.words.join(' '),
      timestamps: this.timestamps,
      ys_probs: this.words.map(() => Math.log(0.8)),
      num_trailing_blanks: (this.trailingChunks * CHUNK_MS) / 40,
    };
  }
}

const tone = (ms: number): Int16Array =>
  generateTone({ frequencyHz: 440, sampleRateHz: 16000, durationMs: ms, amplitudeDbfs: -12 });
const gap = (ms: number): Int16Array => new Int16Array((16000 * ms) / 1000);

function run(pcm: Int16Array, chunkSamples: number, partials = true): SttEvent[] {
  const decoder = new ChannelDecoder(new ScriptedRecognizer(640), {
    sampleRateHz: 16000,
    partials,
    partialIntervalMs: 300,
  });
  const events: SttEvent[] = [];
  for (let i = 0; i < pcm.length; i += chunkSamples)
    events.push(...decoder.accept(pcm.subarray(i, i + chunkSamples)));
  events.push(...decoder.finish());
  return events;
}

describe('ChannelDecoder over a scripted recognizer', () => {
  const audio = concatPcm([gap(640), tone(960), gap(1280), tone(640), gap(320)]);

  it('gives speechStarted, partials, final with offsets and confidence, speechEnded per utterance', () => {
    const events = run(audio, 320);
    const types = events.map((e) => e.type);
    assert.deepEqual(
      types.filter((t) => t !== 'partial'),
      ['speechStarted', 'final', 'speechEnded', 'speechStarted', 'final', 'speechEnded'],
    );
    const finals = events.filter((e): e is Extract<SttEvent, { type: 'final' }> => e.type === 'final');
    assert.deepEqual(
      finals.map((f) => [f.text, f.startMs, f.endMs]),
      [
        // The first word is timestamped at its chunk; the endpoint fires 640 ms after the last word.
        ['word1 word2 word3', 640, 1600],
        // The second segment ends inside the tail padding: the padding's blanks are not audio, so
        // the end lands where the tone stopped (3520), give or take the 20 ms the scripted
        // recognizer leaves undecoded.
        ['word1 word2', 2880, 3540],
      ],
    );
    for (const f of finals) assert.ok(Math.abs(f.confidence - 0.8) < 1e-9);
    const partials = events.filter((e) => e.type === 'partial');
    assert.ok(partials.length >= 2, 'partials while the text grows');
  });

  it('partials can be turned off and never repeat unchanged text', () => {
    assert.equal(run(audio, 320, false).filter((e) => e.type === 'partial').length, 0);
    const partials = run(audio, 160).filter(
      (e): e is Extract<SttEvent, { type: 'partial' }> => e.type === 'partial',
    );
    for (let i = 1; i < partials.length; i++) assert.notEqual(partials[i]!.text, partials[i - 1]!.text);
  });

  it('silence gives no events at all', () => {
    assert.deepEqual(run(gap(3000), 320), []);
  });
});
