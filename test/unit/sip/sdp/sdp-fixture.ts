import { readdirSync, readFileSync } from 'node:fs';
import { fixture } from '../../../support/paths.js';

/** Every test/fixtures/sip/sdp/*.sdp file name. */
export const SDP_FIXTURES: readonly string[] = readdirSync(fixture('sip/sdp'))
  .filter((f) => f.endsWith('.sdp'))
  .sort();

/**
 * A fixture as it travels in a SIP body: the files are kept with LF line ends (so that git and
 * editors leave them alone) and turned into the CRLF of RFC 4566 §5 here.
 */
export function readSdpFixture(name: string): string {
  return readFileSync(fixture(`sip/sdp/${name}`), 'utf8').replace(/\r?\n/g, '\r\n');
}
