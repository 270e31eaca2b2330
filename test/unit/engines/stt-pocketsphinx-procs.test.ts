// PocketsphinxStt with its decoders in child processes: a decoder process that dies mid-stream
// (a native crash, here SIGKILL) fails that stream with the retryable error LegRecognizer restarts
// on, leaves the other stream decoding, and the engine serves new streams on a new process.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { SttEvent } from '../../../src/engines/spi/index.js';
import { EngineError } from '../../../src/engines/spi/index.js';
import { pcmFrames, streamFrames } from '../../../src/engines/spi/testing/index.js';
import { PocketsphinxStt } from '../../../src/engines/stt/pocketsphinx/index.js';
import type { EngineProcessEvent } from '../../../src/engines/worker/index.js';
import type { AudioFrame } from '../../../src/media/audio/index.js';
import { PCM16_16K } from '../../../src/media/audio/index.js';
import { parseWav } from '../../../src/media/wav/index.js';
import { sharedFile } from '../../support/paths.js';

const speech = parseWav(readFileSync(sharedFile('audio/librispeech/0.wav'))).samples as Int16Array;
const frames = pcmFrames(PCM16_16K, speech, 20);

/** Frames of 0.wav, then waits for `gate` before the rest: the test kills the process meanwhile. */
async function* gated(gate: Promise<void>, onHalf: () => void): AsyncGenerator<AudioFrame> {
  const half = Math.floor(frames.length / 2);
  for (let i = 0; i < frames.length; i++) {
    if (i === half) {
      onHalf();
      await gate;
    }
    yield frames[i]!;
  }
}

async function drain(events: AsyncIterable<SttEvent>): Promise<SttEvent[]> {
  const out: SttEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('pocketsphinx: decoder processes', () => {
  let engine: PocketsphinxStt;
  const processEvents: EngineProcessEvent[] = [];

  before(() => {
    engine = new PocketsphinxStt({ workers: 2, onProcessEvent: (event) => processEvents.push(event) });
  });
  after(() => engine.close());

  it('a killed decoder process fails its stream (retryable ENGINE_FAILED) only; new streams work', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let halves = 0;
    let bothHalf!: () => void;
    const halfway = new Promise<void>((resolve) => (bothHalf = resolve));
    const onHalf = (): void => {
      if (++halves === 2) bothHalf();
    };
    const a = drain(engine.transcribe(gated(gate, onHalf)));
    const b = drain(engine.transcribe(gated(gate, onHalf)));
    await halfway;
    const placed = processEvents.filter((e) => e.type === 'stream-opened');
    assert.equal(placed.length, 2);
    const [pidA, pidB] = placed.map((e) => e.pid);
    assert.notEqual(pidA, pidB, 'one stream per process');
    assert.notEqual(pidA, process.pid, 'decoders run outside this process');
    assert.deepEqual(engine.processes.map((p) => p.pid).sort(), [pidA, pidB].sort());

    process.kill(pidA!, 'SIGKILL');
    await assert.rejects(a, (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, 'ENGINE_FAILED');
      assert.equal(error.retryable, true, 'LegRecognizer restarts only on a retryable failure');
      assert.match(error.message, /SIGKILL/);
      return true;
    });
    open();
    const eventsB = await b;
    const finalB = eventsB.filter((e) => e.type === 'final').map((e) => (e.type === 'final' ? e.text : ''));
    assert.match(finalB.join(' '), /squalid/, 'the other stream decoded to its end');
    assert.equal(engine.crashes, 1);

    // A new stream (what LegRecognizer opens) is decoded, on a process other than the dead one.
    const again = await drain(engine.transcribe(streamFrames(frames)));
    assert.match(
      again
        .filter((e) => e.type === 'final')
        .map((e) => (e.type === 'final' ? e.text : ''))
        .join(' '),
      /squalid/,
    );
    const last = processEvents.filter((e) => e.type === 'stream-opened').at(-1);
    assert.notEqual(last?.pid, pidA);
    const crash = processEvents.find((e) => e.type === 'crashed');
    assert.ok(
      crash?.type === 'crashed' && crash.pid === pidA && crash.signal === 'SIGKILL' && crash.streams === 1,
    );
  });
});
