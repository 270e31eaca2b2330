import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SttEvent } from '../../../src/engines/spi/index.js';
import type { UtteranceDecoder } from '../../../src/engines/stt/pocketsphinx/channel-recognizer.js';
import { ChannelRecognizer } from '../../../src/engines/stt/pocketsphinx/channel-recognizer.js';
import type { UtteranceResult } from '../../../src/engines/stt/pocketsphinx/pocketsphinx-decoder.js';
import type { VadEvent, VoiceActivityDetector } from '../../../src/engines/vad/index.js';

/** Records every sample the channel gives it; results name the number of samples decoded. */
class RecordingDecoder implements UtteranceDecoder {
  live: Int16Array[] = [];
  whole: Int16Array[] = [];
  started = 0;
  startUtterance(): void {
    this.started++;
  }
  process(pcm: Int16Array): void {
    this.live.push(pcm.slice());
  }
  partialText(): string {
    return 'partial';
  }
  endUtterance(): UtteranceResult {
    return { text: `live ${this.live.reduce((n, p) => n + p.length, 0)}`, confidence: 1, words: [] };
  }
  decodeWholeUtterance(pcm: Int16Array): UtteranceResult {
    this.whole.push(pcm.slice());
    return { text: `whole ${pcm.length}`, confidence: 1, words: [] };
  }
}

/**
 * Announces speech from `startMs` to `endMs`, each 100 ms after the fact as a real detector does
 * (it has to hear enough first); records how much 16 kHz audio it was fed.
 */
class ScriptedVad implements VoiceActivityDetector {
  readonly kind = 'scripted';
  fedSamples = 0;
  private said = 0;
  constructor(
    private readonly startMs: number,
    private readonly endMs: number,
  ) {}
  process(pcm16k: Int16Array): VadEvent[] {
    this.fedSamples += pcm16k.length;
    const ms = this.fedSamples / 16;
    const events: VadEvent[] = [];
    if (this.said === 0 && ms >= this.startMs + 100) {
      this.said = 1;
      events.push({ type: 'speechStart', offsetMs: this.startMs });
    }
    if (this.said === 1 && ms >= this.endMs + 100) {
      this.said = 2;
      events.push({ type: 'speechEnd', offsetMs: this.endMs });
    }
    return events;
  }
  flush(): VadEvent[] {
    return [];
  }
  reset(): void {}
  close(): void {}
}

/** 2 s of distinct samples (a ramp), so any resampling or misplaced slice shows. */
function ramp8k(): Int16Array {
  return Int16Array.from({ length: 16000 }, (_, i) => (i % 30000) - 15000);
}

function feed(channel: ChannelRecognizer, pcm: Int16Array, frameSamples: number): SttEvent[] {
  const events: SttEvent[] = [];
  for (let i = 0; i < pcm.length; i += frameSamples)
    events.push(...channel.push(pcm.subarray(i, i + frameSamples)));
  return events;
}

describe('pocketsphinx channel: 8 kHz into the 8 kHz model', () => {
  it('gives the decoder the 8 kHz samples as they came (no resampler) and the VAD a 16 kHz copy', () => {
    const decoder = new RecordingDecoder();
    const vad = new ScriptedVad(500, 1500);
    const channel = new ChannelRecognizer(decoder, vad, {
      inputRateHz: 8000,
      decoderRateHz: 8000,
      partials: true,
      partialIntervalMs: 250,
      prerollMs: 300,
      finalPass: 'utterance',
    });
    const pcm = ramp8k();
    const events = feed(channel, pcm, 160);
    assert.equal(channel.resamplesForDecoder, false);
    assert.equal(vad.fedSamples, 2 * pcm.length);
    // Speech from 500 ms with 300 ms of pre-roll: sample 1600 at 8 kHz, to 1500 ms = 12000.
    assert.equal(decoder.whole.length, 1);
    assert.deepEqual(decoder.whole[0], pcm.slice(1600, 12000));
    // The live pass (for partials) heard the same samples, unchanged, from the same start.
    const live = Int16Array.from(decoder.live.flatMap((p) => [...p]));
    assert.deepEqual(live.subarray(0, 12000 - 1600), pcm.slice(1600, 12000));
    const final = events.find((e) => e.type === 'final');
    assert.deepEqual(final && { text: final.text, startMs: final.startMs, endMs: final.endMs }, {
      text: `whole ${12000 - 1600}`,
      startMs: 500,
      endMs: 1500,
    });
    assert.ok(events.some((e) => e.type === 'partial'));
  });

  it('without partials the live decoder never runs: one whole-utterance pass per utterance', () => {
    const decoder = new RecordingDecoder();
    const channel = new ChannelRecognizer(decoder, new ScriptedVad(500, 1500), {
      inputRateHz: 8000,
      decoderRateHz: 8000,
      partials: false,
      partialIntervalMs: 250,
      prerollMs: 300,
      finalPass: 'utterance',
    });
    const events = feed(channel, ramp8k(), 160);
    assert.equal(decoder.started, 0);
    assert.equal(decoder.live.length, 0);
    assert.equal(decoder.whole.length, 1);
    assert.deepEqual(
      events.map((e) => e.type),
      ['speechStarted', 'final', 'speechEnded'],
    );
  });

  it('cuts continuous speech at maxUtteranceMs so the kept audio stays bounded', () => {
    const decoder = new RecordingDecoder();
    const channel = new ChannelRecognizer(decoder, new ScriptedVad(100, 100_000), {
      inputRateHz: 8000,
      decoderRateHz: 8000,
      partials: false,
      partialIntervalMs: 250,
      prerollMs: 0,
      finalPass: 'utterance',
      maxUtteranceMs: 500,
    });
    const events = feed(channel, ramp8k(), 160);
    assert.deepEqual(
      decoder.whole.map((p) => p.length),
      [4000, 4000, 4000],
    );
    assert.equal(events.filter((e) => e.type === 'speechStarted').length, 4);
  });

  it('upsamples 8 kHz for a 16 kHz decoder (the model fallback), once for decoder and VAD', () => {
    const decoder = new RecordingDecoder();
    const vad = new ScriptedVad(500, 1500);
    const channel = new ChannelRecognizer(decoder, vad, {
      inputRateHz: 8000,
      decoderRateHz: 16000,
      partials: false,
      partialIntervalMs: 250,
      prerollMs: 300,
      finalPass: 'utterance',
    });
    feed(channel, ramp8k(), 160);
    assert.equal(channel.resamplesForDecoder, true);
    assert.equal(vad.fedSamples, 32000);
    assert.equal(decoder.whole[0]?.length, (1500 - 200) * 16);
  });
});
