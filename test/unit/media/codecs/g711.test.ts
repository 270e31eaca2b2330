import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { fixture } from '../../../support/paths.js';
import {
  ALAW_DECODE_TABLE,
  ALAW_ENCODE_TABLE,
  MULAW_DECODE_TABLE,
  MULAW_ENCODE_TABLE,
  alawDecode,
  alawEncode,
  g711Decode,
  g711Encode,
  mulawDecode,
  mulawEncode,
} from '../../../../src/media/codecs/index.js';
import { InvalidArgumentError } from '../../../../src/core/index.js';

// The golden vectors come from scripts/make-g711-vectors.sh (sox 14.4.2); see the README beside them.
function readBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixture(`g711/${name}`)));
}

function readInt16(name: string): Int16Array {
  const bytes = readBytes(name);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

const allPcm = readInt16('pcm16-all.raw');
const allCodes = readBytes('codes-all.raw');

test('the input vectors hold every int16 from -32768 up and every byte from 0 up', () => {
  assert.equal(allPcm.length, 65536);
  assert.equal(allCodes.length, 256);
  for (let i = 0; i < 65536; i++) assert.equal(allPcm[i], i - 32768);
  for (let i = 0; i < 256; i++) assert.equal(allCodes[i], i);
});

for (const law of ['mulaw', 'alaw'] as const) {
  const encode = law === 'mulaw' ? mulawEncode : alawEncode;
  const decode = law === 'mulaw' ? mulawDecode : alawDecode;

  test(`${law}: all 65,536 PCM16 encodes equal sox's`, () => {
    const expected = readBytes(`${law}-encoded.raw`);
    const actual = encode(allPcm);
    let mismatches = 0;
    let first = -1;
    for (let i = 0; i < 65536; i++) {
      if (actual[i] !== expected[i]) {
        mismatches++;
        if (first < 0) first = i;
      }
    }
    assert.equal(mismatches, 0, `first mismatch at pcm ${first - 32768}`);
    assert.deepEqual(actual, expected);
  });

  test(`${law}: all 256 code word decodes equal sox's`, () => {
    assert.deepEqual(decode(allCodes), readInt16(`${law}-decoded.raw`));
  });

  test(`${law}: g711Encode/g711Decode dispatch to the same tables`, () => {
    assert.deepEqual(g711Encode(law, allPcm), encode(allPcm));
    assert.deepEqual(g711Decode(law, allCodes), decode(allCodes));
  });

  test(`${law}: decode then encode returns every code word (except the duplicate zero)`, () => {
    const round = encode(decode(allCodes));
    for (let c = 0; c < 256; c++) {
      // µ-law has two zeros (0x7f and 0xff); both decode to 0, which encodes as 0xff.
      const expected = law === 'mulaw' && c === 0x7f ? 0xff : c;
      assert.equal(round[c], expected, `code 0x${c.toString(16)}`);
    }
  });

  test(`${law}: writes into a caller's buffer and returns an exact view`, () => {
    const pcm = Int16Array.of(0, 1000, -1000, 32767);
    const out = new Uint8Array(10);
    const codes = encode(pcm, out);
    assert.equal(codes.length, 4);
    assert.equal(codes.buffer, out.buffer);
    const exact = new Uint8Array(4);
    assert.equal(encode(pcm, exact), exact);
    const back = new Int16Array(4);
    assert.equal(decode(codes, back), back);
    assert.throws(() => encode(pcm, new Uint8Array(3)), InvalidArgumentError);
    assert.throws(() => decode(codes, new Int16Array(3)), InvalidArgumentError);
  });

  test(`${law}: empty input gives empty output`, () => {
    assert.equal(encode(new Int16Array(0)).length, 0);
    assert.equal(decode(new Uint8Array(0)).length, 0);
  });

  test(`${law}: property: decode(encode(x)) stays within half a step of x and keeps its sign`, () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 64 }), (values) => {
        const pcm = Int16Array.from(values);
        const codes = encode(pcm);
        const back = decode(codes);
        for (let i = 0; i < pcm.length; i++) {
          const x = pcm[i]!;
          // The step is at most 1/16 of the value (plus a floor of 16 near zero), and the clip at
          // full scale costs at most 643 (µ-law decodes 32767 as 32124).
          const bound = Math.max(16, Math.abs(x) / 16, Math.abs(x) > 31000 ? 643 : 0);
          assert.ok(Math.abs(back[i]! - x) <= bound, `${x} -> ${back[i]}`);
          // A-law has no zero code, so tiny values may come back as +/-8 with either sign.
          if (Math.abs(x) >= 16) assert.equal(Math.sign(back[i]!), Math.sign(x));
        }
      }),
    );
  });
}

test('tables have the documented sizes and types', () => {
  assert.ok(MULAW_ENCODE_TABLE instanceof Uint8Array && MULAW_ENCODE_TABLE.length === 65536);
  assert.ok(ALAW_ENCODE_TABLE instanceof Uint8Array && ALAW_ENCODE_TABLE.length === 65536);
  assert.ok(MULAW_DECODE_TABLE instanceof Int16Array && MULAW_DECODE_TABLE.length === 256);
  assert.ok(ALAW_DECODE_TABLE instanceof Int16Array && ALAW_DECODE_TABLE.length === 256);
});

test('known code words: silence and full scale', () => {
  assert.equal(MULAW_ENCODE_TABLE[0], 0xff);
  assert.equal(ALAW_ENCODE_TABLE[0], 0xd5);
  assert.equal(MULAW_DECODE_TABLE[0x00], -32124);
  assert.equal(MULAW_DECODE_TABLE[0x80], 32124);
  assert.equal(ALAW_DECODE_TABLE[0xd5], 8);
  assert.equal(ALAW_DECODE_TABLE[0x2a], -32256);
  assert.equal(ALAW_DECODE_TABLE[0xaa], 32256);
});

test('sox rounds to 14/13 bits instead of truncating: inputs where Sun g711.c differs', () => {
  // 2 rounds up to µ-law 14-bit value 1 (Sun truncates to 0); 4 rounds up to A-law 13-bit value 1.
  // These pairs are read off the sox vectors, so they pin the rounding rule in one place.
  const mu = readBytes('mulaw-encoded.raw');
  const al = readBytes('alaw-encoded.raw');
  for (const x of [-31610, -31609, 32766, 32767]) assert.equal(MULAW_ENCODE_TABLE[x & 0xffff], mu[x + 32768]);
  for (const x of [-31748, -30721, 32764, 32767]) assert.equal(ALAW_ENCODE_TABLE[x & 0xffff], al[x + 32768]);
});
