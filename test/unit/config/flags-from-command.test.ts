import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Command } from 'commander';
import { flagsFromCommand, loadConfig } from '../../../src/config/index.js';

function serveLike(): Command {
  return new Command('serve')
    .exitOverride()
    .option('--config <file>')
    .option('--http-port <port>')
    .option('--sip-port <port>', 'SIP port', '5060')
    .option('--no-log-redact')
    .option('--json', 'events as JSON', false);
}

it('flagsFromCommand keeps what was typed and drops commander defaults', () => {
  const command = serveLike().parse(['--http-port', '9090', '--json'], { from: 'user' });
  assert.deepEqual(flagsFromCommand(command), { httpPort: '9090', json: true });
  const config = loadConfig({
    flags: flagsFromCommand(command),
    env: { VOXBRIDGE_SIP_PORT: '5080', VOXBRIDGE_LOG_REDACT: 'false' },
  });
  // The environment is not overridden by commander's defaults (5060, logRedact true).
  assert.equal(config.sip.port, 5080);
  assert.equal(config.log.redact, false);
  assert.equal(config.http.port, 9090);

  const negated = serveLike().parse(['--no-log-redact'], { from: 'user' });
  assert.deepEqual(flagsFromCommand(negated), { logRedact: false });
});
