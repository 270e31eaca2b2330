import { readFileSync } from 'node:fs';

/**
 * Headers SIPp must own for the call to work over loopback (transaction and dialog matching,
 * routing back to SIPp, the body length after SIPp's line handling): every other header of the
 * fixture is sent as the vendor wrote it.
 */
const SIPP_OWNED = new Set([
  'via',
  'v',
  'from',
  'f',
  'to',
  't',
  'call-id',
  'i',
  'cseq',
  'contact',
  'm',
  'content-length',
  'l',
  'max-forwards',
]);

export interface SiprecFixtureScenario {
  /** The SIPp scenario XML. */
  readonly xml: string;
  /** Number of m-lines in the offer with a non-zero port (those that SIPp points at its media ports). */
  readonly liveMLines: number;
}

/**
 * Turns a SIPREC INVITE fixture (test/fixtures/sip/siprec/*.sip: a whole INVITE as a vendor's SRC
 * sends it) into a SIPp UAC scenario that sends the same INVITE over the real stack: the
 * fixture's own headers (Require, Content-Type with its boundary, vendor headers) and body
 * (multipart or bare SDP, metadata as written), with only what must point at SIPp rewritten:
 * the Request-URI, Via, From/To tags, Call-ID, CSeq, Contact (keeping the fixture's Contact
 * parameters such as `+sip.src`), each SDP `c=` address and each non-zero m-line port (the n-th
 * live m-line gets `[media_port+2n]`). `extraHeaders` are added as an SRC configured to add them
 * would (e.g. the recorded call's From). Then ACK, a pause of `[hold_ms]` ms, BYE.
 *
 * SIPp strips leading whitespace from every line of a message and ends lines with CRLF, so a
 * body that relied on bare LF or on indentation reaches the gateway normalised; the fixture's
 * own unit tests keep the exact bytes.
 */
export function siprecFixtureScenario(
  fixturePath: string,
  name: string,
  extraHeaders: readonly string[] = [],
): SiprecFixtureScenario {
  const text = readFileSync(fixturePath, 'latin1');
  const split = /\r?\n\r?\n/.exec(text);
  if (split === null) throw new Error(`${fixturePath}: no empty line after the headers`);
  const headerLines = text
    .slice(0, split.index)
    .split(/\r?\n/)
    .slice(1)
    // Unfold continuation lines into the header they continue.
    .reduce<string[]>((lines, line) => {
      if (/^[ \t]/.test(line) && lines.length > 0) lines[lines.length - 1] += ` ${line.trim()}`;
      else lines.push(line);
      return lines;
    }, []);
  let contactParams = '';
  const kept: string[] = [];
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name === 'contact' || name === 'm') {
      const close = line.lastIndexOf('>');
      contactParams = close >= 0 ? line.slice(close + 1).trim() : '';
    }
    if (!SIPP_OWNED.has(name)) kept.push(line.trim());
  }
  kept.push(...extraHeaders);
  let live = 0;
  const body = text
    .slice(split.index + split[0].length)
    .split(/\r?\n/)
    .map((line) => {
      if (/^c=IN IP[46] /.test(line)) return 'c=IN IP[media_ip_type] [media_ip]';
      const m = /^m=(\S+) (\d+)( .*)$/.exec(line);
      if (m !== null && m[2] !== '0') {
        const offset = 2 * live++;
        return `m=${m[1]} [media_port${offset === 0 ? '' : `+${offset}`}]${m[3]}`;
      }
      if (/^o=/.test(line)) return line.replace(/IN IP[46] \S+$/, 'IN IP[local_ip_type] [local_ip]');
      return line;
    })
    .join('\n')
    .replace(/\s+$/, '');
  if (body.includes(']]>')) throw new Error(`${fixturePath}: body cannot be put in CDATA`);
  const dialog = [
    'From: <sip:src@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]',
    'To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]',
    'Call-ID: [call_id]',
  ];
  const xml = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="${name}">
  <Global variables="hold_ms"/>
  <send retrans="500" start_txn="invite">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:src@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:src@[local_ip]:[local_port]>${contactParams}
      Max-Forwards: 70
${kept.map((h) => `      ${h}`).join('\n')}
      Content-Length: [len]

${body}
    ]]>
  </send>
  <recv response="100" optional="true" timeout="8000" response_txn="invite"/>
  <recv response="180" optional="true" timeout="8000" response_txn="invite"/>
  <recv response="183" optional="true" timeout="8000" response_txn="invite"/>
  <recv response="200" rrs="true" timeout="8000" response_txn="invite"/>
  <send ack_txn="invite">
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      ${dialog.join('\n      ')}
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <nop><action><todouble assign_to="hold" variable="hold_ms"/></action></nop>
  <pause variable="hold"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      ${dialog.join('\n      ')}
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" crlf="true" timeout="8000"/>
</scenario>
`;
  return { xml, liveMLines: live };
}
