import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_KEY, apiFixture } from '../unit/api/api-server-fixture.js';
import { events } from '../unit/api/in-memory-store.js';
import { WsTestClient } from '../unit/api/ws-test-client.js';

async function listening(overrides: Parameters<typeof apiFixture>[0] = {}) {
  const fixture = apiFixture(overrides);
  const { port } = await fixture.server.listen('127.0.0.1', 0);
  return { ...fixture, url: `ws://127.0.0.1:${port}/v1/events` };
}

const bigText = (n: number, size: number): string => `${n} `.padEnd(size, 'x');

/** Rejects after `ms`, so a stalled stream fails the test and the finally block closes the server. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('/v1/events over a real socket', () => {
  it('refuses the upgrade with 401 without a valid key, by header or token', async () => {
    const { server, url } = await listening();
    try {
      await assert.rejects(WsTestClient.open(url), /HTTP 401 Bearer realm="voxbridge"$/);
      await assert.rejects(WsTestClient.open(`${url}?token=wrong`), /HTTP 401 .*invalid_token/);
      await assert.rejects(WsTestClient.open(url, { authorization: 'Bearer wrong' }), /HTTP 401/);
      assert.equal(server.eventStats().clients, 0);
    } finally {
      await server.close();
    }
  });

  it('streams live events with seq to a client authenticated by ?token= or by header', async () => {
    const { server, url, hub } = await listening();
    try {
      const byToken = await WsTestClient.open(`${url}?token=${API_KEY}`);
      const byHeader = await WsTestClient.open(url, { authorization: `Bearer ${API_KEY}` });
      byToken.send({ type: 'subscribe' });
      byHeader.send({ type: 'subscribe', callId: 'c2' });
      await byToken.until((m) => m.some((x) => x.type === 'subscribed'));
      await byHeader.until((m) => m.some((x) => x.type === 'subscribed'));
      assert.deepEqual(byToken.messages[0], { type: 'subscribed', seq: 0, callId: null });
      hub.publish(events.started('c1'));
      hub.publish(events.started('c2'));
      hub.publish(events.partial('c2', 'hel'));
      hub.publish(events.final('c2', 'hello'));
      await byToken.until(() => byToken.events().length === 4);
      await byHeader.until(() => byHeader.events().length === 3);
      assert.deepEqual(
        byToken.events().map((m) => [m.seq, m.type, m.callId]),
        [
          [1, 'call.started', 'c1'],
          [2, 'call.started', 'c2'],
          [3, 'transcript.partial', 'c2'],
          [4, 'transcript.final', 'c2'],
        ],
      );
      const final = byHeader.events()[2];
      assert.equal(final?.text, 'hello');
      assert.equal(final?.legId, 'c2-leg');
      assert.equal(final?.confidence, 0.9);
      assert.equal(server.eventStats().clients, 2);
      await byToken.close();
      await byHeader.close();
    } finally {
      await server.close();
    }
  });

  it('answers bad client messages with an error message and stays open', async () => {
    const { server, url } = await listening();
    try {
      const client = await WsTestClient.open(url, { authorization: `Bearer ${API_KEY}` });
      client.socket.send('not json');
      client.send({ type: 'subscribe', sinceSeq: -1 });
      client.send({ type: 'dance' });
      client.send({ type: 'unsubscribe' });
      await client.until((m) => m.length === 4);
      assert.deepEqual(
        client.messages.map((m) => [m.type, m.code]),
        [
          ['error', 'bad_message'],
          ['error', 'bad_message'],
          ['error', 'bad_message'],
          ['unsubscribed', undefined],
        ],
      );
      await client.close();
    } finally {
      await server.close();
    }
  });

  it(
    'a real ws client resuming 1,200 finals behind (three replay pages) gets all in order, then live',
    { timeout: 60_000 },
    async () => {
      // The default replay page is 500 events: the second and third pages are only fetched when
      // ws reports the previous page written, which is the callback the old code misread.
      const { server, url, hub } = await listening();
      try {
        const published: number[] = [hub.publish(events.started('c1')).seq];
        for (let n = 0; n < 1200; n++) published.push(hub.publish(events.final('c1', `final ${n}`)).seq);
        const client = await WsTestClient.open(url, { authorization: `Bearer ${API_KEY}` });
        client.send({ type: 'subscribe', sinceSeq: 0 });
        await within(
          20_000,
          'the replay',
          client.until(() => client.events().length === published.length),
        ).catch((error: unknown) => {
          throw new Error(`${String(error)}; got ${client.events().length} of ${published.length}`);
        });
        const live = hub.publish(events.final('c1', 'live after the replay')).seq;
        await within(
          20_000,
          'the live event',
          client.until(() => client.events().length === published.length + 1),
        );
        assert.deepEqual(
          client.events().map((m) => m.seq),
          [...published, live],
        );
        assert.equal(client.events().at(-1)?.text, 'live after the replay');
        assert.equal(client.events()[1200]?.text, 'final 1199');
        await client.close();
      } finally {
        await server.close();
      }
    },
  );

  it('a client that reconnects with its last seq gets exactly the finals it missed, then live', async () => {
    const { server, url, hub } = await listening();
    try {
      const auth = { authorization: `Bearer ${API_KEY}` };
      const first = await WsTestClient.open(url, auth);
      first.send({ type: 'subscribe', callId: 'c1' });
      await first.until((m) => m.some((x) => x.type === 'subscribed'));
      hub.publish(events.started('c1'));
      hub.publish(events.final('c1', 'one'));
      await first.until(() => first.events().length === 2);
      const lastSeen = first.events().at(-1)?.seq ?? 0;
      await first.close();

      // While away: partials (never replayed), finals, a DTMF, another call's events.
      const missed: number[] = [];
      hub.publish(events.partial('c1', 'tw'));
      missed.push(hub.publish(events.final('c1', 'two')).seq);
      hub.publish(events.started('c9'));
      hub.publish(events.final('c9', 'other call'));
      hub.publish(events.partial('c1', 'thr'));
      missed.push(hub.publish(events.dtmf('c1', '4')).seq);
      missed.push(hub.publish(events.final('c1', 'three')).seq);

      const second = await WsTestClient.open(url, auth);
      second.send({ type: 'subscribe', callId: 'c1', sinceSeq: lastSeen });
      await second.until(() => second.events().length === missed.length);
      const live = hub.publish(events.final('c1', 'four')).seq;
      await second.until(() => second.events().length === missed.length + 1);
      assert.equal(second.messages[0]?.type, 'subscribed');
      assert.deepEqual(
        second.events().map((m) => m.seq),
        [...missed, live],
      );
      assert.deepEqual(
        second.events().map((m) => m.text ?? m.digit),
        ['two', '4', 'three', 'four'],
      );
      await second.close();
    } finally {
      await server.close();
    }
  });

  it('a slow consumer loses partials first, keeps every final in order, and is closed with 1013', async () => {
    const { server, url, hub } = await listening({
      eventStreamLimits: {
        softLimitBytes: 256 * 1024,
        hardLimitBytes: 2 * 1024 * 1024,
        maxBackloggedEvents: 1e6,
      },
    });
    try {
      const slow = await WsTestClient.open(url, { authorization: `Bearer ${API_KEY}` });
      slow.send({ type: 'subscribe' });
      await slow.until((m) => m.some((x) => x.type === 'subscribed'));
      slow.pause();
      const finals: number[] = [];
      const partials: number[] = [];
      let finalsBeforeFirstDrop: number | undefined;
      // Publish until the server gives up on the client; each round yields so the socket writes.
      for (let round = 0; server.eventStats().slowConsumersClosed === 0; round++) {
        assert.ok(round < 20_000, 'the server never closed the paused client');
        partials.push(hub.publish(events.partial('c1', bigText(round, 8192))).seq);
        finals.push(hub.publish(events.final('c1', bigText(round, 8192))).seq);
        if (finalsBeforeFirstDrop === undefined && server.eventStats().droppedPartials > 0) {
          finalsBeforeFirstDrop = finals.length;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      slow.resume();
      const closed = await slow.closed;
      assert.equal(closed.code, 1013);
      assert.match(closed.reason, /^slow consumer: \d+ bytes waiting to be sent$/);

      const got = slow.events();
      const gotFinals = got.filter((m) => m.type === 'transcript.final').map((m) => m.seq);
      const gotPartials = got.filter((m) => m.type === 'transcript.partial').map((m) => m.seq);
      // Every final up to the last one received arrived, in order: none was dropped.
      assert.deepEqual(gotFinals, finals.slice(0, gotFinals.length));
      assert.ok(finalsBeforeFirstDrop !== undefined);
      assert.ok(gotFinals.length > finalsBeforeFirstDrop, 'finals kept flowing after partials were dropped');
      assert.ok(
        gotPartials.length < gotFinals.length,
        `partials ${gotPartials.length} finals ${gotFinals.length}`,
      );
      // Every partial was either received or counted as dropped, except the one of the round in
      // which the server gave up if it was that partial which crossed the hard bound.
      const notReceived = partials.length - gotPartials.length;
      assert.ok([notReceived, notReceived - 1].includes(server.eventStats().droppedPartials));
      assert.deepEqual(
        got.map((m) => m.seq),
        [...got.map((m) => m.seq as number)].sort((a, b) => a - b),
      );
      assert.equal(hub.subscriberCount, 0);
    } finally {
      await server.close();
    }
  });

  it('close() says going away (1001) to connected clients', async () => {
    const { server, url } = await listening();
    const client = await WsTestClient.open(url, { authorization: `Bearer ${API_KEY}` });
    await server.close();
    const closed = await client.closed;
    assert.equal(closed.code, 1001);
    assert.equal(closed.reason, 'server shutting down');
  });
});
