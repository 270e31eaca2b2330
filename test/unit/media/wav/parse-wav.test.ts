import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError } from '../../../../src/core/index.js';
import { encodeWav, parseWav, splitChannels } from '../../../../src/media/wav/index.js';
import type { WavInfo } from '../../../../src/media/wav/index.js';
import { soxPcm16, wavFixture } from './wav-fixtures.helpers.js';

interface Expected {
  info: WavInfo;
  encoding: 'pcm16' | 'alaw' | 'mulaw';
  first: number[];
}

// Field values read off the hex dumps and soxi output in test/fixtures/wav/README.md.
const CASES: Record<string, Expected> = {
  'pcm16-mono.wav': {
    info: info(1, 16, 1, 8000, 44, 160, 80, 10),
    encoding: 'pcm16',
    first: [595, 5454, 10494, 14064],
  },
  'pcm16-stereo.wav': {
    info: info(1, 16, 2, 16000, 44, 320, 80, 5),
    encoding: 'pcm16',
    first: [275, 627, 2769, 6160],
  },
  'pcm16-3ch.wav': {
    info: info(1, 16, 3, 8000, 80, 240, 40, 5),
    encoding: 'pcm16',
    first: [583, 1382, 3000, 5466],
  },
  'pcm16-list.wav': {
    info: info(1, 16, 1, 8000, 88, 160, 80, 10),
    encoding: 'pcm16',
    first: [595, 5454, 10494, 14064],
  },
  'u8-mono.wav': {
    info: info(1, 8, 1, 8000, 44, 40, 40, 5),
    encoding: 'pcm16',
    first: [512, 5376, 10496, 14080],
  },
  'u8-odd.wav': {
    info: info(1, 8, 1, 8000, 44, 41, 41, 5.125),
    encoding: 'pcm16',
    first: [512, 5376, 10496, 14080],
  },
  'pcm24-mono.wav': {
    info: info(1, 24, 1, 8000, 80, 120, 40, 5),
    encoding: 'pcm16',
    first: [583, 5466, 10484, 14074],
  },
  'pcm24-mono-wavpcm.wav': {
    info: info(1, 24, 1, 8000, 44, 120, 40, 5),
    encoding: 'pcm16',
    first: [583, 5466, 10484, 14074],
  },
  'pcm32-mono.wav': {
    info: info(1, 32, 1, 8000, 80, 160, 40, 5),
    encoding: 'pcm16',
    first: [583, 5466, 10484, 14074],
  },
  'float32-mono.wav': {
    info: info(3, 32, 1, 8000, 58, 160, 40, 5),
    encoding: 'pcm16',
    first: [583, 5466, 10484, 14074],
  },
  'float64-mono.wav': {
    info: info(3, 64, 1, 8000, 58, 320, 40, 5),
    encoding: 'pcm16',
    first: [583, 5466, 10484, 14074],
  },
  'alaw-mono.wav': {
    info: info(6, 8, 1, 8000, 58, 80, 80, 10),
    encoding: 'alaw',
    first: [0xf7, 0x80, 0xb1, 0xbe],
  },
  'mulaw-mono.wav': {
    info: info(7, 8, 1, 8000, 58, 80, 80, 10),
    encoding: 'mulaw',
    first: [0xd9, 0xaa, 0x9b, 0x94],
  },
  'mulaw-stereo.wav': {
    info: info(7, 8, 2, 8000, 58, 80, 40, 5),
    encoding: 'mulaw',
    first: [0xd9, 0xc8, 0xaa, 0x99],
  },
};

function info(
  formatTag: number,
  bitsPerSample: number,
  channels: number,
  sampleRateHz: number,
  dataOffset: number,
  dataLength: number,
  frameCount: number,
  durationMs: number,
): WavInfo {
  return { formatTag, bitsPerSample, channels, sampleRateHz, dataOffset, dataLength, frameCount, durationMs };
}

for (const [name, expected] of Object.entries(CASES)) {
  test(`parseWav ${name}: every info field, format and first samples`, () => {
    const wav = parseWav(wavFixture(name));
    assert.deepEqual(wav.info, expected.info);
    assert.deepEqual(wav.format, {
      encoding: expected.encoding,
      sampleRateHz: expected.info.sampleRateHz,
      channels: expected.info.channels,
    });
    assert.equal(wav.samples instanceof Int16Array, expected.encoding === 'pcm16');
    assert.equal(wav.samples.length, expected.info.frameCount * expected.info.channels);
    assert.deepEqual(Array.from(wav.samples.slice(0, 4)), expected.first);
  });
}

for (const name of ['u8-mono', 'pcm24-mono', 'pcm32-mono', 'float32-mono', 'float64-mono']) {
  test(`parseWav ${name}.wav converts to the same PCM16 as sox -D`, () => {
    assert.deepEqual(parseWav(wavFixture(`${name}.wav`)).samples, soxPcm16(`${name}.s16.raw`));
  });
}

test('extensible and plain 24-bit files give the same samples', () => {
  assert.deepEqual(
    parseWav(wavFixture('pcm24-mono.wav')).samples,
    parseWav(wavFixture('pcm24-mono-wavpcm.wav')).samples,
  );
});

for (const name of [
  'pcm16-mono.wav',
  'pcm16-stereo.wav',
  'alaw-mono.wav',
  'mulaw-mono.wav',
  'mulaw-stereo.wav',
]) {
  test(`encodeWav reproduces sox's ${name} byte for byte`, () => {
    const bytes = wavFixture(name);
    const wav = parseWav(bytes);
    assert.deepEqual(encodeWav(wav.format, wav.samples), bytes);
  });
}

test('encodeWav of a 3-channel and a LIST file reproduces the data bytes', () => {
  for (const name of ['pcm16-3ch.wav', 'pcm16-list.wav', 'u8-odd.wav']) {
    const bytes = wavFixture(name);
    const wav = parseWav(bytes);
    const again = parseWav(encodeWav(wav.format, wav.samples));
    assert.deepEqual(again.samples, wav.samples);
    if (wav.info.bitsPerSample === 16) {
      const ours = encodeWav(wav.format, wav.samples);
      assert.deepEqual(
        ours.subarray(44),
        bytes.subarray(wav.info.dataOffset, wav.info.dataOffset + wav.info.dataLength),
      );
    }
  }
});

test('encodeWav pads odd data and the pad is not read back as a sample', () => {
  const format = { encoding: 'mulaw', sampleRateHz: 8000, channels: 1 } as const;
  const file = encodeWav(format, Uint8Array.of(1, 2, 3));
  assert.equal(file.length, 58 + 4);
  assert.equal(new DataView(file.buffer).getUint32(4, true), file.length - 8);
  assert.deepEqual(parseWav(file).samples, Uint8Array.of(1, 2, 3));
});

test('splitChannels returns one mono frame per channel', () => {
  const wav = parseWav(wavFixture('pcm16-3ch.wav'));
  const frames = splitChannels(wav);
  assert.equal(frames.length, 3);
  for (let ch = 0; ch < 3; ch++) {
    const frame = frames[ch]!;
    assert.deepEqual(frame.format, { encoding: 'pcm16', sampleRateHz: 8000, channels: 1 });
    assert.equal(frame.timestampMs, 0);
    assert.equal(frame.data.length, 40);
    for (let i = 0; i < 40; i++) assert.equal(frame.data[i], wav.samples[i * 3 + ch]);
  }
  const mu = splitChannels(parseWav(wavFixture('mulaw-stereo.wav')));
  assert.ok(mu[1]!.data instanceof Uint8Array);
  assert.deepEqual(Array.from(mu[1]!.data.slice(0, 2)), [0xc8, 0x99]);
});

test('a data size past the end (truncated file) reads the whole sample frames present', () => {
  const bytes = wavFixture('pcm16-stereo.wav').subarray(0, 44 + 4 * 10 + 3);
  const wav = parseWav(bytes);
  assert.equal(wav.info.dataLength, 40);
  assert.equal(wav.info.frameCount, 10);
  assert.equal(wav.samples.length, 20);
});

for (const size of [0, 0xffffffff]) {
  test(`a data size of 0x${size.toString(16)} reads to the end of the file`, () => {
    const bytes = wavFixture('pcm16-mono.wav').slice();
    const view = new DataView(bytes.buffer);
    view.setUint32(40, size, true);
    view.setUint32(4, size, true);
    const wav = parseWav(bytes);
    assert.equal(wav.info.frameCount, 80);
    assert.deepEqual(wav.samples, parseWav(wavFixture('pcm16-mono.wav')).samples);
  });
}

function corrupt(name: string, edit: (view: DataView, bytes: Uint8Array) => void): Uint8Array {
  const bytes = wavFixture(name).slice();
  edit(new DataView(bytes.buffer), bytes);
  return bytes;
}

const BAD: [string, Uint8Array, number, RegExp][] = [
  ['empty input', new Uint8Array(0), 0, /not RIFF|shorter/],
  ['not RIFF', corrupt('pcm16-mono.wav', (_v, b) => b.set([0x52, 0x49, 0x46, 0x58], 0)), 0, /RIFX/],
  ['not RIFF at all', new TextEncoder().encode('hello world, not a wav file'), 0, /not RIFF/],
  ['not WAVE', corrupt('pcm16-mono.wav', (_v, b) => b.set([0x41, 0x56, 0x49, 0x20], 8)), 8, /not WAVE/],
  ['header only', wavFixture('pcm16-mono.wav').subarray(0, 12), 12, /fmt chunk missing/],
  ['fmt too short', corrupt('pcm16-mono.wav', (v) => v.setUint32(16, 14, true)), 16, /at least 16/],
  ['zero channels', corrupt('pcm16-mono.wav', (v) => v.setUint16(22, 0, true)), 22, /zero channels/],
  ['zero rate', corrupt('pcm16-mono.wav', (v) => v.setUint32(24, 0, true)), 24, /0 Hz/],
  ['block align mismatch', corrupt('pcm16-mono.wav', (v) => v.setUint16(32, 4, true)), 32, /block align/],
  ['ADPCM', corrupt('pcm16-mono.wav', (v) => v.setUint16(20, 2, true)), 20, /ADPCM/],
  ['extensible ADPCM', corrupt('pcm24-mono.wav', (v) => v.setUint16(44, 2, true)), 44, /ADPCM/],
  ['extensible bad GUID', corrupt('pcm24-mono.wav', (v) => v.setUint8(50, 0x11)), 44, /GUID/],
  ['12-bit PCM', corrupt('pcm16-mono.wav', (v) => v.setUint16(34, 12, true)), 34, /12 bits/],
  ['no data chunk', wavFixture('pcm16-mono.wav').subarray(0, 36), 36, /no data chunk/],
  [
    'LIST size past the end',
    corrupt('pcm16-list.wav', (v) => v.setUint32(40, 1000, true)),
    36,
    /LIST.*past the end/,
  ],
  [
    'data before fmt',
    corrupt('pcm16-mono.wav', (_v, b) => b.set([0x64, 0x61, 0x74, 0x61], 12)),
    12,
    /before any fmt/,
  ],
];

for (const [what, bytes, offset, message] of BAD) {
  test(`parseWav rejects ${what} with a ParseError at byte ${offset}`, () => {
    assert.throws(
      () => parseWav(bytes),
      (error: unknown) => {
        assert.ok(error instanceof ParseError, String(error));
        assert.equal(error.offset, offset);
        assert.match(error.message, message);
        return true;
      },
    );
  });
}
