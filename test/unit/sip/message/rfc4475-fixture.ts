import { readdirSync, readFileSync } from 'node:fs';
import { fixture } from '../../../support/paths.js';

const DIR = 'sip/message/rfc4475';

/** Reads test/fixtures/sip/message/rfc4475/<name>.sip (RFC 4475 Appendix A's <name>.dat) as raw bytes. */
export function readTorture(name: string): Uint8Array {
  const buf = readFileSync(fixture(`${DIR}/${name}.sip`));
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

/** Every message of the archive, by name, sorted. */
export const TORTURE_NAMES: readonly string[] = readdirSync(fixture(DIR))
  .filter((f) => f.endsWith('.sip'))
  .map((f) => f.slice(0, -'.sip'.length))
  .sort();
