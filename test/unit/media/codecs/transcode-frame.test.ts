import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alawDecode, alawEncode, mulawEncode, transcodeFrame } from '../../../../src/media/codecs/index.js';
import { ALAW_8K, MULAW_8K, PCM16_8K } from '../../../../src/media/audio/audio-format.js';
import { createFrame } from '../../../../src/media/audio/audio-frame.js';

const pcm = Int16Array.of(0, 100, -100, 5000, -5000, 32767, -32768, 12);

test('pcm16 to mulaw and alaw keeps rate, channels and timestamp', () => {
  const frame = createFrame(PCM16_8K, pcm, 40);
  const mu = transcodeFrame(frame, 'mulaw');
  assert.deepEqual(mu.format, MULAW_8K);
  assert.equal(mu.timestampMs, 40);
  assert.deepEqual(mu.data, mulawEncode(pcm));
  const al = transcodeFrame(frame, 'alaw');
  assert.deepEqual(al.format, ALAW_8K);
  assert.deepEqual(al.data, alawEncode(pcm));
});

test('alaw to mulaw goes through PCM16', () => {
  const codes = alawEncode(pcm);
  const frame = createFrame({ ...ALAW_8K, channels: 2 }, codes, 20);
  const mu = transcodeFrame(frame, 'mulaw');
  assert.deepEqual(mu.format, { encoding: 'mulaw', sampleRateHz: 8000, channels: 2 });
  assert.deepEqual(mu.data, mulawEncode(alawDecode(codes)));
  const back = transcodeFrame(mu, 'pcm16');
  assert.ok(back.data instanceof Int16Array);
  assert.equal(back.data.length, pcm.length);
});

test('same encoding returns the frame unchanged', () => {
  const frame = createFrame(PCM16_8K, pcm);
  assert.equal(transcodeFrame(frame, 'pcm16'), frame);
});
