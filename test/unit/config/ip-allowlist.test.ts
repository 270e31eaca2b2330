import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createIpAllowlist, parseCidr } from '../../../src/config/index.js';

describe('parseCidr', () => {
  it('parses IPv4, IPv6 and bare addresses', () => {
    assert.deepEqual(parseCidr('10.0.0.0/8'), { address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    assert.deepEqual(parseCidr('2001:db8::/32'), { address: '2001:db8::', prefix: 32, family: 'ipv6' });
    assert.deepEqual(parseCidr('192.0.2.7'), { address: '192.0.2.7', prefix: 32, family: 'ipv4' });
    assert.deepEqual(parseCidr('::1'), { address: '::1', prefix: 128, family: 'ipv6' });
    assert.deepEqual(parseCidr('0.0.0.0/0'), { address: '0.0.0.0', prefix: 0, family: 'ipv4' });
  });

  it('refuses what is not a CIDR', () => {
    for (const text of [
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/',
      '10.0.0.0/8/8',
      '10.0.0.0/+8',
      '10.0.0.0/ 8',
      '10.0.0/8',
      '256.0.0.0/8',
      'example.com/8',
      'fe80::1%eth0/64',
      '',
    ]) {
      assert.equal(parseCidr(text), undefined, text);
    }
  });
});

describe('createIpAllowlist', () => {
  it('matches IPv4 blocks, including host bits set in the network address', () => {
    const allowed = createIpAllowlist(['10.1.0.0/16', '192.0.2.5', '172.16.9.9/12']);
    assert.equal(allowed('10.1.255.255'), true);
    assert.equal(allowed('10.2.0.1'), false);
    assert.equal(allowed('192.0.2.5'), true);
    assert.equal(allowed('192.0.2.6'), false);
    assert.equal(allowed('172.31.0.1'), true);
    assert.equal(allowed('172.32.0.1'), false);
  });

  it('matches IPv6 blocks and IPv4-mapped IPv6 peers of IPv4 blocks', () => {
    const allowed = createIpAllowlist(['2001:db8::/32', '10.0.0.0/8']);
    assert.equal(allowed('2001:db8:ffff::1'), true);
    assert.equal(allowed('2001:db9::1'), false);
    assert.equal(allowed('::ffff:10.9.8.7'), true);
    assert.equal(allowed('::ffff:11.9.8.7'), false);
    assert.equal(allowed('fe80::1%eth0'), false);
  });

  it('allows everyone with the default and no one with an empty list', () => {
    const all = createIpAllowlist(['0.0.0.0/0', '::/0']);
    for (const address of ['127.0.0.1', '203.0.113.9', '::1', '2001:db8::1'])
      assert.equal(all(address), true);
    const none = createIpAllowlist([]);
    assert.equal(none('127.0.0.1'), false);
    assert.equal(none('::1'), false);
  });

  it('never allows something that is not an address', () => {
    const all = createIpAllowlist(['0.0.0.0/0', '::/0']);
    for (const address of ['', 'localhost', '1.2.3', '1.2.3.4/32', 'undefined'])
      assert.equal(all(address), false);
  });

  it('throws on a CIDR that validation would have refused', () => {
    assert.throws(() => createIpAllowlist(['10.0.0.0/33']), /"10\.0\.0\.0\/33" is not a CIDR/);
  });
});
