import type { ApiServer, ApiServerOptions } from '../../../src/api/index.js';
import { EventHub, createApiServer } from '../../../src/api/index.js';
import { InMemoryStore } from './in-memory-store.js';

export const API_KEY = 'test-key-0123456789';

export interface Fixture {
  readonly store: InMemoryStore;
  readonly hub: EventHub;
  readonly server: ApiServer;
  readonly live: Set<string>;
  ready: boolean;
  readonly hangups: string[];
  readonly auth: { authorization: string };
}

/** An API server over an in-memory store and a fake gateway. */
export function apiFixture(overrides: Partial<ApiServerOptions> = {}): Fixture {
  const store = new InMemoryStore();
  const hub = new EventHub({
    record: (event) => store.recordEvent(event),
    replay: (sinceSeq, callId, limit) => store.eventsSince(sinceSeq, callId, limit),
  });
  const live = new Set<string>();
  const hangups: string[] = [];
  const fixture = {
    store,
    hub,
    live,
    ready: true,
    hangups,
    auth: { authorization: `Bearer ${API_KEY}` },
  } as Omit<Fixture, 'server'> & { server?: ApiServer };
  const server = createApiServer({
    store,
    hub,
    apiKeys: [API_KEY, 'second-key'],
    gateway: {
      hangup: (callId) => {
        hangups.push(callId);
        return Promise.resolve(live.has(callId));
      },
      ready: () => fixture.ready,
      activeCallIds: () => [...live],
    },
    ...overrides,
  });
  fixture.server = server;
  return fixture as Fixture;
}
