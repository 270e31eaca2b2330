/**
 * Telephone-band accuracy: voxbridge's streaming pocketsphinx path with the CMU 8 kHz model next to
 * Debian's `pocketsphinx_batch` with the same acoustic model, language model and dictionary, on
 * the same 8 kHz G.711 audio. Every clip goes through a µ-law call leg first (16 → 8 kHz with our
 * Resampler when it is wideband, µ-law encode and decode with our codec) and is written as the 8
 * kHz PCM WAV both decoders read. Run: `npm run bench -- speech` (or `npm run bench -- speech-8k`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SttEngine } from '../src/engines/spi/index.js';
import { pcmFrames, streamFrames } from '../src/engines/spi/testing/index.js';
import { DEBIAN_MODEL_DIR, PocketsphinxStt } from '../src/engines/stt/pocketsphinx/index.js';
import { PCM16_8K, resample } from '../src/media/audio/index.js';
import { g711Decode, g711Encode } from '../src/media/codecs/index.js';
import { encodeWav, parseWav } from '../src/media/wav/index.js';
import { resolveModelDir } from '../src/models/index.js';
import { wordErrorRate } from '../test/support/wer.js';
import { fmt, printTable } from './lib.js';
import { LIBRISPEECH_DIR, TESTDATA_DIR, canRun, run, wordCount } from './speech-data.js';

const BATCH_CLI = 'pocketsphinx_batch';

/** Short contact-center prompts spoken by espeak-ng (US English), the synthetic part of the set. */
const ESPEAK_PROMPTS = [
  'i would like to check the balance on my account',
  'my order number is four five six seven and it has not arrived yet',
  'can you please transfer me to a customer service representative',
  'i need to change the address on my credit card',
  'the package was delivered to the wrong house yesterday',
  'please cancel my subscription at the end of this month',
  'i am calling about a charge on my last bill',
  'what time does the store open on saturday morning',
  'my internet connection keeps dropping every few minutes',
  'i want to book a flight to chicago next tuesday',
];

interface TelephoneClip {
  readonly set: string;
  readonly id: string;
  readonly reference: string;
  /** 8 kHz PCM16 after the µ-law round trip. */
  readonly pcm: Int16Array;
  readonly path: string;
}

/** What a µ-law call leg does to a clip: 8 kHz, µ-law encode, decode. */
function throughMulaw(pcm: Int16Array, rateHz: number): Int16Array {
  const pcm8k = rateHz === 8000 ? pcm : resample(pcm, rateHz, 8000);
  return g711Decode('mulaw', g711Encode('mulaw', pcm8k));
}

function addClip(
  clips: TelephoneClip[],
  dir: string,
  set: string,
  id: string,
  reference: string,
  wav: Buffer,
): void {
  const parsed = parseWav(wav);
  if (parsed.format.encoding !== 'pcm16' || parsed.format.channels !== 1)
    throw new Error(`${id}: not mono PCM16`);
  const pcm = throughMulaw(parsed.samples as Int16Array, parsed.format.sampleRateHz);
  const path = join(dir, `${id}.wav`);
  writeFileSync(path, encodeWav(PCM16_8K, pcm));
  clips.push({ set, id, reference, pcm, path });
}

function loadClips(dir: string): { clips: TelephoneClip[]; skipped: string[] } {
  const clips: TelephoneClip[] = [];
  const skipped: string[] = [];
  for (const line of readFileSync(join(LIBRISPEECH_DIR, 'trans.txt'), 'utf8').split('\n')) {
    const match = /^(\S+)\.wav\s+(.*)$/.exec(line.trim());
    if (match === null) continue;
    addClip(
      clips,
      dir,
      'LibriSpeech',
      `ls-${match[1]!}`,
      match[2]!,
      readFileSync(join(LIBRISPEECH_DIR, `${match[1]!}.wav`)),
    );
  }
  const librivox = join(TESTDATA_DIR, 'librivox');
  if (existsSync(join(librivox, 'transcription'))) {
    for (const line of readFileSync(join(librivox, 'transcription'), 'utf8').split('\n')) {
      const match = /^(.*)\((\S+)\)\s*$/.exec(line.trim());
      if (match === null) continue;
      const reference = match[1]!.replace(/<\/?s>/g, ' ').trim();
      addClip(
        clips,
        dir,
        'librivox',
        `lv-${match[2]!.slice(-4)}`,
        reference,
        readFileSync(join(librivox, `${match[2]!}.wav`)),
      );
    }
  } else {
    skipped.push(`librivox: skipped — ${librivox} is absent (apt-get install pocketsphinx-testdata)`);
  }
  if (canRun('espeak-ng', ['--version'])) {
    ESPEAK_PROMPTS.forEach((prompt, i) => {
      const raw = join(dir, `espeak-${i}.raw.wav`);
      const wav16k = join(dir, `espeak-${i}.16k.wav`);
      run('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', raw, prompt]);
      run('sox', [raw, '-r', '16000', '-b', '16', '-c', '1', wav16k]);
      addClip(clips, dir, 'espeak-ng', `es-${i + 1}`, prompt, readFileSync(wav16k));
    });
  } else {
    skipped.push('espeak-ng: skipped — not installed');
  }
  return { clips, skipped };
}

/** pocketsphinx_batch over every clip in one process; hypotheses by clip id. */
function runBatch(
  dir: string,
  hmmDir: string,
  clips: readonly TelephoneClip[],
): { texts: Map<string, string>; wallMs: number } {
  const ctl = join(dir, 'clips.ctl');
  const hyp = join(dir, 'clips.hyp');
  writeFileSync(ctl, clips.map((c) => basename(c.path, '.wav')).join('\n') + '\n');
  const { wallMs } = run(BATCH_CLI, [
    '-adcin',
    'yes',
    '-adchdr',
    '44',
    '-cepdir',
    dir,
    '-cepext',
    '.wav',
    '-ctl',
    ctl,
    '-hmm',
    hmmDir,
    '-lm',
    join(DEBIAN_MODEL_DIR, 'en-us.lm.bin'),
    '-dict',
    join(DEBIAN_MODEL_DIR, 'cmudict-en-us.dict'),
    '-samprate',
    '8000',
    '-nfft',
    '256',
    '-hyp',
    hyp,
    '-logfn',
    '/dev/null',
  ]);
  const texts = new Map<string, string>();
  for (const line of readFileSync(hyp, 'utf8').split('\n')) {
    const match = /^(.*)\((\S+) -?\d+\)\s*$/.exec(line.trim());
    if (match !== null) texts.set(match[2]!, match[1]!.trim());
  }
  return { texts, wallMs };
}

async function transcribe(engine: SttEngine, pcm: Int16Array): Promise<string> {
  const texts: string[] = [];
  for await (const event of engine.transcribe(streamFrames(pcmFrames(PCM16_8K, pcm)))) {
    if (event.type === 'final' && event.text !== '') texts.push(event.text);
  }
  return texts.join(' ');
}

interface Variant {
  readonly label: string;
  readonly texts: Map<string, string>;
  readonly wallMs: number;
}

async function runEngine(
  label: string,
  engine: SttEngine,
  clips: readonly TelephoneClip[],
): Promise<Variant> {
  try {
    // The first stream starts the worker; a server pays that once.
    await transcribe(engine, clips[0]!.pcm);
    const texts = new Map<string, string>();
    const t0 = performance.now();
    for (const clip of clips) texts.set(clip.id, await transcribe(engine, clip.pcm));
    return { label, texts, wallMs: performance.now() - t0 };
  } finally {
    await engine.close();
  }
}

function corpusWer(
  clips: readonly TelephoneClip[],
  texts: Map<string, string>,
): { edits: number; words: number } {
  let edits = 0;
  let words = 0;
  for (const clip of clips) {
    const n = wordCount(clip.reference);
    edits += Math.round(wordErrorRate(clip.reference, texts.get(clip.id) ?? '') * n);
    words += n;
  }
  return { edits, words };
}

export async function telephoneBench(
  modelsDir: string | undefined,
  vadDir: string | undefined,
): Promise<void> {
  const hmmDir = await resolveModelDir('pocketsphinx-en-us-8k', { modelsDir });
  if (hmmDir === undefined) {
    console.log(
      '\ntelephone band: skipped — pocketsphinx-en-us-8k not found (voxbridge models pull pocketsphinx-en-us-8k)',
    );
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vox-bench-8k-'));
  try {
    const { clips, skipped } = loadClips(dir);
    for (const line of skipped) console.log(line);
    const vad = vadDir === undefined ? {} : { vad: { modelDir: vadDir } };
    const variants: Variant[] = [];
    variants.push(
      await runEngine(
        'voxbridge, 8 kHz model (default: whole-utterance finals)',
        new PocketsphinxStt({ ...vad, narrowbandModelDir: hmmDir, workers: 1 }),
        clips,
      ),
    );
    variants.push(
      await runEngine(
        'voxbridge, 8 kHz model, live finals (narrowbandFinalPass: live)',
        new PocketsphinxStt({ ...vad, narrowbandModelDir: hmmDir, narrowbandFinalPass: 'live', workers: 1 }),
        clips,
      ),
    );
    variants.push(
      await runEngine(
        'voxbridge, 16 kHz model on upsampled audio (no 8 kHz model)',
        new PocketsphinxStt({ ...vad, workers: 1 }),
        clips,
      ),
    );
    const peer = canRun(BATCH_CLI, ['-h']) ? runBatch(dir, hmmDir, clips) : undefined;
    const sets = [...new Set(clips.map((c) => c.set))];
    const header = ['set', 'clips', 'audio s', 'words', ...variants.map((v) => `${v.label} WER %`)];
    if (peer) header.push(`${BATCH_CLI}, 8 kHz model WER %`, 'default − batch (pts)');
    const rows: (string | number)[][] = [];
    for (const set of [...sets, 'all']) {
      const inSet = set === 'all' ? clips : clips.filter((c) => c.set === set);
      const audioS = inSet.reduce((s, c) => s + c.pcm.length / 8000, 0);
      const scores = variants.map((v) => corpusWer(inSet, v.texts));
      const row: (string | number)[] = [set, inSet.length, fmt(audioS, 1), scores[0]!.words];
      for (const s of scores) row.push(fmt((100 * s.edits) / s.words, 1));
      if (peer) {
        const p = corpusWer(inSet, peer.texts);
        const diff = (100 * scores[0]!.edits) / scores[0]!.words - (100 * p.edits) / p.words;
        row.push(fmt((100 * p.edits) / p.words, 1), `${diff > 0 ? '+' : ''}${fmt(diff, 1)}`);
      }
      rows.push(row);
    }
    printTable(
      'Telephone band (8 kHz µ-law round trip): WER, voxbridge streaming (20 ms frames, VAD-cut utterances) vs pocketsphinx_batch (whole file) with the same models',
      header,
      rows,
    );
    const audioS = clips.reduce((s, c) => s + c.pcm.length / 8000, 0);
    console.log(
      `\nAcoustic model ${hmmDir}; LM and dictionary from ${DEBIAN_MODEL_DIR}; utterance VAD ${vadDir === undefined ? 'energy' : 'Silero'}.` +
        ` Wall time for ${fmt(audioS, 0)} s of audio, one stream at a time on one worker: ` +
        variants
          .map(
            (v) => `${v.label.split(',').slice(1).join(',').trim() || v.label} ${fmt(v.wallMs / 1000, 1)} s`,
          )
          .join('; ') +
        (peer ? `; ${BATCH_CLI} ${fmt(peer.wallMs / 1000, 1)} s (one process, model load included).` : '.'),
    );
    if (peer) {
      const ours = corpusWer(clips, variants[0]!.texts);
      const theirs = corpusWer(clips, peer.texts);
      const diff = (100 * ours.edits) / ours.words - (100 * theirs.edits) / theirs.words;
      console.log(
        `Target: WER within 1 point of ${BATCH_CLI} → ${fmt(diff, 1)} points (${diff <= 1 ? 'met' : 'NOT met'}).`,
      );
    } else {
      console.log(`${BATCH_CLI} is not installed (apt-get install pocketsphinx): no peer column.`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `npm run bench -- speech-8k`: only this table. */
export async function runTelephoneBench(): Promise<void> {
  const { SHARED_MODELS_DIR } = await import('./speech-data.js');
  const modelsDir = existsSync(SHARED_MODELS_DIR) ? SHARED_MODELS_DIR : undefined;
  const vadDir = await resolveModelDir('silero-vad', { modelsDir });
  console.log('\n## Speech: telephone band\n');
  console.log('Command: `npm run bench -- speech-8k`');
  await telephoneBench(modelsDir, vadDir);
}
