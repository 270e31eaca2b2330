import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ParseError } from '../../../../src/core/index.js';
import type { AudioFrame } from '../../../../src/media/audio/audio-frame.js';
import { WavStreamReader, encodeWav, parseWav } from '../../../../src/media/wav/index.js';
import { FIXTURE_NAMES, wavFixture } from './wav-fixtures.helpers.js';

const fixtures = FIXTURE_NAMES.map((name) => wavFixture(name));

/** Runs `fn`; passes when it returns or throws a ParseError whose offset lies inside the input. */
function onlyParseErrors(inputLength: number, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ParseError, `threw ${String(error)}`);
    assert.ok(Number.isInteger(error.offset), `offset ${error.offset}`);
    assert.ok(error.offset >= 0 && error.offset <= inputLength, `offset ${error.offset} of ${inputLength}`);
  }
}

function streamAll(bytes: Uint8Array, cuts: number[]): AudioFrame[] {
  const reader = new WavStreamReader();
  const frames: AudioFrame[] = [];
  let start = 0;
  for (const cut of [...cuts.filter((c) => c < bytes.length).sort((a, b) => a - b), bytes.length]) {
    frames.push(...reader.push(bytes.subarray(start, cut)));
    start = cut;
  }
  frames.push(...reader.end());
  return frames;
}

/** A valid file with a few bytes overwritten, cut short, or a header field set to an extreme. */
const mutatedFile = fc
  .record({
    file: fc.constantFrom(...fixtures),
    writes: fc.array(fc.tuple(fc.nat(120), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    size: fc.option(
      fc.tuple(fc.constantFrom(4, 16, 40, 36, 40, 54, 76), fc.constantFrom(0, 1, 17, 0xffff, 0xffffffff)),
    ),
    cut: fc.option(fc.nat(400)),
  })
  .map(({ file, writes, size, cut }) => {
    const bytes = file.slice(0, cut ?? file.length);
    for (const [at, value] of writes) if (at < bytes.length) bytes[at] = value;
    if (size !== null && size[0] + 4 <= bytes.length) {
      new DataView(bytes.buffer).setUint32(size[0], size[1], true);
    }
    return bytes;
  });

const randomBytes = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  // Random bytes behind a valid RIFF/WAVE magic reach the chunk walker instead of failing at once.
  fc.uint8Array({ maxLength: 200 }).map((tail) => {
    const out = new Uint8Array(12 + tail.length);
    out.set(new TextEncoder().encode('RIFF\0\0\0\0WAVE'), 0);
    out.set(tail, 12);
    return out;
  }),
);

test('property: parseWav on random bytes only throws ParseError within the input', () => {
  fc.assert(
    fc.property(randomBytes, (bytes) => onlyParseErrors(bytes.length, () => parseWav(bytes))),
    {
      numRuns: 2000,
    },
  );
});

test('property: parseWav on mutated valid files only throws ParseError within the input', () => {
  fc.assert(
    fc.property(mutatedFile, (bytes) => {
      onlyParseErrors(bytes.length, () => {
        const wav = parseWav(bytes);
        assert.ok(wav.info.dataOffset + wav.info.dataLength <= bytes.length);
        assert.equal(wav.samples.length, wav.info.frameCount * wav.info.channels);
      });
    }),
    { numRuns: 2000 },
  );
});

test('property: WavStreamReader on random or mutated bytes only throws ParseError within the input', () => {
  fc.assert(
    fc.property(
      fc.oneof(randomBytes, mutatedFile),
      fc.array(fc.nat(400), { maxLength: 8 }),
      (bytes, cuts) => {
        onlyParseErrors(bytes.length, () => streamAll(bytes, cuts));
      },
    ),
    { numRuns: 2000 },
  );
});

test('property: parseWav and WavStreamReader agree on mutated files they both accept', () => {
  fc.assert(
    fc.property(mutatedFile, fc.array(fc.nat(400), { maxLength: 8 }), (bytes, cuts) => {
      let whole: ReturnType<typeof parseWav>;
      try {
        whole = parseWav(bytes);
      } catch {
        return;
      }
      const frames = streamAll(bytes, cuts);
      assert.deepEqual(concatSamples(frames, whole.samples instanceof Int16Array), whole.samples);
    }),
    { numRuns: 1000 },
  );
});

test('property: a valid file in random chunk splits yields exactly the samples of parseWav', () => {
  fc.assert(
    fc.property(fc.constantFrom(...fixtures), fc.array(fc.nat(400), { maxLength: 12 }), (bytes, cuts) => {
      const whole = parseWav(bytes);
      const frames = streamAll(bytes, cuts);
      assert.deepEqual(concatSamples(frames, whole.samples instanceof Int16Array), whole.samples);
      let expectedMs = 0;
      for (const frame of frames) {
        assert.deepEqual(frame.format, whole.format);
        assert.ok(Math.abs(frame.timestampMs - expectedMs) < 1e-9);
        expectedMs += (frame.data.length / frame.format.channels / frame.format.sampleRateHz) * 1000;
      }
    }),
    { numRuns: 500 },
  );
});

test('property: parseWav(encodeWav(f, s)) returns the same samples', () => {
  const formats = fc.record({
    encoding: fc.constantFrom('pcm16' as const, 'alaw' as const, 'mulaw' as const),
    sampleRateHz: fc.constantFrom(8000, 16000, 44100, 48000),
    channels: fc.integer({ min: 1, max: 4 }),
  });
  fc.assert(
    fc.property(
      formats,
      fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 64 }),
      (format, values) => {
        const n = values.length - (values.length % format.channels);
        const samples =
          format.encoding === 'pcm16'
            ? Int16Array.from(values.slice(0, n))
            : Uint8Array.from(values.slice(0, n), (v) => v & 0xff);
        const wav = parseWav(encodeWav(format, samples));
        assert.deepEqual(wav.format, { ...format });
        assert.deepEqual(wav.samples, samples);
        assert.equal(wav.info.frameCount, n / format.channels);
      },
    ),
  );
});

function concatSamples(frames: AudioFrame[], pcm: boolean): Int16Array | Uint8Array {
  const total = frames.reduce((sum, f) => sum + f.data.length, 0);
  const out = pcm ? new Int16Array(total) : new Uint8Array(total);
  let at = 0;
  for (const f of frames) {
    out.set(f.data, at);
    at += f.data.length;
  }
  return out;
}
