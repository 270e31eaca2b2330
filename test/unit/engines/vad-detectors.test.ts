// Both voice activity detectors against real speech (LibriSpeech 0.wav), silence, noise, a click,
// arbitrary chunking and the trailing-silence rule. The same cases run for each kind.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { VadEvent, VoiceActivityDetector } from '../../../src/engines/vad/index.js';
import { EnergyVad, SileroVad } from '../../../src/engines/vad/index.js';
import { concatPcm, generateTone, rmsDbfs } from '../../../src/media/audio/index.js';
import { parseWav } from '../../../src/media/wav/index.js';
import { SHARED, sharedFile } from '../../support/paths.js';

const RATE = 16000;
const ms = (n: number): number => Math.round((n * RATE) / 1000);
const zeros = (durationMs: number): Int16Array => new Int16Array(ms(durationMs));

function speech0(): Int16Array {
  const wav = parseWav(readFileSync(sharedFile('audio/librispeech/0.wav')));
  assert.equal(wav.info.sampleRateHz, RATE);
  assert.ok(wav.samples instanceof Int16Array);
  return wav.samples;
}

/**
 * Where speech really is in the file, independently of both detectors: the first and last 10 ms
 * frame above -40 dBFS (the file's own background is near -61 dBFS, its speech -20 to -35).
 * 0.wav has about 0.4 s of silence before the first word, so with 1 s of padding the speech
 * starts near 1.4 s, not at 1 s.
 */
function speechBoundsMs(pcm: Int16Array): { startMs: number; endMs: number } {
  const frame = ms(10);
  let first = -1;
  let last = -1;
  for (let i = 0; i + frame <= pcm.length; i += frame) {
    if (rmsDbfs(pcm.subarray(i, i + frame)) > -40) {
      if (first < 0) first = i;
      last = i + frame;
    }
  }
  return { startMs: (first * 1000) / RATE, endMs: (last * 1000) / RATE };
}

/** Deterministic white noise at a given RMS level (full-scale sine = 0 dBFS, as rmsDbfs counts). */
function noise(durationMs: number, rmsLevelDbfs: number, seed = 1): Int16Array {
  const out = new Int16Array(ms(durationMs));
  const rms = (32768 / Math.SQRT2) * 10 ** (rmsLevelDbfs / 20);
  let state = seed;
  for (let i = 0; i < out.length; i++) {
    // Sum of 4 uniforms: close enough to Gaussian, unit variance after scaling.
    let sum = 0;
    for (let k = 0; k < 4; k++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      sum += state / 2 ** 32 - 0.5;
    }
    out[i] = Math.round(sum * Math.sqrt(3) * rms);
  }
  return out;
}

function run(vad: VoiceActivityDetector, pcm: Int16Array, chunkSizes?: () => number): VadEvent[] {
  vad.reset();
  const events: VadEvent[] = [];
  if (chunkSizes === undefined) {
    events.push(...vad.process(pcm));
  } else {
    for (let i = 0; i < pcm.length;) {
      const n = Math.min(chunkSizes(), pcm.length - i);
      events.push(...vad.process(pcm.subarray(i, i + n)));
      i += n;
    }
  }
  events.push(...vad.flush());
  return events;
}

function utterances(events: readonly VadEvent[]): [number, number][] {
  const out: [number, number][] = [];
  let start: number | undefined;
  for (const event of events) {
    if (event.type === 'speechStart') {
      assert.equal(start, undefined, 'speechStart while already in speech');
      start = event.offsetMs;
    } else {
      assert.notEqual(start, undefined, 'speechEnd without speechStart');
      assert.ok(event.offsetMs >= start!, `utterance ends (${event.offsetMs}) before it starts (${start})`);
      out.push([start!, event.offsetMs]);
      start = undefined;
    }
  }
  assert.equal(start, undefined, 'flush left an utterance open');
  return out;
}

const SILERO_DIR = join(SHARED, 'models', 'silero-vad');
const SILERO_V4 = join(SILERO_DIR, 'silero_vad.onnx');
const SILERO_V5 = join(SILERO_DIR, 'silero_vad_v5.onnx');

interface Kind {
  readonly name: string;
  readonly create: (options?: { trailingSilenceMs?: number; minSpeechMs?: number }) => VoiceActivityDetector;
  readonly skip: string | false;
}

const KINDS: Kind[] = [
  { name: 'energy', create: (o) => new EnergyVad(o), skip: false },
  {
    name: 'silero v4',
    create: (o) => new SileroVad({ ...o, modelPath: SILERO_V4 }),
    skip: existsSync(SILERO_V4) ? false : `no Silero model at ${SILERO_V4}`,
  },
  {
    name: 'silero v5',
    create: (o) => new SileroVad({ ...o, modelPath: SILERO_V5 }),
    skip: existsSync(SILERO_V5) ? false : `no Silero model at ${SILERO_V5}`,
  },
];

for (const kind of KINDS) {
  if (kind.skip !== false) console.log(`# skipping ${kind.name} VAD tests: ${kind.skip}`);

  describe(`${kind.name} VAD`, { skip: kind.skip }, () => {
    it('finds the one utterance of LibriSpeech 0.wav padded with 1 s of silence', (t) => {
      const speech = speech0();
      const padded = concatPcm([zeros(1000), speech, zeros(1000)]);
      const truth = speechBoundsMs(padded);
      const vad = kind.create();
      const found = utterances(run(vad, padded));
      vad.close();
      t.diagnostic(`reference speech ${truth.startMs}..${truth.endMs} ms; detected ${JSON.stringify(found)}`);
      assert.equal(found.length, 1, `expected one utterance, got ${JSON.stringify(found)}`);
      const [startMs, endMs] = found[0]!;
      assert.ok(Math.abs(startMs - truth.startMs) <= 300, `start ${startMs} vs ${truth.startMs}`);
      assert.ok(startMs >= 1000 - 300, `start ${startMs} is well inside the leading silence`);
      assert.ok(Math.abs(endMs - truth.endMs) <= 400, `end ${endMs} vs ${truth.endMs}`);
    });

    it('finds speech that starts at the first sample, never reporting a start before 0', () => {
      const speech = speech0();
      const vad = kind.create();
      const found = utterances(run(vad, concatPcm([speech.subarray(ms(400)), zeros(1000)])));
      vad.close();
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.ok(found[0]![0] >= 0 && found[0]![0] <= 300, JSON.stringify(found));
    });

    it('gives no events for digital silence, a low noise floor, or steady noise', () => {
      const vad = kind.create();
      assert.deepEqual(run(vad, zeros(3000)), []);
      assert.deepEqual(run(vad, noise(3000, -60)), []);
      assert.deepEqual(run(vad, noise(3000, -45, 7)), []);
      vad.close();
    });

    it('still finds the utterance over a -50 dBFS noise floor', () => {
      const speech = concatPcm([zeros(1000), speech0(), zeros(1000)]);
      const noisy = noise(speech.length / 16, -50, 3);
      for (let i = 0; i < noisy.length; i++) noisy[i] = noisy[i]! + speech[i]!;
      const vad = kind.create();
      const found = utterances(run(vad, noisy));
      vad.close();
      assert.equal(found.length, 1, JSON.stringify(found));
    });

    it('does not take a 100 ms click for speech', () => {
      const click = noise(100, -6, 11);
      const tone = generateTone({
        frequencyHz: 1000,
        sampleRateHz: RATE,
        durationMs: 100,
        amplitudeDbfs: -6,
      });
      const vad = kind.create();
      assert.deepEqual(run(vad, concatPcm([zeros(1000), click, zeros(1000)])), []);
      assert.deepEqual(run(vad, concatPcm([zeros(1000), tone, zeros(1000)])), []);
      vad.close();
    });

    it('gives the same events whatever the chunk sizes', () => {
      const padded = concatPcm([
        zeros(1000),
        speech0(),
        zeros(700),
        speech0().subarray(0, ms(2500)),
        zeros(1000),
      ]);
      const vad = kind.create();
      const whole = run(vad, padded);
      assert.ok(whole.length >= 2);
      let seed = 42;
      const random = (max: number) => (): number => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return 1 + (seed % max);
      };
      assert.deepEqual(run(vad, padded, random(7)), whole, 'chunks of 1..7 samples');
      assert.deepEqual(run(vad, padded, random(5000)), whole, 'chunks of 1..5000 samples');
      assert.deepEqual(
        run(vad, padded, () => 160),
        whole,
        '10 ms chunks',
      );
      vad.close();
    });

    it('honours trailingSilenceMs: a 300 ms pause stays inside one utterance, an 800 ms pause splits it', () => {
      // Two stretches of real speech from 0.wav, each free of internal pauses longer than ~150 ms.
      const speech = speech0();
      const first = speech.subarray(ms(450), ms(1250));
      const second = speech.subarray(ms(1400), ms(2300));
      const vad = kind.create({ trailingSilenceMs: 500 });
      const joined = utterances(run(vad, concatPcm([zeros(1000), first, zeros(300), second, zeros(1000)])));
      const split = utterances(run(vad, concatPcm([zeros(1000), first, zeros(800), second, zeros(1000)])));
      vad.close();
      assert.equal(joined.length, 1, `300 ms pause: ${JSON.stringify(joined)}`);
      assert.equal(split.length, 2, `800 ms pause: ${JSON.stringify(split)}`);
      // The second utterance's pre-roll may not reach back into the first.
      assert.ok(split[1]![0] >= split[0]![1], JSON.stringify(split));
    });

    it('a longer trailingSilenceMs keeps the 800 ms pause inside one utterance', () => {
      const speech = speech0();
      const first = speech.subarray(ms(450), ms(1250));
      const second = speech.subarray(ms(1400), ms(2300));
      const vad = kind.create({ trailingSilenceMs: 1200 });
      const found = utterances(run(vad, concatPcm([zeros(1000), first, zeros(800), second, zeros(1000)])));
      vad.close();
      assert.equal(found.length, 1, JSON.stringify(found));
    });

    it('flush ends an open utterance at the last sample; reset restarts offsets at 0', () => {
      const speech = speech0();
      const vad = kind.create();
      vad.reset();
      const events = [...vad.process(concatPcm([zeros(500), speech.subarray(0, ms(3000))]))];
      events.push(...vad.flush());
      assert.deepEqual(events.at(-1), { type: 'speechEnd', offsetMs: 3500 });
      assert.deepEqual(vad.flush(), []);
      vad.reset();
      const again = [...vad.process(concatPcm([zeros(500), speech.subarray(0, ms(3000))])), ...vad.flush()];
      assert.deepEqual(again, events);
      vad.close();
      vad.close();
    });

    it('reports its kind', () => {
      const vad = kind.create();
      assert.equal(vad.kind, kind.name.split(' ')[0]);
      vad.close();
    });
  });
}
