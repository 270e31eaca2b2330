// docs/configuration.md is what operators read: these tests keep it in step with the schema.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CONFIG_FILE_ENV,
  CONFIG_KEYS,
  configJsonSchema,
  flagName,
  loadConfig,
} from '../../../src/config/index.js';

const docs = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

/** Dotted paths of every leaf setting in the JSON Schema. */
function schemaLeaves(schema: Record<string, unknown>, prefix = ''): string[] {
  const properties = schema['properties'] as Record<string, Record<string, unknown>> | undefined;
  if (properties === undefined || prefix === 'webhooks') return [prefix];
  const leaves: string[] = [];
  for (const [key, child] of Object.entries(properties)) {
    if (key === '$schema') continue;
    const path = prefix === '' ? key : `${prefix}.${key}`;
    leaves.push(...(key === 'ports' ? [path] : schemaLeaves(child, path)));
  }
  return leaves;
}

describe('docs/configuration.md', () => {
  it('documents every key with its environment variable and flag', () => {
    for (const key of CONFIG_KEYS) {
      const row = docs.split('\n').find((line) => line.startsWith(`| \`${key.path}\``));
      assert.ok(row !== undefined, `no table row for ${key.path}`);
      assert.ok(row.includes(`\`${key.env}\``), `${key.path}: ${key.env} missing`);
      if (key.flag !== undefined) {
        const flag = flagName(key.flag);
        assert.ok(
          row.includes(flag) || row.includes(flag.replace('--', '--no-')),
          `${key.path}: ${flag} missing`,
        );
      }
    }
    assert.ok(docs.includes(`\`${CONFIG_FILE_ENV}\``));
  });

  it('has a table row for every setting in the schema, and the schema has every documented key', () => {
    const leaves = schemaLeaves(configJsonSchema());
    assert.deepEqual(leaves.sort(), CONFIG_KEYS.map((key) => key.path).sort());
  });

  it('shows an example file that loads', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(docs)?.[1];
    assert.ok(example !== undefined);
    const dir = mkdtempSync(join(tmpdir(), 'voxbridge-docs-'));
    try {
      writeFileSync(join(dir, 'voxbridge.yaml'), example);
      const config = loadConfig({ configFile: 'voxbridge.yaml', env: {}, cwd: dir });
      assert.deepEqual(config.rtp.ports, { min: 20000, max: 29999 });
      assert.equal(config.webhooks.length, 1);
      assert.equal(config.dataDir, '/var/lib/voxbridge');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('configJsonSchema', () => {
  it('is JSON with the defaults of the schema', () => {
    const schema = JSON.parse(JSON.stringify(configJsonSchema())) as {
      properties: Record<string, { properties?: Record<string, { default?: unknown }>; default?: unknown }>;
    };
    assert.equal(schema.properties['http']?.properties?.['port']?.default, 8080);
    assert.equal(schema.properties['rtp']?.properties?.['ports']?.default, '20000-29999');
    assert.deepEqual(schema.properties['sip']?.properties?.['allowCidrs']?.default, ['0.0.0.0/0', '::/0']);
    assert.equal(schema.properties['retentionDays']?.default, 30);
    assert.equal(schema.properties['log']?.properties?.['redact']?.default, true);
  });
});
