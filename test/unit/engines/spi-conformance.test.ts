// The conformance suites run against the scripted fakes: proves the suites themselves pass a
// correct engine, and that the fakes the upper layers use behave like real engines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PCM16_16K } from '../../../src/media/audio/index.js';
import { generateTone } from '../../../src/media/audio/index.js';
import type { SttEngine, SttEvent } from '../../../src/engines/spi/index.js';
import {
  ScriptedStt,
  ScriptedTts,
  collect,
  describeSttConformance,
  describeTtsConformance,
  pcmFrames,
  streamFrames,
} from '../../../src/engines/spi/testing/index.js';

/** Two tone bursts separated by silence: two "utterances" for the energy segmenter. */
function twoBursts(): Int16Array {
  const rate = 16000;
  const burst = generateTone({ frequencyHz: 300, sampleRateHz: rate, durationMs: 800, amplitudeDbfs: -12 });
  const gap = new Int16Array(rate); // 1 s
  const out = new Int16Array(gap.length * 2 + burst.length * 2);
  out.set(burst, gap.length / 2);
  out.set(burst, gap.length / 2 + burst.length + gap.length);
  return out;
}

describeSttConformance({
  name: 'scripted',
  create: () => new ScriptedStt({ utterances: ['hello world', 'goodbye now'] }),
  speech: { format: PCM16_16K, pcm: twoBursts(), expectWords: ['hello', 'world', 'goodbye', 'now'] },
});

describeTtsConformance({ name: 'scripted', create: () => new ScriptedTts() });

describe('ScriptedStt segments real audio', () => {
  it('finds both bursts with offsets where the audio has them', async () => {
    const engine: SttEngine = new ScriptedStt({ utterances: ['first', 'second'] });
    const events = await collect(engine.transcribe(streamFrames(pcmFrames(PCM16_16K, twoBursts()))));
    const finals = events.filter((e): e is Extract<SttEvent, { type: 'final' }> => e.type === 'final');
    assert.deepEqual(
      finals.map((f) => [f.text, f.startMs, f.endMs]),
      [
        ['first', 500, 1300],
        ['second', 2300, 3100],
      ],
    );
  });
});

describe('ScriptedTts', () => {
  it('counts synthesized sentences and encodes the sentence index in the tone', async () => {
    const tts = new ScriptedTts();
    const frames = await collect(
      tts.synthesize({ text: 'One two. Three.', format: { encoding: 'pcm16', sampleRateHz: 8000 } }),
    );
    assert.equal(tts.synthesized, 2);
    const totalMs = frames.reduce((ms, f) => ms + f.data.length / 8, 0);
    assert.equal(totalMs, 750);
  });
});
