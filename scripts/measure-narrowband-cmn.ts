/**
 * Derives NARROWBAND_CEPSTRAL_MEAN (src/engines/stt/pocketsphinx/pocketsphinx-decoder.ts): the
 * live-CMN start for 8 kHz input, which the engine upsamples to 16 kHz for the wide-band model.
 *
 *   node --import tsx scripts/measure-narrowband-cmn.ts [dev-set folder]
 *
 * The development set is Debian pocketsphinx-testdata's LibriVox clips
 * (/usr/share/pocketsphinx/test/data/librivox/*.wav, 16 kHz), never the LibriSpeech clips in
 * ../shared/audio/librispeech/, which the tests and acceptance score: a constant tuned on them
 * would overstate accuracy.
 *
 * Each clip goes through what a telephone call does to it and what the engine then does: 16 → 8
 * kHz with our Resampler, G.711 µ-law encode and decode with our codecs, then 8 → 16 kHz with the
 * same Resampler the engine's ChannelRecognizer uses. A fresh PocketsphinxDecoder, starting from
 * the model's own -cmninit, decodes the clip as one utterance again and again until the live CMN
 * mean (cmn_live_get, read after each ps_end_utt) stops moving: that fixed point is the clip's
 * mean cepstrum as live CMN weighs it, nearly independent of where it started. The printed constant is
 * the average of the clips' fixed points weighted by their length in frames, so that every second
 * of dev speech counts the same.
 */
/* eslint-disable no-restricted-imports -- a measurement script reads inside the engine, as bench/ does */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PocketsphinxDecoder } from '../src/engines/stt/pocketsphinx/pocketsphinx-decoder.js';
import { DEBIAN_MODEL_DIR } from '../src/engines/stt/pocketsphinx/index.js';
import { Resampler, concatPcm } from '../src/media/audio/index.js';
import { g711Decode, g711Encode } from '../src/media/codecs/index.js';
import { parseWav } from '../src/media/wav/index.js';
/* eslint-enable no-restricted-imports */

const DEV_DIR = process.argv[2] ?? '/usr/share/pocketsphinx/test/data/librivox';
const MODEL = {
  hmmDir: join(DEBIAN_MODEL_DIR, 'en-us'),
  lmFile: join(DEBIAN_MODEL_DIR, 'en-us.lm.bin'),
  dictFile: join(DEBIAN_MODEL_DIR, 'cmudict-en-us.dict'),
};
/** The engine receives 20 ms RTP frames; 160 samples at 8 kHz. */
const FRAME_SAMPLES_8K = 160;
/**
 * Stop once no coefficient moves by more than SETTLED between passes. It never reaches zero:
 * sphinxbase's noise removal (-remove_noise, on by default) keeps adapting its noise estimate
 * across utterances, so the mean wanders by a few tenths around its fixed point. The prior of the
 * model's -cmninit (500 frames) is down to a few percent after MIN_PASSES even for a 3 s clip.
 */
const SETTLED = 0.25;
const MIN_PASSES = 6;
const MAX_PASSES = 12;

/** A 16 kHz clip as the engine sees it after a µ-law telephone leg. */
function narrowband(pcm16k: Int16Array): Int16Array {
  const down = new Resampler(16000, 8000);
  const pcm8k = down.process(pcm16k);
  const telephone = g711Decode('mulaw', g711Encode('mulaw', pcm8k));
  // The engine upsamples frame by frame, without a final flush; so does this.
  const up = new Resampler(8000, 16000);
  const pieces: Int16Array[] = [];
  for (let i = 0; i < telephone.length; i += FRAME_SAMPLES_8K) {
    pieces.push(up.process(telephone.subarray(i, i + FRAME_SAMPLES_8K)));
  }
  return concatPcm(pieces);
}

interface ClipMean {
  readonly name: string;
  readonly frames: number;
  readonly passes: number;
  readonly mean: number[];
}

function settledMean(name: string, pcm16k: Int16Array): ClipMean {
  const decoder = new PocketsphinxDecoder('pocketsphinx', MODEL);
  try {
    let previous = decoder.cepstralMean();
    if (previous === undefined) throw new Error('cmn_t layout not as expected; cannot read the mean');
    for (let pass = 1; pass <= MAX_PASSES; pass++) {
      decoder.startUtterance();
      for (let i = 0; i < pcm16k.length; i += 2 * FRAME_SAMPLES_8K) {
        decoder.process(pcm16k.subarray(i, i + 2 * FRAME_SAMPLES_8K));
      }
      decoder.endUtterance();
      const mean = decoder.cepstralMean() ?? [];
      const moved = Math.max(...mean.map((v, i) => Math.abs(v - (previous?.[i] ?? 0))));
      previous = mean;
      if (pass >= MIN_PASSES && moved < SETTLED)
        return { name, frames: pcm16k.length / 160, passes: pass, mean };
    }
    return { name, frames: pcm16k.length / 160, passes: MAX_PASSES, mean: previous };
  } finally {
    decoder.free();
  }
}

const files = readdirSync(DEV_DIR)
  .filter((f) => f.endsWith('.wav'))
  .sort();
if (files.length === 0) throw new Error(`no .wav files in ${DEV_DIR}; install pocketsphinx-testdata`);

const format = (v: readonly number[]): string => v.map((x) => x.toFixed(2)).join(', ');
const clips: ClipMean[] = [];
for (const file of files) {
  const wav = parseWav(readFileSync(join(DEV_DIR, file)));
  if (wav.format.sampleRateHz !== 16000 || wav.format.channels !== 1 || wav.format.encoding !== 'pcm16') {
    throw new Error(`${file}: expected 16 kHz mono PCM16`);
  }
  const clip = settledMean(file, narrowband(wav.samples as Int16Array));
  clips.push(clip);
  console.log(`${file}  ${clip.frames} frames, settled after ${clip.passes} passes: [${format(clip.mean)}]`);
}

const totalFrames = clips.reduce((n, c) => n + c.frames, 0);
const average = Array.from(
  { length: clips[0]?.mean.length ?? 0 },
  (_, i) => clips.reduce((sum, c) => sum + (c.mean[i] ?? 0) * c.frames, 0) / totalFrames,
);
console.log(`\n${clips.length} clips, ${(totalFrames / 100).toFixed(1)} s, frame-weighted mean:`);
console.log(`export const NARROWBAND_CEPSTRAL_MEAN: readonly number[] = [\n  ${format(average)},\n];`);
