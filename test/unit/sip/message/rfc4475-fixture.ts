import { readFileSync } from 'node:fs';
import { fixture } from '../../../support/paths.js';

/** Reads test/fixtures/sip/message/rfc4475/<name>.sip as raw bytes. */
export function readTorture(name: string): Uint8Array {
  const buf = readFileSync(fixture(`sip/message/rfc4475/${name}.sip`));
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}
