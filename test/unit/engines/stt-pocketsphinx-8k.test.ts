import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { SttEvent } from '../../../src/engines/spi/index.js';
import { EngineError } from '../../../src/engines/spi/index.js';
import { collect, pcmFrames, streamFrames } from '../../../src/engines/spi/testing/index.js';
import { PocketsphinxStt } from '../../../src/engines/stt/pocketsphinx/index.js';
import { loadPocketsphinx } from '../../../src/engines/stt/pocketsphinx/pocketsphinx-library.js';
import { PCM16_8K, resample } from '../../../src/media/audio/index.js';
import { g711Decode, g711Encode } from '../../../src/media/codecs/index.js';
import { parseWav } from '../../../src/media/wav/index.js';
import { sharedFile } from '../../support/paths.js';
import { wordErrorRate } from '../../support/wer.js';
import { librispeechReference } from '../../support/librispeech.js';

/**
 * Telephone audio with the CMU 8 kHz model (from ../shared/models, as CI has it): the three
 * LibriSpeech utterances of ../shared as a µ-law call carries them (16 → 8 kHz with our resampler,
 * G.711 encode and decode with our codec; 8k.wav is 8 kHz already), decoded at 8 kHz.
 */
const NARROWBAND_DIR = sharedFile('models/pocketsphinx-en-us-8k');
const VAD = { modelDir: sharedFile('models/silero-vad') };

function telephone(name: string): Int16Array {
  const wav = parseWav(readFileSync(sharedFile(`audio/librispeech/${name}`)));
  const pcm = wav.samples as Int16Array;
  const pcm8k = wav.format.sampleRateHz === 8000 ? pcm : resample(pcm, wav.format.sampleRateHz, 8000);
  return g711Decode('mulaw', g711Encode('mulaw', pcm8k));
}

function finalText(events: readonly SttEvent[]): string {
  return events
    .flatMap((e) => (e.type === 'final' && e.text !== '' ? [e.text] : []))
    .join(' ')
    .trim();
}

/** Corpus WER: total edits over total reference words. */
async function corpusWer(engine: PocketsphinxStt, names: readonly string[]): Promise<number> {
  let edits = 0;
  let words = 0;
  const results = await Promise.all(
    names.map(async (name) => ({
      name,
      text: finalText(await collect(engine.transcribe(streamFrames(pcmFrames(PCM16_8K, telephone(name)))))),
    })),
  );
  for (const { name, text } of results) {
    const ref = librispeechReference(name);
    const n = ref.split(' ').length;
    const wer = wordErrorRate(ref, text);
    console.log(`# ${name} as 8 kHz µ-law, WER ${(wer * 100).toFixed(1)} %: "${text}"`);
    edits += Math.round(wer * n);
    words += n;
  }
  return edits / words;
}

const CLIPS = ['0.wav', '1.wav', '8k.wav'];

describe('pocketsphinx: 8 kHz calls with the 8 kHz model', () => {
  let native: PocketsphinxStt;
  let upsampled: PocketsphinxStt;

  before(() => {
    native = new PocketsphinxStt({ narrowbandModelDir: NARROWBAND_DIR, vad: VAD, workers: 2 });
    upsampled = new PocketsphinxStt({ vad: VAD, workers: 2 });
  });
  after(async () => {
    await Promise.all([native.close(), upsampled.close()]);
  });

  it('decodes 8 kHz input at 8 kHz when given the model, and at 16 kHz without it', () => {
    assert.equal(native.narrowbandDecoderRateHz, 8000);
    assert.equal(upsampled.narrowbandDecoderRateHz, 16000);
    assert.ok(native.capabilities.inputFormats.includes(PCM16_8K));
  });

  it('recognizes the telephone versions of the shared utterances with a corpus WER of at most 40 %', async () => {
    // Measured 33.8 % here. The engine before the 8 kHz model (16 kHz model, upsampled audio, live
    // finals, narrowband CMN start) scored 50.6 % on the same audio (docs/benchmarks.md).
    const wer = await corpusWer(native, CLIPS);
    console.log(`# 8 kHz model, corpus WER ${(wer * 100).toFixed(1)} %`);
    assert.ok(wer <= 0.4, `corpus WER ${wer}`);
  });

  it('final word times fall inside the utterance and the clip', async () => {
    const pcm = telephone('8k.wav');
    const events = await collect(native.transcribe(streamFrames(pcmFrames(PCM16_8K, pcm))));
    const finals = events.filter((e): e is Extract<SttEvent, { type: 'final' }> => e.type === 'final');
    assert.ok(finals.length >= 1);
    const clipMs = (pcm.length / 8000) * 1000;
    for (const f of finals) {
      assert.ok(f.startMs >= 0 && f.endMs <= clipMs + 20 && f.startMs < f.endMs, `${f.startMs}-${f.endMs}`);
      assert.ok(f.words !== undefined && f.words.length > 0);
      for (const w of f.words ?? [])
        assert.ok(w.startMs >= f.startMs && w.endMs <= f.endMs, JSON.stringify(w));
    }
  });

  it('binds no function that writes into sphinxbase structs (the cmn_live_set start is gone)', () => {
    // The old narrow-band CMN start wrote through a pointer read at a hard-coded feat_t offset;
    // whole-utterance finals replaced it (docs/pocketsphinx-binding.md).
    const lib = loadPocketsphinx('pocketsphinx');
    assert.equal('cmnLiveSet' in lib, false);
  });

  it('a folder without the 8 kHz model is MODEL_NOT_FOUND telling how to pull it', () => {
    assert.throws(
      () => new PocketsphinxStt({ narrowbandModelDir: '/nonexistent/pocketsphinx-en-us-8k' }),
      (err: unknown) =>
        err instanceof EngineError &&
        err.code === 'MODEL_NOT_FOUND' &&
        err.message.includes('voxbridge models pull pocketsphinx-en-us-8k'),
    );
  });
});
