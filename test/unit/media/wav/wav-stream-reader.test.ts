import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, ParseError } from '../../../../src/core/index.js';
import type { WavInfo } from '../../../../src/media/wav/index.js';
import {
  MAX_STREAM_HEADER_BYTES,
  WavStreamReader,
  encodeWav,
  parseWav,
} from '../../../../src/media/wav/index.js';
import { wavFixture } from './wav-fixtures.helpers.js';

/** A live-stream header as the Azure Speech SDK sends it: RIFF and data sizes set to `size`. */
function liveHeader(size: number): Uint8Array {
  const header = encodeWav({ encoding: 'pcm16', sampleRateHz: 16000, channels: 1 }, new Int16Array(0));
  const view = new DataView(header.buffer);
  view.setUint32(4, size, true);
  view.setUint32(40, size, true);
  return header;
}

/** Reads `info` through a call, so TypeScript does not keep an earlier narrowing to undefined. */
function infoOf(reader: WavStreamReader): WavInfo | undefined {
  return reader.info;
}

function pcmBytes(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setInt16(i * 2, v, true));
  return out;
}

for (const size of [0, 0xffffffff]) {
  test(`live stream with sizes 0x${size.toString(16)}: frames advance and partial samples carry over`, () => {
    const reader = new WavStreamReader();
    const header = liveHeader(size);
    assert.deepEqual(reader.push(header.subarray(0, 20)), []);
    assert.equal(reader.info, undefined);
    assert.equal(reader.format, undefined);
    assert.deepEqual(reader.push(header.subarray(20)), []);
    assert.deepEqual(reader.format, { encoding: 'pcm16', sampleRateHz: 16000, channels: 1 });
    assert.equal(infoOf(reader)?.frameCount, 0);

    const audio = pcmBytes(Array.from({ length: 320 }, (_, i) => i - 160));
    const first = reader.push(audio.subarray(0, 321));
    assert.equal(first.length, 1);
    assert.equal(first[0]!.timestampMs, 0);
    assert.equal(first[0]!.data.length, 160);
    // One byte of sample 160 is held back until the next push.
    const second = reader.push(audio.subarray(321));
    assert.equal(second[0]!.timestampMs, 10);
    assert.deepEqual(Array.from(second[0]!.data.slice(0, 2)), [0, 1]);
    assert.equal(second[0]!.data.length, 160);
    assert.equal(infoOf(reader)?.frameCount, 320);
    assert.equal(infoOf(reader)?.durationMs, 20);
    assert.deepEqual(reader.push(new Uint8Array(1)), []);
    assert.deepEqual(reader.end(), []);
    assert.throws(() => reader.push(new Uint8Array(2)), InvalidArgumentError);
  });
}

test('a declared data size is honoured: trailing chunks are not returned as audio', () => {
  const file = encodeWav({ encoding: 'mulaw', sampleRateHz: 8000, channels: 1 }, Uint8Array.of(1, 2, 3, 4));
  const trailing = new TextEncoder().encode('LIST\x04\x00\x00\x00INFO');
  const bytes = new Uint8Array(file.length + trailing.length);
  bytes.set(file, 0);
  bytes.set(trailing, file.length);
  const reader = new WavStreamReader();
  const frames = reader.push(bytes);
  assert.equal(frames.length, 1);
  assert.deepEqual(frames[0]!.data, Uint8Array.of(1, 2, 3, 4));
  assert.deepEqual(reader.push(Uint8Array.of(9, 9)), []);
  assert.deepEqual(reader.end(), []);
});

test('stereo frames stay interleaved and whole', () => {
  const bytes = wavFixture('pcm16-stereo.wav');
  const reader = new WavStreamReader();
  const frames = [...reader.push(bytes.subarray(0, 50)), ...reader.push(bytes.subarray(50)), ...reader.end()];
  // 50 bytes = header 44 + 6: one whole 4-byte sample frame in the first push.
  assert.equal(frames[0]!.data.length, 2);
  assert.equal(frames[1]!.timestampMs, 1 / 16);
  const all = parseWav(bytes).samples;
  assert.deepEqual(Array.from(frames[1]!.data.slice(0, 2)), Array.from(all.slice(2, 4)));
});

test('a header that never completes is a ParseError at end()', () => {
  const reader = new WavStreamReader();
  reader.push(wavFixture('pcm16-list.wav').subarray(0, 40));
  assert.throws(
    () => reader.end(),
    (e: unknown) => e instanceof ParseError && e.offset === 36,
  );
});

test('a header longer than 64 KiB is rejected without buffering it', () => {
  const reader = new WavStreamReader();
  const start = wavFixture('pcm16-mono.wav').slice(0, 44);
  // Turn the data chunk into a huge JUNK chunk that would have to be skipped before any audio.
  start.set(new TextEncoder().encode('JUNK'), 36);
  new DataView(start.buffer).setUint32(40, MAX_STREAM_HEADER_BYTES, true);
  assert.throws(
    () => reader.push(start),
    (e: unknown) => e instanceof ParseError && e.offset === 36 && /64|65536/.test(e.message),
  );
  // The reader stays failed.
  assert.throws(() => reader.push(new Uint8Array(4)), ParseError);
});

test('garbage fails on the first bytes, before a full header arrives', () => {
  const reader = new WavStreamReader();
  assert.throws(() => reader.push(new TextEncoder().encode('OggS')), ParseError);
});

test('the reader copies what it keeps: reusing the pushed buffer does not change later frames', () => {
  const bytes = wavFixture('pcm16-mono.wav');
  const reader = new WavStreamReader();
  const scratch = bytes.slice(0, 45);
  reader.push(scratch);
  scratch.fill(0xff);
  const frames = reader.push(bytes.subarray(45));
  assert.deepEqual(frames[0]!.data, parseWav(bytes).samples);
});
