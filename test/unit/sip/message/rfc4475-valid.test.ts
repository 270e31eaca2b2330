import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NameAddr, SipMessage, SipRequest, SipUri } from '../../../../src/sip/message/index.js';
import {
  getCallId,
  getContacts,
  getContentLength,
  getContentType,
  getCseq,
  getExpires,
  getFrom,
  getHeader,
  getHeaders,
  getMaxForwards,
  getRoutes,
  getTo,
  getVias,
  isSipUri,
  paramValue,
  parseMessage,
  parseUri,
  requestProblem,
} from '../../../../src/sip/message/index.js';
import { readTorture } from './rfc4475-fixture.js';

function request(name: string): SipRequest {
  const msg = parseMessage(readTorture(name));
  assert.equal(msg.kind, 'request');
  return msg;
}

function sipUri(uri: NameAddr['uri'] | string): SipUri {
  const parsed = typeof uri === 'string' ? parseUri(uri) : uri;
  assert.ok(isSipUri(parsed));
  return parsed;
}

function contactAt(msg: SipMessage, i: number): NameAddr {
  const c = getContacts(msg)[i];
  assert.ok(c !== undefined && c !== '*');
  return c;
}

describe('RFC 4475 §3.1.1 valid messages', () => {
  it('3.1.1.1 wsinv: folding, odd case, LWS everywhere, compact and long forms', () => {
    const msg = request('wsinv');
    assert.equal(msg.method, 'INVITE');
    const ruri = sipUri(msg.uri);
    assert.deepEqual(
      [ruri.user, ruri.host, ruri.params],
      ['vivekg', 'chair-dnrc.example.com', [{ name: 'unknownparam' }]],
    );
    const to = getTo(msg);
    assert.equal(to.displayName, undefined);
    assert.equal(to.tag, '1918181833n');
    const from = getFrom(msg);
    assert.equal(from.displayName, 'J Rosenberg \\"');
    assert.equal(from.tag, '98asjd8');
    assert.equal(getMaxForwards(msg), 68);
    assert.deepEqual(getCseq(msg), { seq: 9, method: 'INVITE' });
    assert.equal(getCallId(msg), 'wsinv.ndaksdj@192.0.2.1');
    const vias = getVias(msg);
    assert.equal(vias.length, 3);
    assert.deepEqual(
      vias.map((v) => [v.protocol, v.transport, v.host, v.branch]),
      [
        ['SIP/2.0', 'UDP', '192.0.2.2', '390skdjuw'],
        ['SIP/2.0', 'TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
        ['SIP/2.0', 'UDP', '192.168.255.111', 'z9hG4bK30239'],
      ],
    );
    assert.equal(getHeader(msg, 'Subject'), '');
    assert.equal(getHeader(msg, 'newfangledheader'), 'newfangled value continued newfangled value');
    assert.deepEqual(getHeaders(msg, 'UnknownHeaderWithUnusualValue'), [';;,,;;,;']);
    assert.equal(getContentType(msg)?.mediaType, 'application/sdp');
    assert.deepEqual(sipUri(getRoutes(msg, 'Route')[0]!.uri).params, [
      { name: 'lr' },
      { name: 'unknownwith', value: 'value' },
      { name: 'unknown-no-value' },
    ]);
    const contact = contactAt(msg, 0);
    assert.equal(contact.displayName, 'Quoted string ""');
    assert.deepEqual(contact.params, [
      { name: 'newparam', value: 'newvalue' },
      { name: 'secondparam' },
      { name: 'q', value: '0.33' },
    ]);
    assert.equal(msg.body.length, 150);
    assert.equal(getContentLength(msg), 150);
    assert.equal(requestProblem(msg), undefined);
  });

  it('3.1.1.2 intmeth: token characters in method, URI, params; quoted NUL, BEL, DEL', () => {
    const msg = request('intmeth');
    assert.equal(msg.method, "!interesting-Method0123456789_*+`.%indeed'~");
    const ruri = sipUri(msg.uri);
    assert.equal(ruri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert.equal(ruri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    assert.equal(ruri.host, 'example.com');
    assert.equal(getVias(msg)[0]!.branch, "z9hG4bK-.!%66*_+`'~");
    assert.equal(getTo(msg).displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
    const from = getFrom(msg);
    assert.equal(from.displayName, "token1~` token2'+_ token3*%!.-");
    assert.equal(paramValue(from.params, "fromParam''~+*_!.-%"), 'работающий');
    assert.equal(from.tag, "_token~1'+`*%!-.");
    assert.equal(getCallId(msg), 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    assert.deepEqual(getCseq(msg), { seq: 139122385, method: msg.method });
    assert.equal(getMaxForwards(msg), 255);
    assert.equal(getHeader(msg, "extensionHeader-!.%*+_`'~"), '\ufeff大停電');
  });

  it('3.1.1.3 esc01: %-escapes in user parts and URI parameters', () => {
    const msg = request('esc01');
    assert.equal(sipUri(msg.uri).user, 'sips:user@example.com');
    assert.equal(sipUri(getTo(msg).uri).user, 'user');
    assert.equal(sipUri(getFrom(msg).uri).user, 'I have spaces');
    const contact = sipUri(contactAt(msg, 0).uri);
    assert.equal(contact.user, 'caller');
    assert.deepEqual(contact.params, [{ name: 'lr' }, { name: 'name', value: 'value%41' }]);
    assert.equal(getCallId(msg), 'esc01.239409asdfakjkn23onasd0-3234');
    assert.equal(getContentType(msg)?.mediaType, 'application/sdp');
  });

  it('3.1.1.4 escnull: escaped NULs in user parts', () => {
    const msg = request('escnull');
    assert.equal(sipUri(getTo(msg).uri).user, 'null-\0-null');
    assert.equal(sipUri(contactAt(msg, 0).uri).user, '\0');
    assert.equal(sipUri(contactAt(msg, 1).uri).user, '\0\0');
    assert.equal(getContentLength(msg), 0);
  });

  it('3.1.1.5 esc02: % is not an escape in methods, display names and header names', () => {
    const msg = request('esc02');
    assert.equal(msg.method, 'RE%47IST%45R');
    assert.equal(getTo(msg).displayName, '%Z%45');
    assert.equal(getFrom(msg).displayName, '%Z%45');
    assert.equal(getContacts(msg).length, 2);
    assert.equal(getHeader(msg, 'C%6Fntact'), '<sip:alias2@host2.example.com>');
  });

  it('3.1.1.6 lwsdisp: no LWS between display name and <', () => {
    const from = getFrom(request('lwsdisp'));
    assert.equal(from.displayName, 'caller');
    assert.equal(sipUri(from.uri).user, 'caller');
    assert.equal(from.tag, '323');
  });

  it('3.1.1.7 longreq: long values and 34 Via values in many spellings', () => {
    const msg = request('longreq');
    assert.equal(getVias(msg).length, 34);
    assert.equal(getVias(msg)[33]!.received, '192.0.2.5');
    assert.equal(getVias(msg)[33]!.branch, `very${'long'.repeat(50)}branchvalue`);
    assert.equal(getTo(msg).displayName, `I have a user name of ${'extreme'.repeat(10)} proportion`);
    assert.equal(sipUri(getTo(msg).uri).port, 6000);
    assert.equal(getFrom(msg).tag, `12${'982'.repeat(50)}424`);
    assert.equal(getCallId(msg), `longreq.one${'really'.repeat(20)}longcallid`);
    assert.equal(msg.body.length, 150);
  });

  it('3.1.1.8 dblreq: octets after Content-Length in a datagram are ignored', () => {
    const msg = request('dblreq');
    assert.equal(msg.method, 'REGISTER');
    assert.equal(msg.body.length, 0);
    assert.equal(sipUri(contactAt(msg, 0).uri).host, 'host.example.com');
  });

  it('3.1.1.9 semiuri: a semicolon in the user part', () => {
    const msg = request('semiuri');
    const ruri = sipUri(msg.uri);
    assert.equal(ruri.user, 'user;par=u@example.net');
    assert.equal(ruri.host, 'example.com');
    assert.deepEqual(ruri.params, []);
    assert.equal(getHeaders(msg, 'Accept').length, 6);
  });

  it('3.1.1.10 transports: unknown transports in Via', () => {
    const vias = getVias(request('transports'));
    assert.deepEqual(
      vias.map((v) => v.transport),
      ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP'],
    );
  });

  it('3.1.1.11 mpart01: a binary multipart body delimited by Content-Length', () => {
    const msg = request('mpart01');
    assert.equal(msg.method, 'MESSAGE');
    const ct = getContentType(msg);
    assert.equal(ct?.mediaType, 'multipart/mixed');
    assert.equal(paramValue(ct?.params ?? [], 'boundary'), '7a9cbec02ceef655');
    assert.equal(msg.body.length, getContentLength(msg));
    assert.equal(getVias(msg)[0]!.rport, null);
    assert.equal(getVias(msg)[0]!.port, 5070);
  });

  it('3.1.1.12 unreason: a reason phrase with UTF-8 and symbols', () => {
    const msg = parseMessage(readTorture('unreason'));
    assert.ok(msg.kind === 'response');
    assert.equal(msg.status, 200);
    assert.equal(msg.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
    assert.equal(msg.body.length, 154);
  });

  it('3.1.1.13 noreason: an empty reason phrase', () => {
    const msg = parseMessage(readTorture('noreason'));
    assert.ok(msg.kind === 'response');
    assert.equal(msg.status, 100);
    assert.equal(msg.reason, '');
    assert.equal(getTo(msg).tag, '902jndnke3');
  });
});

describe('RFC 4475 §3.2-3.4 messages that parse', () => {
  it('badbranch, bext01, zeromf, cparam01/02, regescrt, unksm2, inv2543 parse', () => {
    assert.equal(getVias(request('badbranch'))[0]!.branch, 'z9hG4bK');
    assert.deepEqual(getHeaders(request('bext01'), 'Require'), [
      'nothingSupportsThis',
      'nothingSupportsThisEither',
    ]);
    assert.equal(getMaxForwards(request('zeromf')), 0);
    // RFC 4475 §3.3.12: without <>, ;unknownparam belongs to the header, not the URI.
    const c1 = contactAt(request('cparam01'), 0);
    assert.deepEqual([sipUri(c1.uri).params, c1.params], [[], [{ name: 'unknownparam' }]]);
    const c2 = contactAt(request('cparam02'), 0);
    assert.deepEqual([sipUri(c2.uri).params, c2.params], [[{ name: 'unknownparam' }], []]);
    const escrt = sipUri(contactAt(request('regescrt'), 0).uri);
    assert.deepEqual(escrt.headers, [{ name: 'Route', value: '<sip:sip.example.com>' }]);
    const unksm2 = request('unksm2');
    assert.equal(getTo(unksm2).uri.scheme, 'isbn');
    assert.equal(getFrom(unksm2).uri.scheme, 'http');
    const inv = request('inv2543');
    assert.equal(getHeader(inv, 'Content-Length'), undefined);
    assert.equal(inv.body.length, 105);
    assert.equal(getExpires(inv), undefined);
  });

  it('invut, regaut01, sdp01, bcast (from the archive, left out before) parse as the RFC describes', () => {
    // §3.3.6: a body of a type nobody knows, 40 bytes of it.
    const invut = request('invut');
    assert.equal(getContentType(invut)?.mediaType, 'application/unknownformat');
    assert.equal(invut.body.length, 40);
    // §3.3.7: an Authorization scheme nobody knows, kept as written.
    assert.equal(getHeader(request('regaut01'), 'Authorization'), 'NoOneKnowsThisScheme opaque-data=here');
    // §3.3.10: Accept names only a type nobody knows, the body is SDP anyway.
    const sdp01 = request('sdp01');
    assert.equal(getHeader(sdp01, 'Accept'), 'text/nobodyKnowsThis');
    assert.equal(getContentType(sdp01)?.mediaType, 'application/sdp');
    // §3.3.15: a response whose second Via is the broadcast address.
    const bcast = parseMessage(readTorture('bcast'));
    assert.ok(bcast.kind === 'response');
    assert.deepEqual(
      getVias(bcast).map((v) => v.host),
      ['192.0.2.198', '255.255.255.255'],
    );
  });
});
