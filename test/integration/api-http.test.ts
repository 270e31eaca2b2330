import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_KEY, apiFixture } from '../unit/api/api-server-fixture.js';
import { events } from '../unit/api/in-memory-store.js';

describe('REST API over a real socket', () => {
  it('401 on every documented protected operation without a key; 2xx/4xx with one; formats by content type', async () => {
    const fixture = apiFixture({
      metrics: {
        render: () => Promise.resolve('up 1\n'),
        contentType: 'text/plain; version=0.0.4; charset=utf-8',
      },
    });
    const { hub, server } = fixture;
    hub.publish(events.started('c1'));
    hub.publish(events.leg('c1'));
    hub.publish(events.final('c1', 'hello there', 250));
    hub.publish(events.ended('c1'));
    const { port } = await server.listen('127.0.0.1', 0);
    const base = `http://127.0.0.1:${port}`;
    try {
      const docResponse = await fetch(`${base}/openapi.json`);
      assert.equal(docResponse.status, 200);
      assert.equal(docResponse.headers.get('content-type'), 'application/json; charset=utf-8');
      const doc = (await docResponse.json()) as {
        paths: Record<string, Record<string, { security?: unknown[] }>>;
      };
      assert.ok(Object.keys(doc.paths).length >= 9);

      // Walk the document itself: every operation that is not declared open must refuse us.
      let checked = 0;
      for (const [template, item] of Object.entries(doc.paths)) {
        for (const [method, operation] of Object.entries(item)) {
          const url = `${base}${template.replace('{id}', 'c1')}`;
          const response = await fetch(url, { method: method.toUpperCase() });
          await response.arrayBuffer();
          if (Array.isArray(operation.security) && operation.security.length === 0) {
            assert.notEqual(response.status, 401, `${method} ${template}`);
            continue;
          }
          assert.equal(response.status, 401, `${method} ${template}`);
          assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="voxbridge"');
          checked++;
        }
      }
      assert.equal(checked, 9);

      const auth = { authorization: `Bearer ${API_KEY}` };
      const expected: [string, string][] = [
        ['json', 'application/json; charset=utf-8'],
        ['text', 'text/plain; charset=utf-8'],
        ['vtt', 'text/vtt; charset=utf-8'],
      ];
      for (const [format, contentType] of expected) {
        const response = await fetch(`${base}/v1/calls/c1/transcript?format=${format}`, { headers: auth });
        assert.equal(response.status, 200, format);
        assert.equal(response.headers.get('content-type'), contentType);
        const body = await response.text();
        assert.ok(body.includes('hello there'), format);
      }
      const metrics = await fetch(`${base}/metrics`, { headers: auth });
      assert.equal(metrics.status, 200);
      assert.equal(await metrics.text(), 'up 1\n');
      const hangup = await fetch(`${base}/v1/calls/c1/hangup`, { method: 'POST', headers: auth });
      assert.equal(hangup.status, 404);
      const deleted = await fetch(`${base}/v1/calls/c1`, { method: 'DELETE', headers: auth });
      assert.equal(deleted.status, 204);
      const gone = await fetch(`${base}/v1/calls/c1`, { headers: auth });
      assert.equal(gone.status, 404);
      assert.deepEqual(await gone.json(), { error: { code: 'not_found', message: 'no such call' } });
    } finally {
      await server.close();
    }
  });
});
