import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { SttEvent } from '../../src/engines/spi/index.js';
import { ChannelRecognizer } from '../../src/engines/stt/pocketsphinx/channel-recognizer.js';
import type { PocketsphinxModelPaths } from '../../src/engines/stt/pocketsphinx/pocketsphinx-decoder.js';
import { PocketsphinxDecoder } from '../../src/engines/stt/pocketsphinx/pocketsphinx-decoder.js';
import type { VoiceActivityDetector } from '../../src/engines/vad/index.js';
import { createVad } from '../../src/engines/vad/index.js';

/**
 * The create/feed/abort/free cycle of the pocketsphinx binding, as one thread of the stress
 * program runs it (issue 11 point 2). It drives PocketsphinxDecoder and ChannelRecognizer directly,
 * the way decoder-worker does, with several channels open at once, and mixes in what the worker
 * also does: spare decoders built ahead and freed unused, channels closed while an utterance is
 * open, the whole-utterance final pass, and a second free().
 */
export interface StressLoopOptions {
  /** Channels this thread keeps open at once. */
  readonly streams: number;
  /** Decoders this thread creates before it winds down; Infinity for a run bounded by time. */
  readonly decoders: number;
  /** Wall time (Date.now()) after which no new channel opens; Infinity for a run bounded by count. */
  readonly deadlineMs: number;
  readonly seed: number;
  readonly model: PocketsphinxModelPaths;
  /** Utterance detector: the energy one, or Silero (sherpa-onnx, native too) from `sileroDir`. */
  readonly vad: { readonly model: 'energy' } | { readonly model: 'silero'; readonly modelDir: string };
  /** 8 kHz PCM16 speech with pauses, fed from random offsets. */
  readonly audio: Int16Array;
}

export interface StressCounts {
  decodersCreated: number;
  decodersFreed: number;
  /** Channels opened (each with its own decoder, new or spare). */
  channels: number;
  /** Utterances the detector opened. */
  utterances: number;
  finals: number;
  partials: number;
  /** Channels closed while an utterance was open (abandon + free mid-utterance). */
  aborts: number;
  /** Whole-utterance passes run straight on a decoder, outside a channel. */
  wholeUtterancePasses: number;
  /** 10 ms feature frames worth of audio pushed. */
  frames: number;
  errors: number;
}

export function emptyCounts(): StressCounts {
  return {
    decodersCreated: 0,
    decodersFreed: 0,
    channels: 0,
    utterances: 0,
    finals: 0,
    partials: 0,
    aborts: 0,
    wholeUtterancePasses: 0,
    frames: 0,
    errors: 0,
  };
}

export function addCounts(into: StressCounts, from: StressCounts): void {
  for (const key of Object.keys(into) as (keyof StressCounts)[]) into[key] += from[key];
}

const RATE_HZ = 8000;
const CHUNK_SAMPLES = 160; // 20 ms, one RTP packet's worth
const SAMPLES_PER_FRAME = RATE_HZ / 100;

interface Slot {
  readonly decoder: PocketsphinxDecoder;
  readonly vad: VoiceActivityDetector;
  readonly recognizer: ChannelRecognizer;
  position: number;
  chunksLeft: number;
  /** How the channel ends: `finish` reads the last final, `abort` closes it mid-utterance. */
  readonly ending: 'finish' | 'abort';
  inUtterance: boolean;
}

/** mulberry32: a small seeded generator, so that a failing run can be repeated. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs until `decoders` decoders were created or the deadline passed, then closes what is open.
 * `report` receives the counts so far now and then (every `reportEvery` channel closes).
 */
export async function runStressLoop(
  options: StressLoopOptions,
  report?: (counts: StressCounts) => void,
): Promise<StressCounts> {
  const counts = emptyCounts();
  const rand = random(options.seed);
  const pick = (n: number): number => Math.floor(rand() * n);
  const slots: (Slot | undefined)[] = Array.from({ length: options.streams }, () => undefined);
  const spares: PocketsphinxDecoder[] = [];
  const errorMessages = new Set<string>();

  const failed = (err: unknown): void => {
    counts.errors++;
    const message = err instanceof Error ? err.message : String(err);
    // The same failure repeated thousands of times would drown the output.
    if (errorMessages.size < 5 && !errorMessages.has(message)) {
      errorMessages.add(message);
      console.error(`stress: ${message}`);
    }
  };
  const mayCreate = (): boolean =>
    counts.decodersCreated < options.decoders && Date.now() < options.deadlineMs;
  const createDecoder = (): PocketsphinxDecoder => {
    const decoder = new PocketsphinxDecoder('pocketsphinx', options.model);
    counts.decodersCreated++;
    return decoder;
  };
  const freeDecoder = (decoder: PocketsphinxDecoder): void => {
    decoder.free();
    // free() is idempotent: a second call must not free twice (a stream closed twice does it).
    decoder.free();
    counts.decodersFreed++;
  };
  const countEvents = (slot: Slot, events: readonly SttEvent[]): void => {
    for (const event of events) {
      if (event.type === 'speechStarted') {
        counts.utterances++;
        slot.inUtterance = true;
      } else if (event.type === 'speechEnded') {
        slot.inUtterance = false;
      } else if (event.type === 'final') {
        counts.finals++;
      } else if (event.type === 'partial') {
        counts.partials++;
      }
    }
  };

  const open = (index: number): void => {
    const decoder = spares.pop() ?? createDecoder();
    let vad: VoiceActivityDetector;
    try {
      vad = createVad({ ...options.vad, trailingSilenceMs: 300 + pick(400) });
    } catch (err) {
      freeDecoder(decoder);
      throw err;
    }
    const finalPass = rand() < 0.5 ? 'utterance' : 'live';
    const recognizer = new ChannelRecognizer(decoder, vad, {
      inputRateHz: RATE_HZ,
      decoderRateHz: RATE_HZ,
      finalPass,
      partials: rand() < 0.8,
      partialIntervalMs: 100 + pick(300),
      prerollMs: finalPass === 'utterance' ? 300 : 150,
      maxUtteranceMs: 2000 + pick(4000),
    });
    counts.channels++;
    slots[index] = {
      decoder,
      vad,
      recognizer,
      position: pick(options.audio.length),
      // Between 0.4 and 8 seconds of audio.
      chunksLeft: 20 + pick(380),
      ending: rand() < 0.5 ? 'abort' : 'finish',
      inUtterance: false,
    };
  };

  const close = (index: number, slot: Slot): void => {
    slots[index] = undefined;
    try {
      if (slot.ending === 'finish') {
        countEvents(slot, slot.recognizer.finish());
      } else {
        if (slot.inUtterance) counts.aborts++;
        slot.recognizer.abandon();
      }
    } finally {
      slot.vad.close();
      freeDecoder(slot.decoder);
    }
  };

  /** Pushes a few chunks, each in its own buffer as a transferred worker message would be. */
  const feed = (index: number, slot: Slot): void => {
    const chunks = 1 + pick(5);
    for (let i = 0; i < chunks && slot.chunksLeft > 0; i++, slot.chunksLeft--) {
      if (slot.position + CHUNK_SAMPLES > options.audio.length) slot.position = 0;
      const pcm = new Int16Array(new ArrayBuffer(CHUNK_SAMPLES * 2));
      pcm.set(options.audio.subarray(slot.position, slot.position + CHUNK_SAMPLES));
      slot.position += CHUNK_SAMPLES;
      countEvents(slot, slot.recognizer.push(pcm));
      counts.frames += CHUNK_SAMPLES / SAMPLES_PER_FRAME;
    }
    // An aborting channel closes as soon as an utterance is open and the budget is spent, or
    // right away half the time once it is open, so that aborts land mid-utterance.
    const abortNow = slot.ending === 'abort' && slot.inUtterance && (slot.chunksLeft <= 0 || rand() < 0.1);
    if (abortNow || slot.chunksLeft <= 0) close(index, slot);
  };

  /** A decoder used outside any channel: one whole-utterance pass over a random stretch. */
  const wholeUtterance = (): void => {
    const decoder = spares.pop() ?? createDecoder();
    try {
      const from = pick(options.audio.length - RATE_HZ);
      decoder.decodeWholeUtterance(options.audio.subarray(from, from + RATE_HZ / 2 + pick(RATE_HZ * 3)));
      counts.wholeUtterancePasses++;
    } finally {
      freeDecoder(decoder);
    }
  };

  let steps = 0;
  let lastClosedReport = 0;
  for (;;) {
    const active = slots.filter((slot) => slot !== undefined).length;
    if (!mayCreate() && active === 0) break;
    const index = pick(slots.length);
    const slot = slots[index];
    try {
      const roll = rand();
      if (roll < 0.01 && mayCreate()) {
        // A spare built ahead, as decoder-worker keeps one per input rate.
        spares.push(createDecoder());
      } else if (roll < 0.015 && spares.length > 0) {
        freeDecoder(spares.pop() as PocketsphinxDecoder);
      } else if (roll < 0.02 && mayCreate()) {
        wholeUtterance();
      } else if (slot === undefined) {
        if (mayCreate()) open(index);
      } else {
        feed(index, slot);
      }
    } catch (err) {
      failed(err);
      // A channel that threw is closed as decoder-worker closes a failed stream.
      const broken = slots[index];
      if (broken !== undefined) {
        slots[index] = undefined;
        try {
          broken.vad.close();
          freeDecoder(broken.decoder);
        } catch (closeErr) {
          failed(closeErr);
        }
      }
    }
    // Yield now and then so that a worker hears its parent and timers run.
    if (++steps % 20 === 0) await yieldToEventLoop();
    if (report !== undefined && counts.decodersFreed - lastClosedReport >= 4) {
      lastClosedReport = counts.decodersFreed;
      report({ ...counts });
    }
  }
  for (const spare of spares.splice(0)) freeDecoder(spare);
  return counts;
}
