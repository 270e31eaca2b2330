import { readFileSync } from 'node:fs';
import { fixture } from '../../../support/paths.js';

/** Reads a test/fixtures/rtp/*.hex file: whitespace-separated hex bytes, `#` comments. */
export function readHexFixture(name: string): Uint8Array {
  return hexBytes(readFileSync(fixture(`rtp/${name}`), 'utf8'));
}

export function hexBytes(text: string): Uint8Array {
  const digits = text
    .split('\n')
    .map((line) => line.replace(/#.*/, ''))
    .join('')
    .replace(/\s+/g, '');
  if (digits.length % 2 !== 0 || /[^0-9a-f]/i.test(digits)) throw new Error('malformed hex fixture');
  return Uint8Array.from(digits.match(/../g) ?? [], (h) => parseInt(h, 16));
}
