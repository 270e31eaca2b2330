import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiKeyCheck, bearerToken } from '../../../src/api/index.js';

describe('bearerToken', () => {
  it('takes the credentials of a Bearer header (RFC 6750 §2.1), any case of the scheme', () => {
    assert.equal(bearerToken('Bearer abc.DEF-123_~+/='), 'abc.DEF-123_~+/=');
    assert.equal(bearerToken('bearer k'), 'k');
    assert.equal(bearerToken('Bearer   k  '), 'k');
  });

  it('refuses other schemes, missing or spaced credentials', () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Basic abc',
      'Bearerabc',
      'Bearer a b',
      'Token k',
    ]) {
      assert.equal(bearerToken(header), undefined, String(header));
    }
  });
});

describe('ApiKeyCheck', () => {
  it('accepts each configured key and nothing else', () => {
    const check = new ApiKeyCheck(['alpha', 'beta-longer-key']);
    assert.equal(check.open, false);
    assert.equal(check.verify('alpha'), true);
    assert.equal(check.verify('beta-longer-key'), true);
    for (const wrong of [undefined, '', 'alph', 'alphaa', 'ALPHA', 'beta'])
      assert.equal(check.verify(wrong), false);
  });

  it('is open only when no non-empty key is configured', () => {
    assert.equal(new ApiKeyCheck([]).open, true);
    assert.equal(new ApiKeyCheck(['']).open, true);
    assert.equal(new ApiKeyCheck([]).verify(undefined), true);
  });
});
