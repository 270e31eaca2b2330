import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFrame } from '../../../src/media/audio/index.js';
import { bytesToFrames, frameBytes } from '../../../src/tts-cache/index.js';

describe('frame bytes', () => {
  it('stores PCM16 little-endian and reads it back from any byte offset', () => {
    const pcm = Int16Array.from([0, 1, -1, 32767, -32768, 258]);
    const bytes = frameBytes(createFrame({ encoding: 'pcm16', sampleRateHz: 8000, channels: 1 }, pcm));
    assert.deepEqual(Array.from(bytes.subarray(0, 8)), [0, 0, 1, 0, 0xff, 0xff, 0xff, 0x7f]);
    // An odd offset cannot back an Int16Array view, so the reader must copy.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const frames = [...bytesToFrames({ encoding: 'pcm16', sampleRateHz: 8000 }, shifted.subarray(1))];
    assert.equal(frames.length, 1);
    assert.deepEqual(Array.from(frames[0]!.data), Array.from(pcm));
  });

  it('cuts G.711 into 20 ms frames with a shorter last frame and running timestamps', () => {
    const bytes = Uint8Array.from({ length: 400 }, (_, i) => i & 0xff);
    const frames = [...bytesToFrames({ encoding: 'alaw', sampleRateHz: 8000 }, bytes)];
    assert.deepEqual(
      frames.map((f) => [f.data.length, f.timestampMs]),
      [
        [160, 0],
        [160, 20],
        [80, 40],
      ],
    );
    assert.deepEqual(Buffer.concat(frames.map((f) => frameBytes(f))), Buffer.from(bytes));
  });

  it('copies, so editing a frame later cannot change stored bytes', () => {
    const data = new Uint8Array(160).fill(7);
    const bytes = frameBytes(createFrame({ encoding: 'mulaw', sampleRateHz: 8000, channels: 1 }, data));
    data.fill(0);
    assert.equal(bytes[0], 7);
  });
});
