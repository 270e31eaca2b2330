import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiFixture } from './api-server-fixture.js';

type Json = Record<string, unknown>;

/** Every `$ref` string anywhere in the document. */
function refs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) refs(item, found);
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refs(value, found);
    }
  }
  return found;
}

/** Fastify `/v1/calls/:id` → OpenAPI `/v1/calls/{id}`. */
const openApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('/openapi.json', () => {
  it('is served without a key and documents every route the server has, with its methods', async () => {
    const fixture = apiFixture({
      webRoot: '.',
      metrics: { render: () => Promise.resolve(''), contentType: 'text/plain' },
    });
    const routes = new Map<string, Set<string>>();
    // Routes are added when the server gets ready, so this hook sees every one of them.
    fixture.server.app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const set = routes.get(route.url) ?? new Set<string>();
      for (const method of methods) if (method !== 'HEAD') set.add(method.toLowerCase());
      routes.set(route.url, set);
    });
    const response = await fixture.server.app.inject({ url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
    const doc = JSON.parse(response.body) as Json;
    assert.equal(doc.openapi, '3.1.0');
    const paths = doc.paths as Record<string, Json>;

    // The dashboard's static files and the catch-all 404 of /v1 are not API operations.
    const undocumented = new Set(['/', '/*', '/v1/*']);
    const served = [...routes].filter(([url]) => !undocumented.has(url));
    assert.ok(served.length >= 10, `saw ${served.length} routes`);
    for (const [url, methods] of served) {
      const item = paths[openApiPath(url)];
      assert.ok(item !== undefined, `no path for ${url}`);
      for (const method of methods) assert.ok(item[method] !== undefined, `no ${method} for ${url}`);
    }
    assert.deepEqual(Object.keys(paths).sort(), served.map(([url]) => openApiPath(url)).sort());
    await fixture.server.close();
  });

  it('declares bearer security, opens only health/readiness/the document, and resolves every $ref', async () => {
    const fixture = apiFixture();
    const doc = (await fixture.server.app.inject({ url: '/openapi.json' })).json<Json>();
    const components = doc.components as { securitySchemes: Json; schemas: Record<string, Json> };
    assert.deepEqual(components.securitySchemes.bearerAuth, {
      type: 'http',
      scheme: 'bearer',
      description: 'One of the configured API keys.',
    });
    assert.deepEqual(doc.security, [{ bearerAuth: [] }]);
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const open: string[] = [];
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        assert.ok(typeof operation.operationId === 'string', `${method} ${path} operationId`);
        assert.ok(Object.keys(operation.responses as Json).length > 0, `${method} ${path} responses`);
        if (Array.isArray(operation.security) && operation.security.length === 0)
          open.push(`${method} ${path}`);
        else assert.ok('401' in (operation.responses as Json), `${method} ${path} documents 401`);
        // OpenAPI 3.1 §4.8.12.1: every templated path segment has a required path parameter.
        for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
          const parameters = (operation.parameters ?? []) as Json[];
          assert.ok(
            parameters.some((p) => p.name === name && p.in === 'path' && p.required === true),
            `${method} ${path} declares ${name}`,
          );
        }
      }
    }
    assert.deepEqual(open.sort(), ['get /healthz', 'get /openapi.json', 'get /readyz']);
    for (const ref of refs(doc)) {
      const match = /^#\/components\/schemas\/(.+)$/.exec(ref);
      assert.ok(match?.[1] !== undefined && components.schemas[match[1]] !== undefined, `dangling ${ref}`);
    }
    assert.deepEqual(Object.keys(components.schemas).sort(), [
      'ApiError',
      'CallDetail',
      'CallSummary',
      'DtmfRecord',
      'HangupResponse',
      'HealthResponse',
      'LegRecord',
      'ListCallsResponse',
      'ReadyResponse',
      'TranscriptSegment',
      'TtsCachePurgeResponse',
      'TtsCacheStats',
    ]);
    const callDetail = components.schemas.CallDetail as {
      properties: Record<string, Json>;
      required: string[];
    };
    assert.deepEqual(callDetail.properties.transcript, {
      type: 'array',
      items: { $ref: '#/components/schemas/TranscriptSegment' },
    });
    assert.ok(callDetail.required.includes('legs'));
    const list = paths['/v1/calls']?.get as { parameters: Json[] };
    assert.deepEqual(
      list.parameters.map((p) => [p.name, p.in, p.required]),
      [
        ['q', 'query', false],
        ['from', 'query', false],
        ['to', 'query', false],
        ['limit', 'query', false],
        ['before', 'query', false],
        ['active', 'query', false],
      ],
    );
    assert.deepEqual(list.parameters[3]?.schema, { type: 'integer', minimum: 1, maximum: 500 });
    await fixture.server.close();
  });

  it('marks /metrics public when publicMetrics', async () => {
    const fixture = apiFixture({ publicMetrics: true });
    const doc = (await fixture.server.app.inject({ url: '/openapi.json' })).json<{
      paths: Record<string, { get: { security?: unknown[] } }>;
    }>();
    assert.deepEqual(doc.paths['/metrics']?.get.security, []);
    await fixture.server.close();
  });
});
