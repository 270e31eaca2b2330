// Every metric the registry exposes is documented for operators, and nothing documented is missing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { NO_GATEWAY_COUNTS, createMetrics } from '../../../src/observability/index.js';

it('docs/configuration.md lists exactly the voxbridge_ metrics the registry has', async () => {
  const docs = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
  const documented = new Set([...docs.matchAll(/^\| `(voxbridge_[a-z0-9_]+)/gm)].map((match) => match[1]));
  const metrics = createMetrics({
    defaultMetrics: false,
    gatewayCounts: () => NO_GATEWAY_COUNTS,
  });
  try {
    const registered = (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name);
    assert.deepEqual(
      [...documented].sort(),
      registered.filter((name) => name.startsWith('voxbridge_')).sort(),
    );
  } finally {
    metrics.close();
  }
});
