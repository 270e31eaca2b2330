import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ParseError } from '../../../../src/core/index.js';
import type { SdpDirection } from '../../../../src/sip/sdp/index.js';
import { createAnswer, parseSdp, SdpNegotiationError, serializeSdp } from '../../../../src/sip/sdp/index.js';
import { readSdpFixture, SDP_FIXTURES } from './sdp-fixture.js';

/** Parses, and if that works checks that the canonical form is a fixed point. */
function parseOnlyThrowsParseError(input: string | Uint8Array): void {
  let text: string;
  try {
    text = serializeSdp(parseSdp(input));
  } catch (e) {
    if (e instanceof ParseError) return;
    throw e;
  }
  assert.equal(serializeSdp(parseSdp(text)), text);
}

const fixtureText = fc.constantFrom(...SDP_FIXTURES).map(readSdpFixture);

/** A fixture with a few byte-level or line-level edits. */
const mutatedFixture = fc
  .tuple(
    fixtureText,
    fc.array(
      fc.oneof(
        fc.record({
          op: fc.constant('delete' as const),
          at: fc.nat(),
          length: fc.integer({ min: 1, max: 12 }),
        }),
        fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ maxLength: 8 }) }),
        fc.record({
          op: fc.constant('insertSdp' as const),
          at: fc.nat(),
          text: fc.constantFrom(
            '\r\n',
            '\n',
            ' ',
            ':',
            '/',
            '=',
            'a=',
            'm=',
            '0',
            '9999999',
            '\0',
            '\r',
            'é',
          ),
        }),
        fc.record({ op: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
        fc.record({ op: fc.constant('duplicateLine' as const), a: fc.nat() }),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([text, edits]) => {
    let t = text;
    for (const e of edits) {
      if (e.op === 'delete') {
        const at = e.at % (t.length + 1);
        t = t.slice(0, at) + t.slice(at + e.length);
      } else if (e.op === 'insert' || e.op === 'insertSdp') {
        const at = e.at % (t.length + 1);
        t = t.slice(0, at) + e.text + t.slice(at);
      } else {
        const lines = t.split('\r\n');
        const a = e.op === 'swapLines' ? e.a % lines.length : e.a % lines.length;
        if (e.op === 'swapLines') {
          const b = e.b % lines.length;
          [lines[a], lines[b]] = [lines[b]!, lines[a]!];
        } else {
          lines.splice(a, 0, lines[a]!);
        }
        t = lines.join('\r\n');
      }
    }
    return t;
  });

const localOptions = {
  address: '10.0.0.5',
  ports: (i: number) => ({ rtp: 40000 + 2 * i, rtcp: 40001 + 2 * i }),
  sessionId: 1,
  sessionVersion: 1,
} as const;

function answerOrTypedError(offer: string, mode: 'uas' | 'siprec'): void {
  try {
    createAnswer(offer, { ...localOptions, mode });
  } catch (e) {
    if (e instanceof SdpNegotiationError) return;
    throw e;
  }
}

describe('SDP properties', () => {
  it('random bytes only ever throw ParseError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), parseOnlyThrowsParseError), { numRuns: 2000 });
  });

  it('random SDP-like text only ever throws ParseError', () => {
    const line = fc
      .tuple(fc.constantFrom(...'vosiuepcbtrzkamx'), fc.string({ maxLength: 30 }))
      .map(([t, v]) => `${t}=${v}`);
    const text = fc.array(line, { maxLength: 15 }).map((ls) => ['v=0', ...ls].join('\r\n'));
    fc.assert(fc.property(text, parseOnlyThrowsParseError), { numRuns: 2000 });
  });

  it('mutated fixtures only ever throw ParseError, and the answerer only SdpNegotiationError', () => {
    fc.assert(
      fc.property(mutatedFixture, fc.constantFrom('uas' as const, 'siprec' as const), (text, mode) => {
        parseOnlyThrowsParseError(text);
        answerOrTypedError(text, mode);
      }),
      { numRuns: 3000 },
    );
  });

  it('generated offers get an answer with the same m-lines, or a typed negotiation error', () => {
    const direction = fc.constantFrom<SdpDirection | null>(
      'sendrecv',
      'sendonly',
      'recvonly',
      'inactive',
      null,
    );
    const mLine = fc.record({
      media: fc.constantFrom('audio', 'audio', 'audio', 'video', 'application'),
      port: fc.oneof(fc.constant(0), fc.integer({ min: 1024, max: 65534 })),
      proto: fc.constantFrom('RTP/AVP', 'RTP/AVP', 'RTP/SAVP', 'UDP/TLS/RTP/SAVPF'),
      formats: fc.uniqueArray(fc.constantFrom(0, 8, 9, 18, 13, 96, 101, 111), { minLength: 1, maxLength: 5 }),
      rtpmap96: fc.constantFrom('telephone-event/8000', 'PCMA/8000', 'opus/48000/2', 'telephone-event/16000'),
      direction,
      ptime: fc.option(fc.constantFrom(10, 20, 30, 40, 60, 0.5, 1000)),
      maxptime: fc.option(fc.constantFrom(10, 20, 40, 150)),
      label: fc.option(fc.constantFrom('1', '2', 'caller')),
      zeroAddress: fc.boolean(),
    });
    const offer = fc.record({ sessionDirection: direction, media: fc.array(mLine, { maxLength: 5 }) });
    fc.assert(
      fc.property(offer, fc.constantFrom('uas' as const, 'siprec' as const), (o, mode) => {
        const lines = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0'];
        if (o.sessionDirection) lines.push(`a=${o.sessionDirection}`);
        for (const m of o.media) {
          lines.push(`m=${m.media} ${m.port} ${m.proto} ${m.formats.join(' ')}`);
          if (m.zeroAddress) lines.push('c=IN IP4 0.0.0.0');
          if (m.formats.includes(96)) lines.push(`a=rtpmap:96 ${m.rtpmap96}`);
          if (m.formats.includes(101)) lines.push('a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16');
          if (m.ptime !== null) lines.push(`a=ptime:${m.ptime}`);
          if (m.maxptime !== null) lines.push(`a=maxptime:${m.maxptime}`);
          if (m.label !== null) lines.push(`a=label:${m.label}`);
          if (m.direction) lines.push(`a=${m.direction}`);
        }
        const text = lines.join('\r\n') + '\r\n';
        let result;
        try {
          result = createAnswer(text, { ...localOptions, mode });
        } catch (e) {
          assert.ok(e instanceof SdpNegotiationError, String(e));
          assert.equal(e.code, 'NO_COMMON_CODEC');
          return;
        }
        const { answer, media } = result;
        assert.equal(answer.media.length, o.media.length);
        const reparsed = parseSdp(serializeSdp(answer));
        assert.equal(serializeSdp(reparsed), serializeSdp(answer));
        answer.media.forEach((am, i) => {
          const offered = o.media[i]!;
          const accepted = media.find((n) => n.index === i);
          assert.equal(am.media, offered.media);
          assert.equal(am.port === 0, accepted === undefined);
          if (!accepted) {
            assert.deepEqual(am.formats, offered.formats.map(String));
            return;
          }
          assert.equal(offered.media, 'audio');
          assert.ok((offered.formats as readonly number[]).includes(accepted.payloadType));
          assert.ok(accepted.ptimeMs >= 10 && accepted.ptimeMs <= 200);
          // RFC 3264 §6.1: an offered sendonly stream is answered recvonly or inactive, and so on.
          const od = offered.direction ?? o.sessionDirection ?? 'sendrecv';
          const allowed: Record<SdpDirection, SdpDirection[]> = {
            sendrecv: ['sendrecv', 'sendonly', 'recvonly', 'inactive'],
            sendonly: ['recvonly', 'inactive'],
            recvonly: ['sendonly', 'inactive'],
            inactive: ['inactive'],
          };
          assert.ok(allowed[od].includes(accepted.direction), `${od} answered ${accepted.direction}`);
          if (mode === 'siprec') assert.ok(['recvonly', 'inactive'].includes(accepted.direction));
          assert.equal(accepted.label, offered.label);
        });
      }),
      { numRuns: 1500 },
    );
  });

  it('a fault inside one m-line declines that m-line and leaves the answer to the others as it was', () => {
    const faults = ['a=rtpmap:31 LPC', 'a=ptime:x', 'b=AS', 'c=IN IP4', 'a=sendonly:1', 'a=', 'a=mid:a b'];
    fc.assert(
      fc.property(
        fixtureText,
        fc.nat(),
        fc.constantFrom(...faults),
        fc.constantFrom('uas' as const, 'siprec' as const),
        (text, pick, fault, mode) => {
          const lines = text.split('\r\n');
          const mLineAt = lines.flatMap((l, i) => (l.startsWith('m=') ? [i] : []));
          const index = pick % mLineAt.length;
          lines.splice(mLineAt[index]! + 1, 0, fault);
          const spoiled = lines.join('\r\n');
          assert.ok(parseSdp(spoiled).media[index]!.defect);
          let before;
          try {
            before = createAnswer(text, { ...localOptions, mode });
          } catch (e) {
            assert.ok(e instanceof SdpNegotiationError);
            return;
          }
          const othersAccepted = before.media.some((m) => m.index !== index);
          let after;
          try {
            after = createAnswer(spoiled, { ...localOptions, mode });
          } catch (e) {
            assert.ok(e instanceof SdpNegotiationError && e.code === 'NO_COMMON_CODEC', String(e));
            assert.equal(othersAccepted, false);
            return;
          }
          assert.equal(after.answer.media.length, before.answer.media.length);
          assert.equal(after.answer.media[index]!.port, 0);
          after.answer.media.forEach((m, i) => {
            if (i !== index) assert.deepEqual(m, before.answer.media[i]);
          });
          assert.deepEqual(
            after.media,
            before.media.filter((m) => m.index !== index),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
