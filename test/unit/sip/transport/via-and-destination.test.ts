import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SipRequest, SipResponse } from '../../../../src/sip/message/index.js';
import { getHeaders, getVias, parseMessage, serializeMessage } from '../../../../src/sip/message/index.js';
import type { SipSource } from '../../../../src/sip/transport/index.js';
import { responseDestination, stampVia } from '../../../../src/sip/transport/index.js';
import { okResponse, optionsRequest } from './sip-fixtures.js';

const source: SipSource = { transport: 'udp', address: '192.0.2.7', port: 40123 };

function request(via: string): SipRequest {
  const msg = parseMessage(optionsRequest({ via }));
  assert.equal(msg.kind, 'request');
  return msg;
}

function response(via: string): SipResponse {
  const msg = parseMessage(okResponse(via));
  assert.equal(msg.kind, 'response');
  return msg;
}

describe('stampVia (RFC 3261 §18.2.1, RFC 3581 §4)', () => {
  it('leaves a Via whose sent-by is the source address alone', () => {
    const req = request('SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK1');
    assert.equal(stampVia(req, source), req);
  });

  it('adds received when the sent-by host differs', () => {
    const stamped = stampVia(request('SIP/2.0/UDP pc33.example.com:5060;branch=z9hG4bK1'), source);
    assert.equal(
      getHeaders(stamped, 'Via')[0],
      'SIP/2.0/UDP pc33.example.com:5060;branch=z9hG4bK1;received=192.0.2.7',
    );
    assert.equal(getVias(stamped)[0]?.received, '192.0.2.7');
  });

  it('fills an empty rport and adds received even when the host matches', () => {
    const stamped = stampVia(request('SIP/2.0/UDP 192.0.2.7:5060;rport;branch=z9hG4bK1'), source);
    assert.equal(
      getHeaders(stamped, 'Via')[0],
      'SIP/2.0/UDP 192.0.2.7:5060;rport=40123;branch=z9hG4bK1;received=192.0.2.7',
    );
    const top = getVias(stamped)[0];
    assert.equal(top?.rport, 40123);
    assert.equal(top?.received, '192.0.2.7');
  });

  it('leaves a filled rport as is and replaces a stale received', () => {
    const stamped = stampVia(
      request('SIP/2.0/UDP 10.0.0.1;received=10.9.9.9;rport=1111;branch=z9hG4bK1'),
      source,
    );
    assert.equal(
      getHeaders(stamped, 'Via')[0],
      'SIP/2.0/UDP 10.0.0.1;rport=1111;branch=z9hG4bK1;received=192.0.2.7',
    );
  });

  it('touches only the top Via of a list and keeps the rest byte for byte', () => {
    const stamped = stampVia(
      request(
        'SIP/2.0/UDP 10.0.0.1;rport;branch=z9hG4bK1 ,  SIP/2.0/TCP proxy.example.com;branch=z9hG4bK0;rport',
      ),
      source,
    );
    assert.equal(
      getHeaders(stamped, 'Via').join(' | '),
      'SIP/2.0/UDP 10.0.0.1;rport=40123;branch=z9hG4bK1;received=192.0.2.7 | SIP/2.0/TCP proxy.example.com;branch=z9hG4bK0;rport',
    );
    // The stamped request still parses the same way.
    assert.equal(getVias(parseMessage(serializeMessage(stamped))).length, 2);
  });

  it('compares IPv6 sent-by without brackets', () => {
    const v6: SipSource = { transport: 'udp', address: '::1', port: 5060 };
    const req = request('SIP/2.0/UDP [::1]:5060;branch=z9hG4bK1');
    assert.equal(stampVia(req, v6), req);
  });
});

describe('responseDestination (RFC 3261 §18.2.2, RFC 3581 §4)', () => {
  it('UDP: received and rport win', () => {
    assert.deepEqual(
      responseDestination(
        response('SIP/2.0/UDP 10.0.0.1:5070;rport=40123;received=192.0.2.7;branch=z9hG4bK1'),
      ),
      {
        transport: 'udp',
        address: '192.0.2.7',
        port: 40123,
      },
    );
  });

  it('UDP: received with the sent-by port, or 5060', () => {
    assert.deepEqual(
      responseDestination(response('SIP/2.0/UDP 10.0.0.1:5070;received=192.0.2.7;branch=z9hG4bK1')),
      {
        transport: 'udp',
        address: '192.0.2.7',
        port: 5070,
      },
    );
    assert.deepEqual(
      responseDestination(response('SIP/2.0/UDP 10.0.0.1;received=192.0.2.7;branch=z9hG4bK1')),
      {
        transport: 'udp',
        address: '192.0.2.7',
        port: 5060,
      },
    );
  });

  it('UDP: sent-by host and port when nothing was stamped', () => {
    assert.deepEqual(responseDestination(response('SIP/2.0/UDP pc33.example.com:5071;branch=z9hG4bK1')), {
      transport: 'udp',
      address: 'pc33.example.com',
      port: 5071,
    });
    assert.deepEqual(responseDestination(response('SIP/2.0/UDP [2001:db8::1];branch=z9hG4bK1')), {
      transport: 'udp',
      address: '2001:db8::1',
      port: 5060,
    });
  });

  it('UDP: maddr', () => {
    assert.deepEqual(
      responseDestination(response('SIP/2.0/UDP 10.0.0.1:5072;maddr=239.1.1.1;ttl=1;branch=z9hG4bK1')),
      {
        transport: 'udp',
        address: '239.1.1.1',
        port: 5072,
      },
    );
  });

  it('TCP: the request connection while open, else received at the sent-by port', () => {
    const res = response('SIP/2.0/TCP 10.0.0.1:5080;received=192.0.2.7;rport=40123;branch=z9hG4bK1');
    assert.deepEqual(responseDestination(res, { connectionId: 'tcp-1', isOpen: () => true }), {
      transport: 'tcp',
      connectionId: 'tcp-1',
    });
    assert.deepEqual(responseDestination(res, { connectionId: 'tcp-1', isOpen: () => false }), {
      transport: 'tcp',
      address: '192.0.2.7',
      port: 5080,
    });
  });

  it('any transport: an open request connection wins', () => {
    const res = response('SIP/2.0/UDP 10.0.0.1:5080;branch=z9hG4bK1');
    assert.deepEqual(responseDestination(res, { connectionId: 'tcp-9', isOpen: (id) => id === 'tcp-9' }), {
      transport: 'tcp',
      connectionId: 'tcp-9',
    });
  });
});
