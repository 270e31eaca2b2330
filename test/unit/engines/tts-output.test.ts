// The engine-neutral output side of every synthesizer: TtsOutput (native PCM to frames in the
// requested format), streamUtterance (sentence pipeline) and runSynthesisProcess (CLI runner).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import type { AudioFrame } from '../../../src/media/audio/index.js';
import { dominantFrequencyHz, generateTone, rmsDbfs } from '../../../src/media/audio/index.js';
import { g711Decode } from '../../../src/media/codecs/index.js';
import { EngineError } from '../../../src/engines/spi/index.js';
import { collect } from '../../../src/engines/spi/testing/index.js';
import type { SentenceAudio } from '../../../src/engines/tts/output/index.js';
import { TtsOutput, runSynthesisProcess, streamUtterance } from '../../../src/engines/tts/output/index.js';
import type { SpeechSegment } from '../../../src/engines/tts/text/index.js';

const MULAW_8K = { encoding: 'mulaw', sampleRateHz: 8000 } as const;
const PCM_16K = { encoding: 'pcm16', sampleRateHz: 16000 } as const;

function tone(hz: number, rateHz: number, ms: number): Int16Array {
  return generateTone({ frequencyHz: hz, sampleRateHz: rateHz, durationMs: ms, amplitudeDbfs: -6 });
}

function decode(frames: readonly AudioFrame[]): Int16Array {
  const parts = frames.map((f) =>
    f.format.encoding === 'pcm16'
      ? (f.data as Int16Array)
      : g711Decode(f.format.encoding, f.data as Uint8Array),
  );
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function assertContinuous(frames: readonly AudioFrame[], frameMs = 20): void {
  frames.forEach((f, i) => assert.equal(f.timestampMs, i * frameMs, `frame ${i}`));
}

describe('TtsOutput', () => {
  it('turns 16 kHz PCM into 8 kHz µ-law 20 ms frames: 160 bytes, continuous timestamps, same tone', () => {
    const output = new TtsOutput(MULAW_8K, 16000);
    const input = tone(1000, 16000, 1000);
    const frames: AudioFrame[] = [];
    // Pieces of odd sizes, as engines deliver them.
    for (let at = 0; at < input.length; at += 777) frames.push(...output.push(input.subarray(at, at + 777)));
    frames.push(...output.flush());
    assert.equal(frames.length, 50);
    for (const f of frames) {
      assert.ok(f.data instanceof Uint8Array);
      assert.equal(f.data.length, 160);
      assert.deepEqual(f.format, { encoding: 'mulaw', sampleRateHz: 8000, channels: 1 });
    }
    assertContinuous(frames);
    const pcm = decode(frames);
    assert.ok(Math.abs(dominantFrequencyHz(pcm.subarray(800, 7200), 8000) - 1000) < 10);
    assert.equal(output.emittedMs, 1000);
  });

  it('gives the same samples whether the input comes in one piece or many', () => {
    const input = tone(440, 22050, 730);
    const whole = new TtsOutput(PCM_16K, 22050);
    const a = decode([...whole.push(input), ...whole.flush()]);
    const pieces = new TtsOutput(PCM_16K, 22050);
    const chunks: AudioFrame[] = [];
    for (let at = 0; at < input.length; at += 301) chunks.push(...pieces.push(input.subarray(at, at + 301)));
    const b = decode([...chunks, ...pieces.flush()]);
    assert.deepEqual(b, a);
  });

  it('is time-aligned: the tone starts where it started in the input, with no filter delay', () => {
    const output = new TtsOutput({ encoding: 'pcm16', sampleRateHz: 8000 }, 22050);
    const frames = [...output.silence(100), ...output.push(tone(500, 22050, 200)), ...output.flush()];
    const pcm = decode(frames);
    // 100 ms of silence at 8 kHz is 800 samples; the first 20 ms frame after it is loud.
    assert.ok(rmsDbfs(pcm.subarray(0, 700)) < -60);
    assert.ok(rmsDbfs(pcm.subarray(820, 980)) > -12);
    assert.equal(frames.length, 15);
  });

  it('turns breaks into silence frames in the target encoding, continuing the timestamps', () => {
    const output = new TtsOutput(MULAW_8K, 16000);
    const frames = [
      ...output.push(tone(1000, 16000, 110)),
      ...output.silence(500),
      ...output.push(tone(1000, 16000, 100)),
      ...output.flush(),
    ];
    assertContinuous(frames);
    const silent = frames.filter((f) => f.data.every((b) => b === 0xff || b === 0x7f));
    // The 10 ms left over from the first tone shares a frame with the start of the pause, and the
    // filter tail rings a little into it; the rest of the pause is pure µ-law silence.
    assert.ok(silent.length >= 23, `${silent.length} silent frames`);
    assert.equal(frames.length, 36);
  });

  it('switches native rate mid-utterance without breaking the timeline', () => {
    const output = new TtsOutput(PCM_16K, 16000);
    const frames = [
      ...output.silence(200),
      ...output.push(tone(700, 22050, 400), 22050),
      ...output.push(tone(700, 8000, 400), 8000),
      ...output.flush(),
    ];
    assertContinuous(frames);
    assert.equal(frames.length, 50);
    for (const f of frames) assert.equal(f.data.length, 320);
    const pcm = decode(frames);
    assert.ok(Math.abs(dominantFrequencyHz(pcm.subarray(4000, 9000), 16000) - 700) < 10);
    assert.ok(Math.abs(dominantFrequencyHz(pcm.subarray(10000, 15000), 16000) - 700) < 10);
  });

  it('passes 16 kHz PCM through untouched when nothing needs converting', () => {
    const input = tone(300, 16000, 60);
    const output = new TtsOutput(PCM_16K, 16000);
    assert.deepEqual(decode([...output.push(input), ...output.flush()]), input);
  });
});

/** A fake sentence synthesizer: a 100 ms tone per sentence after `delayMs`, counting calls. */
class FakeSynth {
  started: string[] = [];
  aborted: string[] = [];
  constructor(private readonly delayMs = 5) {}
  readonly synthesize = (text: string, rate: number, signal: AbortSignal): Promise<SentenceAudio> => {
    this.started.push(text);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        if (text === 'fail') reject(new Error('boom'));
        else resolve({ pcm: tone(500, 16000, 100 / rate), sampleRateHz: 16000 });
      }, this.delayMs);
      const onAbort = (): void => {
        clearTimeout(timer);
        this.aborted.push(text);
        reject(new EngineError('fake', 'ABORTED', 'aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  };
}

const text = (t: string, rate = 1): SpeechSegment => ({ kind: 'text', text: t, rate });

describe('streamUtterance', () => {
  it('yields the first sentence while only the next one is being synthesized', async () => {
    const fake = new FakeSynth();
    let startedAtFirstFrame = -1;
    const frames: AudioFrame[] = [];
    for await (const frame of streamUtterance([text('a'), text('b'), text('c'), text('d')], fake.synthesize, {
      engine: 'fake',
      format: MULAW_8K,
      nativeRateHz: 16000,
    })) {
      if (frames.length === 0) startedAtFirstFrame = fake.started.length;
      frames.push(frame);
    }
    assert.equal(startedAtFirstFrame, 2);
    assert.deepEqual(fake.started, ['a', 'b', 'c', 'd']);
    assert.equal(frames.length, 20);
    assertContinuous(frames);
  });

  it('plays breaks as silence and starts the next sentence during the break', async () => {
    const fake = new FakeSynth();
    const plan: SpeechSegment[] = [
      { kind: 'break', durationMs: 300 },
      text('a'),
      { kind: 'break', durationMs: 200 },
    ];
    const iterator = streamUtterance(plan, fake.synthesize, {
      engine: 'fake',
      format: MULAW_8K,
      nativeRateHz: 16000,
    });
    const first = await iterator.next();
    assert.equal(first.done, false);
    assert.deepEqual(fake.started, ['a']);
    const frames: AudioFrame[] = [first.value, ...(await collect(iterator))];
    assert.equal(frames.length, 30);
    assertContinuous(frames);
  });

  it('aborting cancels the sentence in flight and throws ABORTED', async () => {
    const fake = new FakeSynth(50);
    const controller = new AbortController();
    let frames = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of streamUtterance([text('a'), text('b'), text('c')], fake.synthesize, {
          engine: 'fake',
          format: MULAW_8K,
          nativeRateHz: 16000,
          signal: controller.signal,
        })) {
          if (++frames === 1) controller.abort();
        }
      })(),
      (err: unknown) => err instanceof EngineError && err.code === 'ABORTED' && err.engine === 'fake',
    );
    assert.equal(frames, 1);
    assert.deepEqual(fake.aborted, ['b']);
    assert.deepEqual(fake.started, ['a', 'b']);
  });

  it('a consumer that stops early cancels the sentence in flight', async () => {
    const fake = new FakeSynth(50);
    for await (const _ of streamUtterance([text('a'), text('b')], fake.synthesize, {
      engine: 'fake',
      format: MULAW_8K,
      nativeRateHz: 16000,
    }))
      break;
    assert.deepEqual(fake.aborted, ['b']);
  });

  it('wraps a failure that is not an EngineError as ENGINE_FAILED, after the sentences before it', async () => {
    const fake = new FakeSynth();
    let frames = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of streamUtterance([text('a'), text('fail')], fake.synthesize, {
          engine: 'fake',
          format: MULAW_8K,
          nativeRateHz: 16000,
        }))
          frames++;
      })(),
      (err: unknown) => err instanceof EngineError && err.code === 'ENGINE_FAILED',
    );
    // 100 ms is five frames, but the last one waits for the resampler's look-ahead, which the
    // failed sentence never supplies.
    assert.equal(frames, 4);
  });

  it('rejects formats it cannot produce, and does nothing for an empty plan', async () => {
    await assert.rejects(
      collect(
        streamUtterance([text('a')], new FakeSynth().synthesize, {
          engine: 'fake',
          format: { encoding: 'pcm16', sampleRateHz: 44100 as 16000 },
          nativeRateHz: 16000,
        }),
      ),
      (err: unknown) => err instanceof EngineError && err.code === 'UNSUPPORTED_FORMAT',
    );
    const fake = new FakeSynth();
    assert.deepEqual(
      await collect(
        streamUtterance([], fake.synthesize, { engine: 'fake', format: MULAW_8K, nativeRateHz: 16000 }),
      ),
      [],
    );
  });
});

describe('runSynthesisProcess', () => {
  const base = { engine: 'test', installHint: 'apt-get install nothing' };

  it('passes stdin through and returns stdout', async () => {
    const result = await runSynthesisProcess('cat', [], {
      ...base,
      signal: new AbortController().signal,
      stdin: 'hello',
    });
    assert.equal(Buffer.from(result.stdout).toString(), 'hello');
    assert.equal(result.exitCode, 0);
  });

  it('a missing binary is ENGINE_UNAVAILABLE with the hint', async () => {
    await assert.rejects(
      runSynthesisProcess('/nonexistent/tts', [], { ...base, signal: new AbortController().signal }),
      (err: unknown) =>
        err instanceof EngineError &&
        err.code === 'ENGINE_UNAVAILABLE' &&
        err.message.includes('apt-get install nothing'),
    );
  });

  it('a failing process is ENGINE_FAILED with its stderr, unless any exit status is accepted', async () => {
    const script = ['-c', 'echo broken >&2; exit 3'];
    await assert.rejects(
      runSynthesisProcess('sh', script, { ...base, signal: new AbortController().signal }),
      (err: unknown) =>
        err instanceof EngineError && err.code === 'ENGINE_FAILED' && /status 3: broken/.test(err.message),
    );
    const result = await runSynthesisProcess('sh', script, {
      ...base,
      signal: new AbortController().signal,
      anyExitStatus: true,
    });
    assert.equal(result.exitCode, 3);
  });

  it('abort SIGKILLs the process and settles only once it is gone', async () => {
    const controller = new AbortController();
    let pid: number | undefined;
    const promise = runSynthesisProcess('sleep', ['10'], {
      ...base,
      signal: controller.signal,
      spawn: (command, args, options) => {
        const child = spawn(command, args, options);
        pid = child.pid;
        return child;
      },
    });
    setTimeout(() => controller.abort(), 50);
    const startedAt = Date.now();
    await assert.rejects(promise, (err: unknown) => err instanceof EngineError && err.code === 'ABORTED');
    assert.ok(Date.now() - startedAt < 1000);
    assert.ok(pid !== undefined);
    assert.throws(() => process.kill(pid!, 0), { code: 'ESRCH' });
  });

  it('kills a process whose output exceeds the limit', async () => {
    await assert.rejects(
      runSynthesisProcess('head', ['-c', '100000', '/dev/zero'], {
        ...base,
        signal: new AbortController().signal,
        maxOutputBytes: 1000,
      }),
      (err: unknown) =>
        err instanceof EngineError &&
        err.code === 'ENGINE_FAILED' &&
        /more than 1000 bytes/.test(err.message),
    );
  });
});
