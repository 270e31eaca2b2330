import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import type { LoadConfigOptions } from '../../../src/config/index.js';
import { VoxError } from '../../../src/core/index.js';

const dir = mkdtempSync(join(tmpdir(), 'voxbridge-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

/** Loads with no process environment leaking in, relative to the temp folder. */
function load(options: LoadConfigOptions = {}): ReturnType<typeof loadConfig> {
  return loadConfig({ env: {}, cwd: dir, ...options });
}

function problems(options: LoadConfigOptions): readonly string[] {
  try {
    load(options);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.ok(error instanceof VoxError);
    assert.equal(error.code, 'CONFIG_INVALID');
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives every default with nothing set, folders resolved against cwd', () => {
    const config = load();
    assert.deepEqual(config, {
      // The API listens on loopback unless the operator says otherwise (issue 9).
      http: { host: '127.0.0.1', port: 8080 },
      dataDir: join(dir, 'data'),
      sip: { host: '0.0.0.0', port: 5060, allowCidrs: ['0.0.0.0/0', '::/0'] },
      rtp: { ports: { min: 20000, max: 29999 }, latching: 'address' },
      stt: 'pocketsphinx',
      pocketsphinxFinalPass: 'utterance',
      maxCalls: 1000,
      answerDelayMs: 0,
      rtpTimeoutSec: 30,
      rtpHoldTimeoutSec: 300,
      maxAudioStreams: 4,
      maxUnackedPerSource: 32,
      siprec: { recordedFromHeaders: [], recordedToHeaders: [] },
      auth: { apiKeys: [], allowNoAuth: false, publicMetrics: false },
      retentionDays: 30,
      webhooks: [],
      log: { level: 'info', redact: true },
    });
  });

  it('reads a YAML file', () => {
    const name = file(
      'full.yaml',
      [
        'http: { host: 127.0.0.1, port: 9090 }',
        'dataDir: var/db',
        'sip:',
        '  port: 5080',
        '  allowCidrs: [10.0.0.0/8, "2001:db8::/32"]',
        'rtp: { ports: 40000-40099, mediaAddress: 192.0.2.10, latching: strict }',
        'stt: none',
        'recordDir: rec',
        'maxCalls: 5',
        'answerDelayMs: 250',
        'auth: { apiKeys: [k1, k2] }',
        'retentionDays: 7',
        'webhooks:',
        '  - url: https://crm.example/hook',
        '    secret: 0123456789abcdef',
        '    events: [transcript.final]',
        'log: { level: debug, redact: false }',
      ].join('\n'),
    );
    const config = load({ configFile: name });
    assert.deepEqual(config.http, { host: '127.0.0.1', port: 9090 });
    assert.equal(config.dataDir, join(dir, 'var/db'));
    assert.deepEqual(config.sip, {
      host: '0.0.0.0',
      port: 5080,
      allowCidrs: ['10.0.0.0/8', '2001:db8::/32'],
    });
    assert.deepEqual(config.rtp, {
      ports: { min: 40000, max: 40099 },
      mediaAddress: '192.0.2.10',
      latching: 'strict',
    });
    assert.equal(config.stt, 'none');
    assert.equal(config.recordDir, join(dir, 'rec'));
    assert.equal(config.maxCalls, 5);
    assert.equal(config.answerDelayMs, 250);
    assert.deepEqual(config.auth, { apiKeys: ['k1', 'k2'], allowNoAuth: false, publicMetrics: false });
    assert.equal(config.retentionDays, 7);
    assert.deepEqual(config.webhooks, [
      { url: 'https://crm.example/hook', secret: '0123456789abcdef', events: ['transcript.final'] },
    ]);
    assert.deepEqual(config.log, { level: 'debug', redact: false });
  });

  it('reads a JSON file, rtp.ports as an object, ignoring $schema', () => {
    const name = file(
      'c.json',
      JSON.stringify({ $schema: './config.schema.json', rtp: { ports: { min: 30000, max: 30003 } } }),
    );
    assert.deepEqual(load({ configFile: name }).rtp.ports, { min: 30000, max: 30003 });
  });

  it('takes flags over env over file over defaults, key by key', () => {
    const name = file(
      'layers.yaml',
      'http: { host: 10.0.0.1, port: 1111 }\nsip: { port: 2222 }\nmaxCalls: 3\n',
    );
    const config = load({
      configFile: name,
      env: { VOXBRIDGE_HTTP_PORT: '3333', VOXBRIDGE_SIP_PORT: '4444' },
      flags: { sipPort: 5555, json: true, config: 'ignored-because-configFile-wins.yaml' },
    });
    assert.equal(config.http.host, '10.0.0.1'); // file
    assert.equal(config.http.port, 3333); // env over file
    assert.equal(config.sip.port, 5555); // flag over env and file
    assert.equal(config.maxCalls, 3); // file over default
    assert.equal(config.retentionDays, 30); // default
  });

  it('takes the file from the config flag, else VOXBRIDGE_CONFIG', () => {
    const a = file('a.yaml', 'maxCalls: 11\n');
    const b = file('b.yaml', 'maxCalls: 22\n');
    assert.equal(load({ flags: { config: a }, env: { VOXBRIDGE_CONFIG: b } }).maxCalls, 11);
    assert.equal(load({ env: { VOXBRIDGE_CONFIG: b } }).maxCalls, 22);
  });

  it('converts environment text: numbers, booleans, comma lists, ranges, JSON webhooks', () => {
    const config = load({
      env: {
        VOXBRIDGE_HTTP_PORT: ' 8081 ',
        VOXBRIDGE_API_KEYS: 'alpha, beta,,gamma ',
        VOXBRIDGE_SIP_ALLOW_CIDRS: '127.0.0.1/32,::1',
        VOXBRIDGE_LOG_REDACT: 'no',
        VOXBRIDGE_ALLOW_NO_AUTH: 'TRUE',
        VOXBRIDGE_PUBLIC_METRICS: 'on',
        VOXBRIDGE_RTP_PORTS: '21000-21009',
        VOXBRIDGE_STT: 'sherpa',
        VOXBRIDGE_DATA_DIR: '/srv/voxbridge',
        VOXBRIDGE_WEBHOOKS: JSON.stringify([{ url: 'http://127.0.0.1:9/x', secret: 'abcdefghijklmnop' }]),
        VOXBRIDGE_RECORD_DIR: '',
      },
    });
    assert.equal(config.http.port, 8081);
    assert.deepEqual(config.auth, {
      apiKeys: ['alpha', 'beta', 'gamma'],
      allowNoAuth: true,
      publicMetrics: true,
    });
    assert.deepEqual(config.sip.allowCidrs, ['127.0.0.1/32', '::1']);
    assert.equal(config.log.redact, false);
    assert.deepEqual(config.rtp.ports, { min: 21000, max: 21009 });
    assert.equal(config.stt, 'sherpa');
    assert.equal(config.dataDir, '/srv/voxbridge');
    assert.deepEqual(config.webhooks, [{ url: 'http://127.0.0.1:9/x', secret: 'abcdefghijklmnop' }]);
    assert.equal(config.recordDir, undefined, 'an empty variable is unset');
  });

  it('accepts commander values that are already typed, and --no-log-redact', () => {
    const config = load({
      flags: {
        httpPort: 0,
        rtpPorts: { min: 20000, max: 20003 },
        logRedact: false,
        sipAllowCidrs: ['10.0.0.0/8'],
      },
    });
    assert.equal(config.http.port, 0);
    assert.deepEqual(config.rtp.ports, { min: 20000, max: 20003 });
    assert.equal(config.log.redact, false);
    assert.deepEqual(config.sip.allowCidrs, ['10.0.0.0/8']);
  });

  it('names the variable and the key', () => {
    assert.deepEqual(problems({ env: { VOXBRIDGE_HTTP_PORT: 'abc' } }), [
      'env VOXBRIDGE_HTTP_PORT (http.port): expected a port 0-65535, got "abc"',
    ]);
  });

  it('names the file and the key path with array indexes', () => {
    const name = file('cidr.yaml', 'sip:\n  allowCidrs: [10.0.0.0/8, 10.0.0.0/33]\n');
    assert.deepEqual(problems({ configFile: name }), [
      'file cidr.yaml sip.allowCidrs[1]: "10.0.0.0/33" is not a CIDR',
    ]);
  });

  it('names the flag the way it is typed', () => {
    assert.deepEqual(problems({ flags: { sipPort: '70000', maxCalls: '0' } }), [
      'flag --sip-port (sip.port): expected a port 0-65535, got 70000',
      'flag --max-calls (maxCalls): expected a whole number >= 1, got 0',
    ]);
  });

  it('lists every problem of every layer at once', () => {
    const name = file(
      'bad.yaml',
      [
        'http: { prot: 1 }',
        'rtp: { ports: 30000-20000 }',
        'stt: whisper',
        'webhooks:',
        '  - url: ftp://example/x',
        '    secret: short',
        '    events: [call.started, call.exploded]',
        '  - secret: 0123456789abcdef',
        'log: { level: loud }',
      ].join('\n'),
    );
    const found = problems({
      configFile: name,
      env: { VOXBRIDGE_LOG_REDACT: 'maybe', VOXBRIDGE_RETENTION_DAYS: '1.5' },
    });
    assert.deepEqual(found, [
      'file bad.yaml http.prot: unknown key',
      'file bad.yaml rtp.ports: expected a range within 1024-65535 of at least 4 ports, got 30000-20000',
      'file bad.yaml stt: expected one of pocketsphinx, sherpa, none, got "whisper"',
      'env VOXBRIDGE_RETENTION_DAYS (retentionDays): expected a whole number of days >= 0, got 1.5',
      'file bad.yaml webhooks[0].url: expected an absolute http:// or https:// URL',
      'file bad.yaml webhooks[0].secret: a webhook secret must be at least 16 characters',
      'file bad.yaml webhooks[0].events[1]: expected one of call.started, leg.added, transcript.partial, ' +
        'transcript.final, transcript.gap, dtmf, call.ended, got "call.exploded"',
      'file bad.yaml webhooks[1].url: expected an absolute http:// or https:// URL',
      'file bad.yaml log.level: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'env VOXBRIDGE_LOG_REDACT (log.redact): expected true or false, got "maybe"',
    ]);
  });

  it('reports a value the env replaced under the env, not the file', () => {
    const name = file('replaced.yaml', 'sip: { allowCidrs: [10.0.0.0/8, 10.0.0.0/8] }\n');
    assert.deepEqual(problems({ configFile: name, env: { VOXBRIDGE_SIP_ALLOW_CIDRS: '10.0.0.0/8,nope' } }), [
      'env VOXBRIDGE_SIP_ALLOW_CIDRS (sip.allowCidrs[1]): "nope" is not a CIDR',
    ]);
  });

  it('never echoes a secret in a problem', () => {
    const found = problems({
      env: {
        VOXBRIDGE_API_KEYS: 'good-key,has space-SECRET1',
        VOXBRIDGE_WEBHOOKS: '[{"url":"https://x.example","secret":"SECRET2',
      },
    });
    assert.deepEqual(found, [
      'env VOXBRIDGE_WEBHOOKS (webhooks): not valid JSON',
      'env VOXBRIDGE_API_KEYS (auth.apiKeys[1]): an API key must be printable ASCII without spaces or commas',
    ]);
    assert.ok(!found.join('\n').includes('SECRET'));
  });

  it('reports unreadable, unparsable and wrongly shaped files with the rest', () => {
    assert.deepEqual(problems({ configFile: 'missing.yaml', env: { VOXBRIDGE_SIP_PORT: '-1' } }), [
      'file missing.yaml: cannot be read (ENOENT)',
      'env VOXBRIDGE_SIP_PORT (sip.port): expected a port 0-65535, got -1',
    ]);
    const yaml = file('broken.yaml', 'http: [\n');
    const [yamlProblem] = problems({ configFile: yaml });
    assert.match(yamlProblem ?? '', /^file broken\.yaml: not valid YAML: /);
    const json = file('broken.json', '{"http": }');
    assert.match(problems({ configFile: json })[0] ?? '', /^file broken\.json: not valid JSON: /);
    const list = file('list.yaml', '- a\n- b\n');
    assert.deepEqual(problems({ configFile: list }), [
      'file list.yaml: expected a mapping of settings at the top',
    ]);
    const toml = file('c.toml', 'a = 1');
    assert.deepEqual(problems({ configFile: toml }), ['file c.toml: expected a .yaml, .yml or .json file']);
  });

  it('reports __proto__ in a file as an unknown key', () => {
    const name = file('proto.json', '{"__proto__": {"maxCalls": 0}, "http": {"__proto__": {"port": -1}}}');
    assert.deepEqual(problems({ configFile: name }), [
      'file proto.json http.__proto__: unknown key',
      'file proto.json __proto__: unknown key',
    ]);
  });

  it('treats an empty YAML file as no settings', () => {
    assert.equal(load({ configFile: file('empty.yml', '# nothing yet\n') }).http.port, 8080);
  });

  it('warns about unknown VOXBRIDGE_ variables and ignores others', () => {
    const warnings: string[] = [];
    load({
      env: { VOXBRIDGE_HTTP_PROT: '1', VOXBRIDGE_CONFIG: '', PATH: '/bin', VOXBRIDGE_MODELS_DIR: 'm' },
      onWarning: (message) => warnings.push(message),
    });
    assert.deepEqual(warnings, ['env VOXBRIDGE_HTTP_PROT: not a voxbridge setting (ignored)']);
  });

  it('reads the SIPREC agent patterns from env and flags, and refuses a pattern that is not a regexp', () => {
    const config = load({
      env: {
        VOXBRIDGE_SIPREC_AGENT_DOMAIN: 'agents.example.com',
        VOXBRIDGE_SIPREC_RECORDED_FROM_HEADERS: 'X-Original-From, X-Recorded-From',
      },
      flags: { siprecAgentAorPrefix: 'sip:agent-', siprecAgentPattern: '^sip:4\\d{3}@' },
    });
    assert.deepEqual(config.siprec, {
      recordedFromHeaders: ['X-Original-From', 'X-Recorded-From'],
      recordedToHeaders: [],
      agentAorPrefix: 'sip:agent-',
      agentDomain: 'agents.example.com',
      agentPattern: '^sip:4\\d{3}@',
    });
    assert.deepEqual(problems({ env: { VOXBRIDGE_SIPREC_AGENT_PATTERN: '(' } }), [
      'env VOXBRIDGE_SIPREC_AGENT_PATTERN (siprec.agentPattern): expected a JavaScript regular expression',
    ]);
  });

  it('refuses an empty allowlist, whose only effect would be refusing every call', () => {
    assert.deepEqual(problems({ flags: { sipAllowCidrs: [] } }), [
      'flag --sip-allow-cidrs (sip.allowCidrs): expected at least one CIDR (0.0.0.0/0 and ::/0 allow everyone)',
    ]);
  });

  it('resolves http.tlsCert and http.tlsKey against cwd, and wants both or neither', () => {
    const config = load({
      env: { VOXBRIDGE_HTTP_TLS_CERT: 'tls/cert.pem' },
      flags: { httpTlsKey: 'tls/key.pem' },
    });
    assert.deepEqual(config.http, {
      host: '127.0.0.1',
      port: 8080,
      tlsCert: join(dir, 'tls/cert.pem'),
      tlsKey: join(dir, 'tls/key.pem'),
    });
    assert.deepEqual(problems({ env: { VOXBRIDGE_HTTP_TLS_CERT: 'cert.pem' } }), [
      'http.tlsKey: http.tlsCert and http.tlsKey go together: set both or neither',
    ]);
  });
});
