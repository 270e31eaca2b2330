import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { SttEvent } from '../../../src/engines/spi/index.js';
import { EngineError } from '../../../src/engines/spi/index.js';
import {
  collect,
  describeSttConformance,
  pcmFrames,
  streamFrames,
} from '../../../src/engines/spi/testing/index.js';
import { PocketsphinxStt } from '../../../src/engines/stt/pocketsphinx/index.js';
import type { AudioFrame } from '../../../src/media/audio/index.js';
import {
  MULAW_8K,
  PCM16_16K,
  PCM16_8K,
  concatPcm,
  createFrame,
  resample,
} from '../../../src/media/audio/index.js';
import { g711Decode, g711Encode } from '../../../src/media/codecs/index.js';
import { parseWav } from '../../../src/media/wav/index.js';
import { sharedFile } from '../../support/paths.js';
import { wordErrorRate } from '../../support/wer.js';
import { librispeechReference } from '../../support/librispeech.js';

type Final = Extract<SttEvent, { type: 'final' }>;

function loadWav(name: string): Int16Array {
  return parseWav(readFileSync(sharedFile(`audio/librispeech/${name}`))).samples as Int16Array;
}

function finalText(events: readonly SttEvent[]): string {
  return events
    .filter((e): e is Final => e.type === 'final')
    .map((f) => f.text)
    .join(' ')
    .trim();
}

const speech8k = loadWav('8k.wav');
const speech16k = loadWav('0.wav');

// 0.wav rather than 8k.wav: on 8k.wav the 16 kHz model gets 5 of the 11 words, one short of the
// suite's "most of them" (its WER is reported by its own test below).
describeSttConformance({
  name: 'pocketsphinx',
  create: () => new PocketsphinxStt(),
  speech: {
    format: PCM16_16K,
    pcm: speech16k,
    expectWords: librispeechReference('0.wav').split(' '),
  },
});

describe('pocketsphinx: recognition quality and streaming behaviour', () => {
  let engine: PocketsphinxStt;
  const reference0 = librispeechReference('0.wav');
  // One pass over each file serves several tests (the decoder is the slow part of this file).
  let events16k: SttEvent[] = [];
  let events8k: SttEvent[] = [];

  before(async () => {
    engine = new PocketsphinxStt();
    [events16k, events8k] = await Promise.all([
      collect(engine.transcribe(streamFrames(pcmFrames(PCM16_16K, speech16k)), { partials: true })),
      collect(engine.transcribe(streamFrames(pcmFrames(PCM16_8K, speech8k)))),
    ]);
  });
  after(async () => {
    await engine.close();
  });

  it('transcribes 0.wav (16 kHz) with a word error rate of at most 35 %', () => {
    const text = finalText(events16k);
    const wer = wordErrorRate(reference0, text);
    console.log(`# 0.wav 16 kHz WER ${(wer * 100).toFixed(1)} %: "${text}"`);
    assert.ok(wer <= 0.35, `WER ${wer} for "${text}"`);
  });

  it('transcribes the same utterance sent as 8 kHz µ-law (decoded to PCM16 8 kHz)', async () => {
    const mulaw = g711Encode('mulaw', resample(speech16k, 16000, 8000));
    const pcm8k = g711Decode('mulaw', mulaw);
    const events = await collect(engine.transcribe(streamFrames(pcmFrames(PCM16_8K, pcm8k))));
    const text = finalText(events);
    const wer = wordErrorRate(reference0, text);
    console.log(`# 0.wav as 8 kHz µ-law WER ${(wer * 100).toFixed(1)} %: "${text}"`);
    assert.ok(wer <= 0.5, `WER ${wer} for "${text}"`);
  });

  it('takes 8 kHz PCM as it is and finds the utterance where the audio has it', () => {
    // Accuracy on this narrowband clip is poor with Debian's wide-band-only model (its WER is in
    // docs/benchmarks.md); what this asserts is that 8 kHz input is resampled and segmented
    // right: one utterance spanning the speech (0.12 s to the end of the 4.83 s clip), with text.
    const finals = events8k.filter((e): e is Extract<SttEvent, { type: 'final' }> => e.type === 'final');
    assert.ok(finals.length >= 1 && finals.length <= 2, `${finals.length} finals`);
    const first = finals[0]!;
    const last = finals.at(-1)!;
    assert.ok(first.startMs >= 0 && first.startMs < 700, `starts at ${first.startMs} ms`);
    assert.ok(last.endMs > 4300 && last.endMs <= 4830 + 20, `ends at ${last.endMs} ms`);
    assert.ok(finalText(events8k).split(' ').length >= 5, `"${finalText(events8k)}"`);
    console.log(
      `# 8k.wav WER ${(wordErrorRate(librispeechReference('8k.wav'), finalText(events8k)) * 100).toFixed(1)} %`,
    );
  });

  it('sends partials at most 300 ms of audio apart while speech continues, then a final with words', () => {
    const events = events16k;
    const types = events.map((e) => e.type);
    assert.deepEqual(
      types.filter((t) => t !== 'partial'),
      ['started', 'speechStarted', 'final', 'speechEnded', 'usage'],
    );
    const started = events.find((e) => e.type === 'speechStarted');
    const final = events.find((e): e is Final => e.type === 'final');
    assert.ok(started?.type === 'speechStarted' && final !== undefined);
    const partialEnds = events.flatMap((e) => (e.type === 'partial' ? [e.endMs] : []));
    assert.ok(partialEnds.length >= 10, `only ${partialEnds.length} partials`);
    // The detector reports a start only after some speech, so the first partial comes right with
    // speechStarted (the decoder catches up on the audio so far); from then on gaps are measured
    // in audio time.
    assert.equal(events[events.indexOf(started) + 1]?.type, 'partial');
    let previous = partialEnds[0] ?? 0;
    for (const end of partialEnds) {
      assert.ok(end - previous <= 300, `partials ${previous} → ${end} ms apart`);
      previous = end;
    }
    assert.ok(final.endMs - previous <= 300 + 500, 'partials stopped long before the end of speech');
    assert.ok(events.some((e) => e.type === 'partial' && e.text.split(' ').length >= 3));
    assert.ok((final.words?.length ?? 0) >= 10);
    for (const w of final.words ?? []) {
      assert.ok(
        w.startMs >= final.startMs && w.endMs <= final.endMs && w.startMs <= w.endMs,
        JSON.stringify(w),
      );
    }
  });

  it('cuts two utterances separated by a pause into two finals, the first before the audio ends', async () => {
    const pause = new Int16Array(16000 * 1.5);
    const frames = pcmFrames(PCM16_16K, concatPcm([speech16k, pause, speech16k, pause]));
    let framesSent = 0;
    async function* counted(): AsyncGenerator<AudioFrame> {
      for await (const frame of streamFrames(frames)) {
        framesSent++;
        yield frame;
      }
    }
    const finals: Final[] = [];
    let sentAtFirstFinal = -1;
    for await (const event of engine.transcribe(counted(), { trailingSilenceMs: 400 })) {
      if (event.type !== 'final') continue;
      if (finals.length === 0) sentAtFirstFinal = framesSent;
      finals.push(event);
    }
    assert.equal(finals.length, 2, JSON.stringify(finals.map((f) => [f.startMs, f.endMs])));
    const [first, second] = finals as [Final, Final];
    const speechMs = (speech16k.length / 16000) * 1000;
    assert.ok(first.endMs < speechMs + 50 && second.startMs > speechMs, `${first.endMs} / ${second.startMs}`);
    for (const f of finals) assert.ok(wordErrorRate(reference0, f.text) <= 0.35, f.text);
    // The first final came out while the second utterance was still being sent.
    assert.ok(
      sentAtFirstFinal < frames.length * 0.75,
      `first final after ${sentAtFirstFinal}/${frames.length} frames`,
    );
  });

  it('gives the same texts for 4 streams at once as one at a time', async () => {
    const inputs = [speech16k, speech8k, speech16k, speech8k];
    const formats = [PCM16_16K, PCM16_8K, PCM16_16K, PCM16_8K];
    const run = (i: number): Promise<string> =>
      collect(engine.transcribe(streamFrames(pcmFrames(formats[i]!, inputs[i]!)))).then(finalText);
    const alone = [finalText(events16k), finalText(events8k)];
    const together = await Promise.all([0, 1, 2, 3].map(run));
    assert.deepEqual(together, [alone[0], alone[1], alone[0], alone[1]]);
  });

  it('decodes off the main thread: the event loop stays mostly idle while recognizing', async () => {
    // Event-loop utilization counts only the main thread's own work (not the decoder workers'
    // and not time the OS spends running other processes), so unlike a wall-clock gap it does
    // not depend on how loaded the machine is. Decoding on the main thread would push it near 1.
    const before = performance.eventLoopUtilization();
    const events = await collect(engine.transcribe(streamFrames(pcmFrames(PCM16_16K, speech16k))));
    const elu = performance.eventLoopUtilization(before);
    assert.ok(events.some((e) => e.type === 'final'));
    console.log(`# main-thread event-loop utilization while decoding: ${elu.utilization.toFixed(3)}`);
    assert.ok(elu.utilization < 0.35, `main thread busy ${(elu.utilization * 100).toFixed(1)} % of the time`);
  });

  it('rejects 8 kHz µ-law frames (decode them first) with UNSUPPORTED_FORMAT', async () => {
    const frame = createFrame(MULAW_8K, new Uint8Array(160));
    await assert.rejects(collect(engine.transcribe(streamFrames([frame]))), (err: unknown) => {
      assert.ok(err instanceof EngineError && err.code === 'UNSUPPORTED_FORMAT', String(err));
      return true;
    });
  });

  it('reports a missing model as MODEL_NOT_FOUND naming the Debian package', () => {
    assert.throws(
      () => new PocketsphinxStt({ modelDir: '/nonexistent/model' }),
      (err: unknown) =>
        err instanceof EngineError &&
        err.code === 'MODEL_NOT_FOUND' &&
        err.message.includes('pocketsphinx-en-us'),
    );
  });
});
