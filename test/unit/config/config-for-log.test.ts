import assert from 'node:assert/strict';
import { it } from 'node:test';
import { configForLog, loadConfig } from '../../../src/config/index.js';

it('configForLog hides API keys, webhook secrets and URL credentials, keeping the rest', () => {
  const config = loadConfig({
    env: {
      VOXBRIDGE_API_KEYS: 'key-one,key-two',
      VOXBRIDGE_WEBHOOKS: JSON.stringify([
        {
          url: 'https://user:pw@crm.example/hook?token=t0k3n',
          secret: 'webhook-secret-16+',
          events: ['dtmf'],
        },
      ]),
    },
    cwd: '/srv',
  });
  const shown = configForLog(config) as typeof config;
  const text = JSON.stringify(shown);
  for (const secret of ['key-one', 'key-two', 'webhook-secret', 'pw@', 't0k3n'])
    assert.ok(!text.includes(secret), secret);
  assert.deepEqual(shown.auth.apiKeys, ['[REDACTED]', '[REDACTED]']);
  assert.deepEqual(shown.webhooks, [
    { url: 'https://crm.example/hook', secret: '[REDACTED]', events: ['dtmf'] },
  ]);
  assert.equal(shown.dataDir, '/srv/data');
  assert.deepEqual(config.auth.apiKeys, ['key-one', 'key-two'], 'the config itself is untouched');
});
