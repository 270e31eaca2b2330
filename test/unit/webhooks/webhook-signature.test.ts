import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_WEBHOOK_BACKOFF,
  verifyWebhookSignature,
  webhookBackoffMs,
  webhookSignature,
} from '../../../src/webhooks/index.js';

// From `printf '%s' '1700000000.{"seq":1}' | openssl dgst -sha256 -hmac whsec_test`.
const OPENSSL_HEX = '926c3c48823e4dc937cdb0992313bcbbc472579d779ab54f0d4e09e4049838aa';
const BODY = '{"seq":1}';

describe('webhook signature', () => {
  it('is sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">, as openssl computes it', () => {
    assert.equal(webhookSignature('whsec_test', 1700000000, BODY), `sha256=${OPENSSL_HEX}`);
    assert.equal(webhookSignature('whsec_test', '1700000000', BODY), `sha256=${OPENSSL_HEX}`);
  });

  it('verifies the right signature (hex in either case) and nothing else', () => {
    const header = `sha256=${OPENSSL_HEX}`;
    assert.equal(verifyWebhookSignature('whsec_test', '1700000000', BODY, header), true);
    assert.equal(
      verifyWebhookSignature(
        'whsec_test',
        1700000000,
        BODY,
        header.toUpperCase().replace('SHA256', 'sha256'),
      ),
      true,
    );
    assert.equal(verifyWebhookSignature('whsec_other', '1700000000', BODY, header), false, 'secret');
    assert.equal(verifyWebhookSignature('whsec_test', '1700000001', BODY, header), false, 'timestamp');
    assert.equal(verifyWebhookSignature('whsec_test', '1700000000', '{"seq":2}', header), false, 'body');
    assert.equal(verifyWebhookSignature('whsec_test', '1700000000', `${BODY} `, header), false, 'body bytes');
  });

  it('is false for malformed headers without throwing', () => {
    for (const header of [
      undefined,
      null,
      '',
      OPENSSL_HEX,
      'sha1=' + OPENSSL_HEX,
      'sha256=',
      'sha256=' + OPENSSL_HEX.slice(2),
      'sha256=' + OPENSSL_HEX + '00',
      'sha256=' + 'zz' + OPENSSL_HEX.slice(2),
    ]) {
      assert.equal(verifyWebhookSignature('whsec_test', '1700000000', BODY, header), false, String(header));
    }
  });
});

describe('webhook backoff', () => {
  it('doubles from 1 s to a 5 min cap without jitter (random 0)', () => {
    const delays = Array.from({ length: 12 }, (_, i) => webhookBackoffMs(i + 1, DEFAULT_WEBHOOK_BACKOFF, 0));
    assert.deepEqual(
      delays,
      [1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000, 300000],
    );
  });

  it('jitter only shortens, by at most the jitter fraction', () => {
    assert.equal(webhookBackoffMs(3, DEFAULT_WEBHOOK_BACKOFF, 1), 3200);
    assert.equal(webhookBackoffMs(3, DEFAULT_WEBHOOK_BACKOFF, 0.5), 3600);
    assert.equal(webhookBackoffMs(20, DEFAULT_WEBHOOK_BACKOFF, 1), 240000);
    assert.equal(webhookBackoffMs(1, { initialMs: 10, maxMs: 100, jitter: 0 }, 0.7), 10);
  });
});
