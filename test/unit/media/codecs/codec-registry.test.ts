import { test } from 'node:test';
import assert from 'node:assert/strict';
import { G711_CODECS, codecForName, codecForPayloadType } from '../../../../src/media/codecs/index.js';

test('static payload types 0 and 8 are PCMU and PCMA at 8000 Hz', () => {
  assert.deepEqual(codecForPayloadType(0), {
    name: 'PCMU',
    payloadType: 0,
    encoding: 'mulaw',
    clockRateHz: 8000,
    channels: 1,
  });
  assert.equal(codecForPayloadType(8)?.encoding, 'alaw');
  assert.equal(codecForPayloadType(8)?.clockRateHz, 8000);
  assert.equal(codecForPayloadType(18), undefined);
  assert.equal(codecForPayloadType(96), undefined);
  assert.equal(G711_CODECS.length, 2);
});

test('names are case-insensitive', () => {
  assert.equal(codecForName('pcmu')?.payloadType, 0);
  assert.equal(codecForName('PCMA')?.payloadType, 8);
  assert.equal(codecForName('Pcma')?.payloadType, 8);
  assert.equal(codecForName('G729'), undefined);
});
