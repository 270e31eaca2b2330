import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CallDetail, ListCallsResponse } from '../../../src/api/index.js';
import { EventHub, createApiServer } from '../../../src/api/index.js';
import { API_KEY, apiFixture } from './api-server-fixture.js';
import { InMemoryStore, events } from './in-memory-store.js';

const webRoot = mkdtempSync(join(tmpdir(), 'voxbridge-web-'));
writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>voxbridge</title>');
writeFileSync(join(webRoot, 'app.js'), 'console.log(1);');
after(() => rmSync(webRoot, { recursive: true, force: true }));

function seeded() {
  const fixture = apiFixture({
    webRoot,
    metrics: {
      render: () => Promise.resolve('# HELP up 1\nup 1\n'),
      contentType: 'text/plain; version=0.0.4',
    },
  });
  const { hub } = fixture;
  hub.publish(events.started('c1', 0));
  hub.publish(events.leg('c1'));
  hub.publish(events.final('c1', 'hello world', 1000));
  hub.publish(events.partial('c1', 'thank', 2000));
  hub.publish(events.final('c1', 'thank you', 2000));
  hub.publish(events.dtmf('c1', '7', 3000));
  hub.publish(events.ended('c1', 5000));
  hub.publish(events.started('c2', 10_000));
  hub.publish(events.final('c2', 'goodbye', 11_000));
  fixture.live.add('c2');
  return fixture;
}

describe('createApiServer routes', () => {
  it('refuses to start without API keys unless allowNoAuth', async () => {
    const store = new InMemoryStore();
    const hub = new EventHub({ record: (e) => store.recordEvent(e), replay: () => [] });
    const gateway = { hangup: () => Promise.resolve(false), ready: () => true, activeCallIds: () => [] };
    assert.throws(() => createApiServer({ store, hub, apiKeys: [], gateway }), /without API keys/);
    assert.throws(() => createApiServer({ store, hub, apiKeys: [''], gateway }), /without API keys/);
    const open = createApiServer({ store, hub, apiKeys: [], gateway, allowNoAuth: true });
    const response = await open.app.inject({ method: 'GET', url: '/v1/calls' });
    assert.equal(response.statusCode, 200);
    await open.close();
  });

  it('answers 401 with a Bearer challenge on every protected route without a valid key', async () => {
    const { server } = seeded();
    const routes: [string, string][] = [
      ['GET', '/v1/calls'],
      ['GET', '/v1/calls/c1'],
      ['GET', '/v1/calls/c1/transcript?format=text'],
      ['DELETE', '/v1/calls/c1'],
      ['POST', '/v1/calls/c2/hangup'],
      ['GET', '/v1/tts/cache'],
      ['DELETE', '/v1/tts/cache'],
      ['GET', '/metrics'],
      ['GET', '/v1/events'],
      ['GET', '/v1/nothing-here'],
    ];
    for (const [method, url] of routes) {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${API_KEY}` }]) {
        const response = await server.app.inject({ method: method as 'GET', url, headers });
        assert.equal(response.statusCode, 401, `${method} ${url} ${JSON.stringify(headers)}`);
        assert.match(String(response.headers['www-authenticate']), /^Bearer realm="voxbridge"/);
        assert.equal(response.json<{ error: { code: string } }>().error.code, 'unauthorized');
      }
    }
    const wrong = await server.app.inject({ url: '/v1/calls', headers: { authorization: 'Bearer wrong' } });
    assert.match(String(wrong.headers['www-authenticate']), /error="invalid_token"/);
    const viaQuery = await server.app.inject({ url: `/v1/calls?token=${API_KEY}` });
    assert.equal(viaQuery.statusCode, 401, 'REST does not take ?token= (keys in URLs end up in logs)');
    await server.close();
  });

  it('accepts any configured key, case-insensitive scheme', async () => {
    const { server } = seeded();
    for (const authorization of [`Bearer ${API_KEY}`, 'bearer second-key', `Bearer  ${API_KEY} `]) {
      const response = await server.app.inject({ url: '/v1/calls', headers: { authorization } });
      assert.equal(response.statusCode, 200, authorization);
    }
    await server.close();
  });

  it('serves health and readiness without a key; readiness is 503 while draining', async () => {
    const fixture = seeded();
    const health = await fixture.server.app.inject({ url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
    assert.deepEqual((await fixture.server.app.inject({ url: '/readyz' })).json(), { status: 'ready' });
    fixture.ready = false;
    const draining = await fixture.server.app.inject({ url: '/readyz' });
    assert.equal(draining.statusCode, 503);
    assert.deepEqual(draining.json(), { status: 'draining' });
    await fixture.server.close();
  });

  it('lists calls newest first, searches, pages and filters live calls by the gateway', async () => {
    const { server, auth, store } = seeded();
    const list = await server.app.inject({ url: '/v1/calls', headers: auth });
    const body = list.json<ListCallsResponse>();
    assert.deepEqual(
      body.calls.map((c) => [c.id, c.legs, c.endedAt === null]),
      [
        ['c2', 0, true],
        ['c1', 1, false],
      ],
    );
    assert.equal(body.next, null);
    const search = await server.app.inject({ url: '/v1/calls?q=thank', headers: auth });
    assert.deepEqual(
      search.json<ListCallsResponse>().calls.map((c) => c.id),
      ['c1'],
    );
    const page = await server.app.inject({ url: '/v1/calls?limit=1', headers: auth });
    assert.equal(page.json<ListCallsResponse>().next, 'c2');
    const nextPage = await server.app.inject({ url: '/v1/calls?limit=1&before=c2', headers: auth });
    assert.deepEqual(
      nextPage.json<ListCallsResponse>().calls.map((c) => c.id),
      ['c1'],
    );
    // A call left open in the store by a crash is not live.
    store.recordEvent(events.started('crashed'));
    const active = await server.app.inject({ url: '/v1/calls?active=true', headers: auth });
    assert.deepEqual(
      active.json<ListCallsResponse>().calls.map((c) => c.id),
      ['c2'],
    );
    await server.close();
  });

  it('rejects invalid list queries with 400 naming the field', async () => {
    const { server, auth } = seeded();
    for (const [url, field] of [
      ['/v1/calls?limit=0', 'limit'],
      ['/v1/calls?limit=abc', 'limit'],
      ['/v1/calls?limit=501', 'limit'],
      ['/v1/calls?active=yes', 'active'],
      ['/v1/calls?from=yesterday', 'from'],
      ['/v1/calls?limit=1&limit=2', 'limit'],
      ['/v1/calls?bogus=1', 'request'],
    ] as const) {
      const response = await server.app.inject({ url, headers: auth });
      assert.equal(response.statusCode, 400, url);
      const error = response.json<{ error: { code: string; message: string } }>().error;
      assert.equal(error.code, 'bad_request');
      assert.ok(error.message.startsWith(field), `${url}: ${error.message}`);
    }
    await server.close();
  });

  it('returns a call with legs, finals (no partials) and DTMF; 404 for an unknown one', async () => {
    const { server, auth } = seeded();
    const response = await server.app.inject({ url: '/v1/calls/c1', headers: auth });
    assert.equal(response.statusCode, 200);
    const call = response.json<CallDetail>();
    assert.equal(call.id, 'c1');
    assert.deepEqual(
      call.legs.map((l) => [l.id, l.role, l.codec]),
      [['c1-leg', 'caller', 'PCMU/8000']],
    );
    assert.deepEqual(
      call.transcript.map((s) => [s.seq, s.text]),
      [
        [3, 'hello world'],
        [5, 'thank you'],
      ],
    );
    assert.deepEqual(
      call.dtmf.map((d) => d.digit),
      ['7'],
    );
    const missing = await server.app.inject({ url: '/v1/calls/nope', headers: auth });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { error: { code: 'not_found', message: 'no such call' } });
    await server.close();
  });

  it('exports transcripts with the right content type per format', async () => {
    const { server, auth } = seeded();
    const json = await server.app.inject({ url: '/v1/calls/c1/transcript', headers: auth });
    assert.equal(json.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(json.json<CallDetail>().transcript.length, 2);
    const text = await server.app.inject({ url: '/v1/calls/c1/transcript?format=text', headers: auth });
    assert.equal(text.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(text.body, '[caller] hello world\n[caller] thank you\n');
    const vtt = await server.app.inject({ url: '/v1/calls/c1/transcript?format=vtt', headers: auth });
    assert.equal(vtt.headers['content-type'], 'text/vtt; charset=utf-8');
    assert.ok(vtt.body.startsWith('WEBVTT\n'));
    assert.match(vtt.body, /00:00:01\.000 --> 00:00:02\.000\n<v caller>hello world/);
    const bad = await server.app.inject({ url: '/v1/calls/c1/transcript?format=srt', headers: auth });
    assert.equal(bad.statusCode, 400);
    const missing = await server.app.inject({ url: '/v1/calls/nope/transcript?format=vtt', headers: auth });
    assert.equal(missing.statusCode, 404);
    await server.close();
  });

  it('deletes an ended call (204, then 404), refuses a live one (409)', async () => {
    const { server, auth, store } = seeded();
    const deleted = await server.app.inject({ method: 'DELETE', url: '/v1/calls/c1', headers: auth });
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.body, '');
    assert.equal(store.getCall('c1'), undefined);
    const again = await server.app.inject({ method: 'DELETE', url: '/v1/calls/c1', headers: auth });
    assert.equal(again.statusCode, 404);
    const live = await server.app.inject({ method: 'DELETE', url: '/v1/calls/c2', headers: auth });
    assert.equal(live.statusCode, 409);
    assert.equal(live.json<{ error: { code: string } }>().error.code, 'conflict');
    assert.notEqual(store.getCall('c2'), undefined);
    await server.close();
  });

  it('hangs up a live call (202) and answers 404 for one that is not live', async () => {
    const { server, auth, hangups } = seeded();
    const ok = await server.app.inject({ method: 'POST', url: '/v1/calls/c2/hangup', headers: auth });
    assert.equal(ok.statusCode, 202);
    assert.deepEqual(ok.json(), { status: 'hanging_up', callId: 'c2' });
    const ended = await server.app.inject({ method: 'POST', url: '/v1/calls/c1/hangup', headers: auth });
    assert.equal(ended.statusCode, 404);
    assert.equal(ended.json<{ error: { code: string } }>().error.code, 'not_live');
    assert.deepEqual(hangups, ['c2', 'c1']);
    await server.close();
  });

  it('TTS cache: 501 without one, stats and purge with one', async () => {
    const without = seeded();
    for (const method of ['GET', 'DELETE'] as const) {
      const response = await without.server.app.inject({
        method,
        url: '/v1/tts/cache',
        headers: without.auth,
      });
      assert.equal(response.statusCode, 501);
      assert.equal(response.json<{ error: { code: string } }>().error.code, 'not_implemented');
    }
    await without.server.close();
    let purged = 0;
    const withCache = apiFixture({
      ttsCache: {
        stats: () => ({ entries: 3, bytes: 4800, hits: 10, misses: 2 }),
        purge: () => Promise.resolve((purged = 3)),
      },
    });
    const stats = await withCache.server.app.inject({ url: '/v1/tts/cache', headers: withCache.auth });
    assert.deepEqual(stats.json(), { entries: 3, bytes: 4800, hits: 10, misses: 2 });
    const purge = await withCache.server.app.inject({
      method: 'DELETE',
      url: '/v1/tts/cache',
      headers: withCache.auth,
    });
    assert.deepEqual(purge.json(), { removed: 3 });
    assert.equal(purged, 3);
    await withCache.server.close();
  });

  it('serves metrics with a key (or without one when publicMetrics)', async () => {
    const { server, auth } = seeded();
    const metrics = await server.app.inject({ url: '/metrics', headers: auth });
    assert.equal(metrics.statusCode, 200);
    assert.equal(metrics.headers['content-type'], 'text/plain; version=0.0.4');
    assert.equal(metrics.body, '# HELP up 1\nup 1\n');
    await server.close();
    const open = apiFixture({
      publicMetrics: true,
      metrics: { render: () => Promise.resolve('up 1\n'), contentType: 'text/plain' },
    });
    assert.equal((await open.server.app.inject({ url: '/metrics' })).statusCode, 200);
    await open.server.close();
    const none = apiFixture();
    assert.equal((await none.server.app.inject({ url: '/metrics', headers: none.auth })).statusCode, 501);
    await none.server.close();
  });

  it('serves the dashboard shell without a key, and nothing outside webRoot', async () => {
    const { server } = seeded();
    const index = await server.app.inject({ url: '/' });
    assert.equal(index.statusCode, 200);
    assert.match(String(index.headers['content-type']), /^text\/html/);
    assert.equal(index.body, '<!doctype html><title>voxbridge</title>');
    const script = await server.app.inject({ url: '/app.js' });
    assert.equal(script.statusCode, 200);
    assert.match(String(script.headers['content-type']), /javascript/);
    for (const url of ['/missing.js', '/../package.json', '/%2e%2e/package.json']) {
      const response = await server.app.inject({ url });
      assert.equal(response.statusCode, 404, url);
    }
    await server.close();
  });

  it('turns a store failure into a 500 without its message', async () => {
    const { server, auth, store } = seeded();
    store.getCall = () => {
      throw new Error('SQLITE_CORRUPT: secret detail');
    };
    const response = await server.app.inject({ url: '/v1/calls/c1', headers: auth });
    assert.equal(response.statusCode, 500);
    assert.deepEqual(response.json(), { error: { code: 'internal', message: 'internal error' } });
    await server.close();
  });
});
