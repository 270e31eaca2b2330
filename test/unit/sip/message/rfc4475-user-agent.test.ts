import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { SipIngress } from '../../../../src/ingress/sip/index.js';
import { MediaTicker } from '../../../../src/session/index.js';
import { SipUserAgent } from '../../../../src/sip/dialog/index.js';
import type { SipMessage, SipResponse } from '../../../../src/sip/message/index.js';
import { getCseq, getHeader } from '../../../../src/sip/message/index.js';
import { FakeScheduler } from '../../../../src/sip/transaction/testing.js';
import type { SipDestination } from '../../../../src/sip/transport/index.js';
import { SipTransport } from '../../../../src/sip/transport/index.js';
import { FakePool } from '../../ingress/ingress-rig.js';
import { readTorture, TORTURE_NAMES } from './rfc4475-fixture.js';

/**
 * Every RFC 4475 message, as the RFC's archive encodes it, sent as one UDP datagram over loopback
 * to the real SIP transport, which hands what parses to the real user agent (transaction layer,
 * dialogs), wired as src/app/gateway.ts wires them. What we assert is the final answer the stack
 * gives: RFC 4475 §3.1.1 valid requests get a non-400 answer, §3.1.2 invalid ones 400 or nothing,
 * unknown methods 501.
 *
 * The user agent's own answers are captured at its `send` (they are addressed by the messages'
 * Vias to example hosts that do not exist); the transport's stateless 400s for what does not
 * parse travel back over the socket to the sending peer.
 */

type Expected = number | readonly number[] | 'dropped' | 'discarded';

/**
 * What the stack answers each message, and why. `dropped`: not parseable and nothing to build a
 * 400 from (or a response, which is never answered); `discarded`: a response that parsed and
 * matched no transaction of ours (RFC 3261 §18.1.2). `OFFER`: an INVITE whose offer has a usable
 * audio m-line and an unusable video one is answered 200, the video m-line declined with port 0
 * (RFC 3264 §6; issue 10 point 3), where it used to be refused whole with 488.
 */
const OFFER = 200;
const EXPECTED: ReadonlyArray<readonly [string, Expected, string]> = [
  // §3.1.1 valid messages: never 400.
  ['wsinv', 481, '§3.1.1.1: an INVITE with a To tag and no such dialog, RFC 3261 §12.2.2'],
  ['intmeth', 501, '§3.1.1.2: unknown method'],
  ['esc01', OFFER, '§3.1.1.3'],
  ['escnull', 405, '§3.1.1.4: REGISTER, which a UAS does not take'],
  ['esc02', 501, '§3.1.1.5: RE%47IST%45R is an unknown method'],
  ['lwsdisp', 200, '§3.1.1.6: OPTIONS'],
  ['longreq', OFFER, '§3.1.1.7'],
  ['dblreq', 405, '§3.1.1.8: the REGISTER; the trailing INVITE is noise'],
  ['semiuri', 200, '§3.1.1.9: OPTIONS'],
  ['transports', 200, '§3.1.1.10: OPTIONS'],
  ['mpart01', 405, '§3.1.1.11: MESSAGE, which we do not take'],
  ['unreason', 'discarded', '§3.1.1.12: a response to nothing of ours'],
  ['noreason', 'discarded', '§3.1.1.13: a response to nothing of ours'],
  // §3.1.2 invalid messages: 400, or nothing.
  ['badinv01', 400, '§3.1.2.1: empty Via parameter'],
  ['clerr', 400, '§3.1.2.2: Content-Length larger than the body, over UDP'],
  ['ncl', 400, '§3.1.2.3: negative Content-Length'],
  ['scalar02', 400, '§3.1.2.4: CSeq above 2^32-1'],
  ['scalarlg', 'dropped', '§3.1.2.5: a response with CSeq above 2^32-1'],
  ['quotbal', 400, '§3.1.2.6: unterminated quoted string'],
  ['ltgtruri', 400, '§3.1.2.7: <> around the Request-URI'],
  ['lwsruri', 400, '§3.1.2.8: LWS in the Request-URI'],
  ['lwsstart', 400, '§3.1.2.9: two SP in the Request-Line'],
  ['trws', 400, '§3.1.2.10: trailing SP in the Request-Line'],
  ['escruri', 400, '§3.1.2.11: headers in the Request-URI'],
  ['baddate', OFFER, '§3.1.2.12: a Date we do not interpret; accepted, as the RFC allows'],
  ['regbadct', 400, '§3.1.2.13: addr-spec with ? outside <>'],
  ['badaspec', 400, '§3.1.2.14: spaces inside <>'],
  ['baddn', 400, '§3.1.2.15: unquoted display name (and, in the archive, no blank line)'],
  ['badvers', 505, '§3.1.2.16: SIP/7.0'],
  ['mismatch01', 400, '§3.1.2.17: CSeq method differs from the Request-Line'],
  ['mismatch02', 400, '§3.1.2.18: CSeq method differs from the Request-Line'],
  ['bigcode', 'dropped', '§3.1.2.19: a response with a 10-digit status'],
  // §3.2 transaction layer.
  ['badbranch', 200, '§3.2.1: branch z9hG4bK alone is still a branch'],
  // §3.3 application layer.
  ['insuf', 'dropped', '§3.3.1: no From, To or Call-ID to build a 400 with'],
  ['unkscm', 416, '§3.3.2: unknown Request-URI scheme'],
  ['novelsc', 416, '§3.3.3: unknown Request-URI scheme'],
  ['unksm2', 405, '§3.3.4: REGISTER, refused for its method before its URIs'],
  ['bext01', 420, '§3.3.5: Require with unknown option tags'],
  ['invut', 415, '§3.3.6: a body type we do not understand'],
  ['regaut01', 405, '§3.3.7: REGISTER'],
  ['multi01', 400, '§3.3.8: CSeq, Call-ID, To, From twice'],
  ['mcl01', 400, '§3.3.9: Content-Length twice'],
  ['sdp01', OFFER, '§3.3.10: Accept without application/sdp (not honoured: we answer SDP)'],
  ['zeromf', 200, '§3.3.11: Max-Forwards 0 does not concern a UAS'],
  ['cparam01', 405, '§3.3.12: REGISTER'],
  ['cparam02', 405, '§3.3.13: REGISTER'],
  ['regescrt', 405, '§3.3.14: REGISTER'],
  ['bcast', 'discarded', '§3.3.15: a response to nothing of ours'],
  ['test', 'dropped', 'in the archive but in no section: no SIP-Version, a header without colon'],
  // §3.4 backward compatibility.
  ['inv2543', 200, '§3.4.1: an RFC 2543 INVITE without Contact, accepted (remote target: the From URI)'],
];

function describeExpected(expected: Expected): string {
  if (typeof expected === 'number') return String(expected);
  if (typeof expected === 'string') return expected;
  return expected.join(' or ');
}

/** What became of one datagram. */
interface Outcome {
  /** The final status sent back, or 'dropped' when nothing was. */
  readonly status: number | 'dropped';
  /** Who answered: the user agent, or the transport's stateless 400 for what did not parse. */
  readonly by?: 'user agent' | 'transport';
  /** The answer as the user agent built it (the transport's 400 is only seen as bytes). */
  readonly response?: SipResponse;
  /** The transport's 400 as it arrived at the peer. */
  readonly text?: string;
  /** Whether the transport parsed it. */
  readonly parsed: boolean;
  /** CSeq methods of every final response the user agent sent for it. */
  readonly answeredMethods?: readonly string[];
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('RFC 4475 messages through the real transport and user agent (UDP loopback)', () => {
  const scheduler = new FakeScheduler();
  const ticker = new MediaTicker({ clock: scheduler.clock, manual: true });
  let ua: SipUserAgent;
  // The gateway's own call handler (SDP offer/answer, Content-Type checks), with RTP endpoints
  // that bind no socket: the media layer is not what these messages test.
  const ingress = new SipIngress({
    pool: new FakePool(),
    mediaAddress: '127.0.0.1',
    scheduler,
    ticker,
    hangup: (dialogId) => ua.hangup(dialogId),
    onEvent: () => undefined,
  });
  const uaSent: Array<{ message: SipMessage; destination: SipDestination }> = [];
  const peerGot: string[] = [];
  let transport: SipTransport;
  let peer: dgram.Socket;
  const outcomes = new Map<string, Outcome>();

  async function deliver(name: string): Promise<Outcome> {
    const bytes = readTorture(name);
    const before = transport.stats;
    const uaBefore = uaSent.length;
    const peerBefore = peerGot.length;
    peer.send(bytes, transport.ports.udp, '127.0.0.1');
    // The datagram is counted when it reaches the transport; loopback delivers it, so no time
    // bound here: the hook's timeout below is the backstop.
    while (transport.stats.received + transport.stats.keepAlives === before.received + before.keepAlives) {
      await tick();
    }
    await flush();
    const now = transport.stats;
    const parsed = now.parsed > before.parsed;
    if (now.badRequestsSent > before.badRequestsSent) {
      while (peerGot.length === peerBefore) {
        await tick();
      }
      const text = peerGot[peerGot.length - 1]!;
      // The 400 copies the request's headers, bad ones included, so only its status line is read.
      const status = Number(/^SIP\/2\.0 (\d{3}) /.exec(text)?.[1]);
      return { status, by: 'transport', text, parsed };
    }
    const finals = uaSent
      .slice(uaBefore)
      .flatMap((s) => (s.message.kind === 'response' && s.message.status >= 200 ? [s.message] : []));
    if (finals.length > 0) {
      const response = finals[0]!;
      const answeredMethods = finals.map((r) => getCseq(r).method);
      return { status: response.status, by: 'user agent', response, parsed, answeredMethods };
    }
    return { status: 'dropped', parsed };
  }

  before(
    async () => {
      transport = new SipTransport({ host: '127.0.0.1', port: 0, tcp: false, badRequestToTag: 'rfc4475' });
      await transport.listen();
      ua = new SipUserAgent({
        send: (message, destination) => {
          uaSent.push({ message, destination });
        },
        scheduler,
        handler: ingress,
        maxCalls: 100,
        contact: { host: '127.0.0.1', port: transport.ports.udp! },
      });
      transport.on('message', ({ message, source }) =>
        ua.receive(message, { transport: 'udp', address: source.address, port: source.port }),
      );
      peer = dgram.createSocket('udp4');
      peer.on('message', (bytes) => {
        peerGot.push(bytes.toString('latin1'));
      });
      await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
      for (const name of TORTURE_NAMES) outcomes.set(name, await deliver(name));
      // Generous: the 50 datagrams take well under a second on loopback.
    },
    { timeout: 60_000 },
  );

  after(async () => {
    const closing = ua.shutdown();
    scheduler.advance(60_000);
    await closing;
    await transport.close();
    peer.close();
  });

  for (const [name, expected, why] of EXPECTED) {
    it(`${name}: ${describeExpected(expected)} (${why})`, () => {
      const outcome = outcomes.get(name);
      assert.ok(outcome, `${name} was delivered`);
      if (expected === 'dropped' || expected === 'discarded') {
        assert.equal(outcome.status, 'dropped');
        assert.equal(outcome.parsed, expected === 'discarded');
        return;
      }
      const allowed = typeof expected === 'number' ? [expected] : expected;
      assert.ok(
        allowed.includes(outcome.status as number),
        `${name}: got ${String(outcome.status)}, expected ${allowed.join(' or ')}`,
      );
      if (outcome.status === 501 || outcome.status === 405) {
        // RFC 3261 §8.2.1, §21.5.2: both name what we do support.
        assert.match(getHeader(outcome.response!, 'Allow') ?? '', /INVITE/);
      }
    });
  }

  it('every message of the archive is in the table above', () => {
    assert.deepEqual([...TORTURE_NAMES].sort(), [...EXPECTED.map(([n]) => n)].sort());
  });

  it('unknown methods get 501 Not Implemented with Allow, not 405 (intmeth, esc02)', () => {
    for (const name of ['intmeth', 'esc02']) {
      const response = outcomes.get(name)!.response!;
      assert.equal(response.status, 501);
      assert.equal(response.reason, 'Not Implemented');
      assert.equal(getHeader(response, 'Allow'), 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE');
    }
    // esc02's method is RE%47IST%45R, which is not REGISTER: % is no escape in a method.
    assert.equal(getCseq(outcomes.get('esc02')!.response!).method, 'RE%47IST%45R');
  });

  it('bext01: 420 names both unknown Require option tags in Unsupported (RFC 3261 §8.2.2.3)', () => {
    const response = outcomes.get('bext01')!.response!;
    assert.equal(getHeader(response, 'Unsupported'), 'nothingSupportsThis, nothingSupportsThisEither');
  });

  it('dblreq: only the REGISTER is answered; the INVITE after it in the datagram is ignored', () => {
    const outcome = outcomes.get('dblreq')!;
    assert.equal(getCseq(outcome.response!).method, 'REGISTER');
    assert.deepEqual(outcome.answeredMethods, ['REGISTER']);
  });

  it('the transport 400s carry a To tag and copy the Call-ID of the request', () => {
    for (const [name] of EXPECTED.filter(([, e]) => e === 400)) {
      const text = outcomes.get(name)!.text;
      if (text === undefined) continue;
      // RFC 3261 §8.2.6.2: ours when the request's To had none (lwsruri brings its own).
      assert.match(text, /\r\nTo: [^\r]*;tag=[^\r;]+\r\n/, name);
      const request = new TextDecoder().decode(readTorture(name));
      const callId = /\r\nCall-ID: ([^\r]*)\r\n/.exec(text)?.[1];
      assert.ok(callId !== undefined && request.includes(callId), `${name}: Call-ID copied`);
    }
  });

  it('no message made the stack throw', () => {
    assert.equal(transport.stats.internalErrors, 0);
    assert.equal(ua.stats.internalErrors, 0);
  });
});
