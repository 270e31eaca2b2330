import { readFileSync } from 'node:fs';
import { fixture } from '../../../support/paths.js';

export interface InviteFixture {
  readonly contentType: string;
  readonly body: Uint8Array;
  /** Header values by lower-case name (first occurrence). */
  readonly headers: ReadonlyMap<string, string>;
}

/** Reads a test/fixtures/sip/siprec/*.sip message and splits off its headers. */
export function readInviteFixture(name: string): InviteFixture {
  const bytes = new Uint8Array(readFileSync(fixture(`sip/siprec/${name}`)));
  const text = Buffer.from(bytes).toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`${name}: no end of headers`);
  const headers = new Map<string, string>();
  for (const line of text.slice(0, end).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    const key = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(key)) headers.set(key, line.slice(colon + 1).trim());
  }
  const body = bytes.subarray(end + 4);
  const length = Number(headers.get('content-length'));
  if (length !== body.length) throw new Error(`${name}: Content-Length ${length} != ${body.length}`);
  return { contentType: headers.get('content-type') ?? '', body, headers };
}

/**
 * The `a=label` of each m-line of an SDP, in order (null when an m-line has none). A test stand-in
 * for the SDP parser another folder owns: just enough to read our fixtures.
 */
export function sdpLabels(sdp: Uint8Array): (string | null)[] {
  const labels: (string | null)[] = [];
  for (const line of Buffer.from(sdp).toString('latin1').split(/\r?\n/)) {
    if (line.startsWith('m=')) labels.push(null);
    else if (line.startsWith('a=label:') && labels.length > 0) {
      labels[labels.length - 1] = line.slice('a=label:'.length).trim();
    }
  }
  return labels;
}
