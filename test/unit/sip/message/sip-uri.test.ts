import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ParseError } from '../../../../src/core/index.js';
import type { SipUri } from '../../../../src/sip/message/index.js';
import { parseSipUri, parseUri, serializeUri } from '../../../../src/sip/message/index.js';

describe('SipUri', () => {
  it('parses user, password, host, port, parameters and headers', () => {
    const uri = parseSipUri(
      'sips:alice:secret@atlanta.example.com:5061;transport=tcp;lr;maddr=239.255.255.1?Subject=project%20x&Priority=urgent',
    );
    assert.deepEqual(uri, {
      scheme: 'sips',
      user: 'alice',
      password: 'secret',
      host: 'atlanta.example.com',
      port: 5061,
      params: [
        { name: 'transport', value: 'tcp' },
        { name: 'lr' },
        { name: 'maddr', value: '239.255.255.1' },
      ],
      headers: [
        { name: 'Subject', value: 'project x' },
        { name: 'Priority', value: 'urgent' },
      ],
    });
  });

  it('parses IPv4, bracketed IPv6 and tel: URIs', () => {
    assert.deepEqual(parseSipUri('sip:192.0.2.4'), {
      scheme: 'sip',
      host: '192.0.2.4',
      params: [],
      headers: [],
    });
    const v6 = parseSipUri('sip:[2001:db8::10]:5070;transport=udp');
    assert.deepEqual([v6.host, v6.port], ['[2001:db8::10]', 5070]);
    const tel = parseSipUri('tel:+1-201-555-0123;phone-context=example.com');
    assert.deepEqual(
      [tel.user, tel.host, tel.params],
      ['+1-201-555-0123', '', [{ name: 'phone-context', value: 'example.com' }]],
    );
  });

  it('keeps other schemes opaque', () => {
    assert.deepEqual(parseUri('urn:service:sos'), { scheme: 'urn', text: 'urn:service:sos' });
  });

  it('serializes canonical URIs back to the same text', () => {
    for (const text of [
      'sip:alice@atlanta.example.com',
      'sip:alice:pw@[2001:db8::1]:5060;transport=tcp;lr',
      'sips:I%20have%20spaces@example.net;name=a%3Bb?Subject=x%20y&h=%3C%3E',
      'sip:user;par=u%40example.net@example.com',
      'sip:%00@host5.example.com',
      'tel:+15551234;ext=12',
    ]) {
      assert.equal(serializeUri(parseUri(text)), text);
    }
  });

  it('refuses malformed URIs with ParseError', () => {
    for (const text of [
      'sip:',
      'sip:@host',
      'sip:host:99999',
      'sip:[::1',
      'sip:a b@host',
      'sip:host;=x',
      'sip:host?noequals',
      'sip:%zz@host',
      '<sip:host>',
      'nocolon',
    ]) {
      assert.throws(() => parseUri(text), ParseError, text);
    }
  });

  it('round-trips generated URIs through serializeUri and parseSipUri', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
    const param = fc
      .record({
        name,
        value: fc.option(
          text.filter((s) => s.length > 0),
          { nil: undefined },
        ),
      })
      .map((p) => (p.value === undefined ? { name: p.name } : { name: p.name, value: p.value }));
    const uri = fc
      .record({
        scheme: fc.constantFrom('sip' as const, 'sips' as const),
        user: fc.option(
          text.filter((s) => s.length > 0),
          { nil: undefined },
        ),
        password: fc.option(text, { nil: undefined }),
        host: fc.oneof(
          fc.domain(),
          fc.ipV4(),
          fc.ipV6().map((a) => `[${a}]`),
        ),
        port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
        params: fc.array(param, { maxLength: 3 }),
        headers: fc.array(
          fc.record({ name, value: text }).map((h) => ({ name: h.name, value: h.value })),
          { maxLength: 2 },
        ),
      })
      .map((u): SipUri => {
        const out: SipUri = { scheme: u.scheme, host: u.host, params: u.params, headers: u.headers };
        return {
          ...out,
          ...(u.user !== undefined && { user: u.user }),
          ...(u.user !== undefined && u.password !== undefined && { password: u.password }),
          ...(u.port !== undefined && { port: u.port }),
        };
      });
    fc.assert(
      fc.property(uri, (u) => {
        assert.deepEqual(parseSipUri(serializeUri(u)), u);
      }),
    );
  });
});
