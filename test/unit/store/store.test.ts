import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { CallEvent, SequencedEvent } from '../../../src/api/contract/index.js';
import { InvalidArgumentError } from '../../../src/core/index.js';
import { Store } from '../../../src/store/index.js';
import { CallScript, StoreFixture, T0, iso } from './support.js';

const DAY_MS = 86_400_000;

function recordAll(store: Store, events: readonly CallEvent[]): SequencedEvent[] {
  return events.map((e) => store.recordEvent(e));
}

/** A two-leg SIPREC call with finals on both legs, a partial and a digit, ended after 10 s. */
function siprecCall(store: Store, id = 'call-a', startMs = T0): SequencedEvent[] {
  const c = new CallScript(id, startMs);
  return recordAll(store, [
    c.started('siprec'),
    c.leg('leg-1', 'caller', { aor: 'sip:+15551234@carrier.example', name: 'Alice Caller' }, '1'),
    c.leg('leg-2', 'agent', { aor: 'sip:agent7@cc.example', name: 'Bob Agent' }, '2'),
    c.partial('leg-1', 'i want', 1000, 1800),
    c.final('leg-1', 'caller', 'I want a refund', 1250, 3100),
    c.final('leg-2', 'agent', 'Sure, let me check', 2000, 4000),
    c.dtmf('leg-1', '5', 5000),
    c.final('leg-1', 'caller', 'Thanks', 6000, 6500),
    c.ended(10_000),
  ]);
}

describe('Store', () => {
  let fx: StoreFixture;
  beforeEach(() => {
    fx = new StoreFixture();
  });
  afterEach(() => fx.cleanup());

  describe('open', () => {
    it('creates <dataDir>/voxbridge.db in WAL mode at the current schema version', () => {
      const store = fx.open();
      assert.equal(store.path, join(fx.dataDir, 'voxbridge.db'));
      store.close();
      assert.ok(existsSync(store.path));
      const db = new Database(store.path, { readonly: true });
      try {
        assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
        assert.equal(db.pragma('user_version', { simple: true }), 1);
      } finally {
        db.close();
      }
    });

    it('reopens an existing database without migrating it again, keeping its data', () => {
      siprecCall(fx.open());
      const again = fx.open();
      assert.equal(again.getCall('call-a')?.transcript.length, 3);
    });

    it('keeps the folder 0700 and the database, WAL and SHM 0600 under a permissive umask', () => {
      // A umask of 0 would give 0755/0644 (or wider) to anything created with default modes.
      const previous = process.umask(0o000);
      try {
        const dataDir = join(fx.dataDir, 'private');
        const store = Store.open({ dataDir, clock: fx.clock });
        siprecCall(store);
        const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);
        assert.equal(mode(dataDir), '700');
        for (const file of ['voxbridge.db', 'voxbridge.db-wal', 'voxbridge.db-shm']) {
          assert.ok(existsSync(join(dataDir, file)), `${file} exists while the store is open`);
          assert.equal(mode(join(dataDir, file)), '600', file);
        }
        store.close();
      } finally {
        process.umask(previous);
      }
    });

    it('tightens a data folder and database files an older version left readable by others', () => {
      const dataDir = join(fx.dataDir, 'old');
      mkdirSync(dataDir, { mode: 0o755 });
      chmodSync(dataDir, 0o755);
      const old = Store.open({ dataDir, clock: fx.clock });
      old.close();
      chmodSync(join(dataDir, 'voxbridge.db'), 0o644);
      writeFileSync(join(dataDir, 'voxbridge.db-wal'), '', { mode: 0o644 });
      chmodSync(join(dataDir, 'voxbridge.db-wal'), 0o644);
      const store = Store.open({ dataDir, clock: fx.clock });
      store.close();
      assert.equal(statSync(dataDir).mode & 0o777, 0o700);
      assert.equal(statSync(join(dataDir, 'voxbridge.db')).mode & 0o777, 0o600);
    });

    it('creates a missing data directory', () => {
      const nested = join(fx.dataDir, 'a', 'b');
      const store = Store.open({ dataDir: nested, clock: fx.clock });
      store.close();
      assert.ok(existsSync(join(nested, 'voxbridge.db')));
    });
  });

  describe('recordEvent and sequence numbers', () => {
    it('gives every event, partials included, the next number and returns the event with it', () => {
      const store = fx.open();
      const events = siprecCall(store);
      assert.deepEqual(
        events.map((e) => e.seq),
        [1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
      const partial = events[3];
      assert.equal(partial?.type, 'transcript.partial');
      assert.equal(partial.type === 'transcript.partial' ? partial.text : '', 'i want');
    });

    it('persists everything but partials: eventsSince has a gap where the partial was', () => {
      const store = fx.open();
      siprecCall(store);
      const replay = store.eventsSince(0);
      assert.deepEqual(
        replay.map((e) => [e.seq, e.type]),
        [
          [1, 'call.started'],
          [2, 'leg.added'],
          [3, 'leg.added'],
          [5, 'transcript.final'],
          [6, 'transcript.final'],
          [7, 'dtmf'],
          [8, 'transcript.final'],
          [9, 'call.ended'],
        ],
      );
      const final = replay[3];
      assert.deepEqual(final, {
        type: 'transcript.final',
        callId: 'call-a',
        sipCallId: 'call-a@pbx.example',
        legId: 'leg-1',
        role: 'caller',
        text: 'I want a refund',
        startMs: 1250,
        endMs: 3100,
        confidence: 0.9,
        timestamp: iso(T0 + 3100),
        seq: 5,
      });
    });

    it('continues strictly above every number handed out before a restart, partials included', () => {
      const first = fx.open();
      const c = new CallScript('call-p');
      first.recordEvent(c.started());
      const lastPartial = first.recordEvent(c.partial('leg-1', 'hello', 0, 500));
      first.close();
      const second = fx.open();
      const next = second.recordEvent(c.final('leg-1', 'caller', 'hello there', 0, 900));
      assert.ok(next.seq > lastPartial.seq, `${next.seq} > ${lastPartial.seq}`);
      second.close();
      const third = fx.open();
      assert.ok(third.recordEvent(c.ended(1000)).seq > next.seq);
      assert.deepEqual(
        third.eventsSince(0).map((e) => e.type),
        ['call.started', 'transcript.final', 'call.ended'],
      );
    });

    it('records the call summary: kind, start, end, reason, duration, legs, SIPREC from/to', () => {
      const store = fx.open();
      siprecCall(store);
      const { calls } = store.listCalls({});
      assert.deepEqual(calls, [
        {
          id: 'call-a',
          sipCallId: 'call-a@pbx.example',
          kind: 'siprec',
          startedAt: iso(T0),
          endedAt: iso(T0 + 10_000),
          endReason: 'bye',
          durationMs: 10_000,
          legs: 2,
          from: 'sip:+15551234@carrier.example',
          to: 'sip:agent7@cc.example',
        },
      ]);
    });

    it('gives an event of a call it has not seen started a call to belong to', () => {
      const store = fx.open();
      const c = new CallScript('orphan');
      store.recordEvent(c.leg('leg-1', 'caller'));
      store.recordEvent(c.final('leg-1', 'caller', 'hello', 0, 500));
      const call = store.getCall('orphan');
      assert.equal(call?.sipCallId, 'orphan@pbx.example');
      assert.equal(call.startedAt, iso(T0));
      assert.equal(call.transcript[0]?.text, 'hello');
      store.recordEvent(new CallScript('orphan', T0 - 5000).started('siprec'));
      assert.equal(store.getCall('orphan')?.startedAt, iso(T0 - 5000));
      assert.equal(store.getCall('orphan')?.kind, 'siprec');
    });
  });

  describe('getCall', () => {
    it('returns legs in order with participants, finals by start time, DTMF, and metadata', () => {
      const store = fx.open();
      siprecCall(store);
      const call = store.getCall('call-a');
      assert.ok(call !== undefined);
      assert.deepEqual(call.legs, [
        {
          id: 'leg-1',
          role: 'caller',
          label: '1',
          codec: 'PCMU/8000',
          participant: { aor: 'sip:+15551234@carrier.example', name: 'Alice Caller' },
        },
        {
          id: 'leg-2',
          role: 'agent',
          label: '2',
          codec: 'PCMU/8000',
          participant: { aor: 'sip:agent7@cc.example', name: 'Bob Agent' },
        },
      ]);
      assert.deepEqual(
        call.transcript.map((s) => [s.seq, s.legId, s.role, s.text, s.startMs, s.endMs, s.confidence]),
        [
          [5, 'leg-1', 'caller', 'I want a refund', 1250, 3100, 0.9],
          [6, 'leg-2', 'agent', 'Sure, let me check', 2000, 4000, 0.9],
          [8, 'leg-1', 'caller', 'Thanks', 6000, 6500, 0.9],
        ],
      );
      assert.deepEqual(call.dtmf, [
        {
          seq: 7,
          legId: 'leg-1',
          role: 'caller',
          digit: '5',
          durationMs: 120,
          source: 'rfc4733',
          atMs: 5000,
          timestamp: iso(T0 + 5000),
        },
      ]);
      assert.equal(call.metadata, null);
      assert.equal(store.setCallMetadata('call-a', { tenant: 'acme', tags: ['vip'] }), true);
      assert.deepEqual(store.getCall('call-a')?.metadata, { tenant: 'acme', tags: ['vip'] });
      assert.equal(store.setCallMetadata('nope', {}), false);
    });

    it('keeps a leg without participant as participant null, and a leg re-added updated in place', () => {
      const store = fx.open();
      const c = new CallScript('call-b');
      recordAll(store, [c.started(), c.leg('leg-1', 'unknown'), c.leg('leg-2', 'unknown')]);
      store.recordEvent(c.leg('leg-1', 'caller', { aor: null, name: 'Carol' }));
      const legs = store.getCall('call-b')?.legs;
      assert.deepEqual(
        legs?.map((l) => [l.id, l.role, l.participant]),
        [
          ['leg-1', 'caller', { aor: null, name: 'Carol' }],
          ['leg-2', 'unknown', null],
        ],
      );
      assert.equal(store.listCalls({}).calls[0]?.from, null, 'no AoR, no from');
    });

    it('is undefined for an unknown call', () => {
      assert.equal(fx.open().getCall('nope'), undefined);
    });
  });

  describe('listCalls', () => {
    /** Calls c0..c(n-1), one minute apart, c(n-1) newest; ended except the newest. */
    function manyCalls(store: Store, n: number): void {
      for (let i = 0; i < n; i++) {
        const c = new CallScript(`c${i}`, T0 + i * 60_000);
        store.recordEvent(c.started());
        if (i < n - 1) store.recordEvent(c.ended(1000));
      }
    }

    it('pages newest first by cursor until next is null', () => {
      const store = fx.open();
      manyCalls(store, 7);
      const seen: string[] = [];
      let before: string | undefined;
      for (let page = 0; page < 10; page++) {
        const result = store.listCalls({ limit: 3, ...(before === undefined ? {} : { before }) });
        seen.push(...result.calls.map((c) => c.id));
        if (result.next === null) break;
        before = result.next;
      }
      assert.deepEqual(seen, ['c6', 'c5', 'c4', 'c3', 'c2', 'c1', 'c0']);
    });

    it('pages through calls that started at the same instant by id, none lost or repeated', () => {
      const store = fx.open();
      for (const id of ['b', 'd', 'a', 'c', 'e']) store.recordEvent(new CallScript(id, T0).started());
      const first = store.listCalls({ limit: 2 });
      assert.deepEqual(
        first.calls.map((c) => c.id),
        ['e', 'd'],
      );
      assert.ok(first.next !== null);
      const second = store.listCalls({ limit: 2, before: first.next });
      assert.deepEqual(
        second.calls.map((c) => c.id),
        ['c', 'b'],
      );
      const third = store.listCalls({ limit: 2, before: second.next ?? '' });
      assert.deepEqual(
        third.calls.map((c) => c.id),
        ['a'],
      );
      assert.equal(third.next, null);
    });

    it('says next is null when the last page is exactly full', () => {
      const store = fx.open();
      manyCalls(store, 3);
      assert.equal(store.listCalls({ limit: 3 }).next, null);
    });

    it('filters by start time (from inclusive, to exclusive) and by active', () => {
      const store = fx.open();
      manyCalls(store, 5);
      const ids = (q: Parameters<Store['listCalls']>[0]): string[] =>
        store.listCalls(q).calls.map((c) => c.id);
      assert.deepEqual(ids({ from: iso(T0 + 60_000), to: iso(T0 + 180_000) }), ['c2', 'c1']);
      assert.deepEqual(ids({ active: true }), ['c4']);
      assert.deepEqual(ids({ active: false }), ['c3', 'c2', 'c1', 'c0']);
    });

    it('finds calls by transcript words (prefix, any case, accents folded)', () => {
      const store = fx.open();
      siprecCall(store, 'call-a', T0);
      const c = new CallScript('call-b', T0 + 1000);
      recordAll(store, [c.started(), c.final('leg-1', 'caller', 'Où est le café?', 0, 900)]);
      const ids = (text: string): string[] => store.listCalls({ text }).calls.map((x) => x.id);
      assert.deepEqual(ids('refund'), ['call-a']);
      assert.deepEqual(ids('REFUN'), ['call-a'], 'prefix and case');
      assert.deepEqual(ids('want refund'), ['call-a'], 'all words, not as a phrase');
      assert.deepEqual(ids('cafe'), ['call-b'], 'diacritics folded');
      assert.deepEqual(ids('refund café'), [], 'every word must match within one segment');
      assert.deepEqual(ids('"want"* (refund^'), ['call-a'], 'FTS syntax in input is just words');
      assert.deepEqual(ids('i want'), ['call-a'], 'partials are not searchable but the final is');
      assert.deepEqual(ids('zebra'), []);
    });

    it('finds calls by participant AoR or name, SIP Call-ID substring, and call id', () => {
      const store = fx.open();
      siprecCall(store, 'call-a');
      store.recordEvent(new CallScript('call-b', T0 + 1000, 'xyz-100%@host').started());
      const ids = (text: string): string[] => store.listCalls({ text }).calls.map((x) => x.id);
      assert.deepEqual(ids('+1555123'), ['call-a']);
      assert.deepEqual(ids('bob ag'), ['call-a']);
      assert.deepEqual(ids('agent7@cc'), ['call-a']);
      assert.deepEqual(ids('xyz-100'), ['call-b']);
      assert.deepEqual(ids('100%'), ['call-b'], 'a literal percent sign');
      assert.deepEqual(ids('%'), ['call-b'], 'LIKE wildcards are escaped');
      assert.deepEqual(ids('_'), [], 'an underscore matches only an underscore');
      assert.deepEqual(ids('call-b'), ['call-b']);
      assert.deepEqual(ids('   '), ['call-b', 'call-a'], 'blank text does not filter');
    });

    it('combines search with paging', () => {
      const store = fx.open();
      for (let i = 0; i < 5; i++) {
        const c = new CallScript(`r${i}`, T0 + i * 1000);
        recordAll(store, [
          c.started(),
          c.final('leg-1', 'caller', i % 2 === 0 ? 'refund please' : 'hello', 0, 1),
        ]);
      }
      const first = store.listCalls({ text: 'refund', limit: 2 });
      assert.deepEqual(
        first.calls.map((c) => c.id),
        ['r4', 'r2'],
      );
      const second = store.listCalls({ text: 'refund', limit: 2, before: first.next ?? '' });
      assert.deepEqual(
        second.calls.map((c) => c.id),
        ['r0'],
      );
      assert.equal(second.next, null);
    });

    it('rejects a bad limit, cursor or time bound with InvalidArgumentError', () => {
      const store = fx.open();
      assert.throws(() => store.listCalls({ limit: 0 }), InvalidArgumentError);
      assert.throws(() => store.listCalls({ limit: 501 }), InvalidArgumentError);
      assert.throws(() => store.listCalls({ limit: 2.5 }), InvalidArgumentError);
      assert.throws(() => store.listCalls({ before: 'not-a-cursor' }), InvalidArgumentError);
      assert.throws(
        () => store.listCalls({ before: Buffer.from('{"a":1}').toString('base64url') }),
        InvalidArgumentError,
      );
      assert.throws(() => store.listCalls({ from: 'yesterday' }), /from is not an ISO 8601 time/);
    });
  });

  describe('deleteCall', () => {
    it('removes the call, its legs, transcript, DTMF, events, search entries and outbox rows', () => {
      const store = fx.open();
      const events = siprecCall(store, 'call-a');
      siprecCall(store, 'call-b', T0 + 1000);
      const final = events[4];
      assert.ok(final !== undefined);
      store.enqueueWebhook('http://127.0.0.1:1/hook', final);
      assert.equal(store.deleteCall('call-a'), true);
      assert.equal(store.getCall('call-a'), undefined);
      assert.deepEqual(
        store.listCalls({ text: 'refund' }).calls.map((c) => c.id),
        ['call-b'],
      );
      assert.deepEqual(store.eventsSince(0, 'call-a'), []);
      assert.equal(store.eventsSince(0).length, 8, 'only call-b');
      assert.deepEqual(store.webhookDeliveries('call-a'), []);
      assert.deepEqual(store.dueWebhooks(Number.MAX_SAFE_INTEGER, 10), []);
      store.close();
      const db = new Database(store.path, { readonly: true });
      try {
        for (const table of ['legs', 'segments', 'dtmf', 'events', 'webhook_outbox']) {
          const row = db.prepare(`SELECT count(*) AS n FROM ${table} WHERE call_id = 'call-a'`).get() as {
            n: number;
          };
          assert.equal(row.n, 0, table);
        }
        const fts = db
          .prepare("SELECT count(*) AS n FROM segments_fts WHERE segments_fts MATCH 'refund'")
          .get() as {
          n: number;
        };
        assert.equal(fts.n, 1, 'the FTS index forgot the deleted call');
        assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
      } finally {
        db.close();
      }
    });

    it('is false for a call it does not have', () => {
      const store = fx.open();
      assert.equal(store.deleteCall('nope'), false);
      siprecCall(store);
      assert.equal(store.deleteCall('call-a'), true);
      assert.equal(store.deleteCall('call-a'), false);
    });
  });

  describe('eventsSince', () => {
    it('returns events after a seq, ascending, optionally for one call, at most limit', () => {
      const store = fx.open();
      const a = new CallScript('a');
      const b = new CallScript('b');
      recordAll(store, [
        a.started(),
        b.started(),
        a.final('l', 'caller', 'one', 0, 1),
        b.ended(5),
        a.ended(9),
      ]);
      assert.deepEqual(
        store.eventsSince(2).map((e) => e.seq),
        [3, 4, 5],
      );
      assert.deepEqual(
        store.eventsSince(0, 'a').map((e) => [e.seq, e.type]),
        [
          [1, 'call.started'],
          [3, 'transcript.final'],
          [5, 'call.ended'],
        ],
      );
      assert.deepEqual(
        store.eventsSince(0, undefined, 2).map((e) => e.seq),
        [1, 2],
      );
      assert.deepEqual(store.eventsSince(5), []);
    });
  });

  describe('purgeOlderThan', () => {
    it('removes calls that started more than N days ago (by the clock) and returns how many', () => {
      const store = fx.open();
      for (let i = 0; i < 4; i++) siprecCall(store, `old${i}`, T0 - (40 + i) * DAY_MS);
      siprecCall(store, 'recent', T0 - 29 * DAY_MS);
      siprecCall(store, 'now', T0);
      assert.equal(store.purgeOlderThan(30), 4);
      assert.deepEqual(
        store.listCalls({}).calls.map((c) => c.id),
        ['now', 'recent'],
      );
      assert.deepEqual(store.listCalls({ text: 'refund' }).calls.length, 2);
      assert.equal(store.purgeOlderThan(30), 0);
      fx.clock.setNowMs(2 * DAY_MS);
      assert.equal(store.purgeOlderThan(30), 1, 'recent is now 31 days old');
      assert.equal(store.purgeOlderThan(0), 1);
      assert.deepEqual(store.listCalls({}).calls, []);
    });

    it('rejects negative or non-finite days', () => {
      const store = fx.open();
      assert.throws(() => store.purgeOlderThan(-1), InvalidArgumentError);
      assert.throws(() => store.purgeOlderThan(Number.NaN), InvalidArgumentError);
    });
  });

  describe('exportTranscript', () => {
    it('json is the CallDetail', () => {
      const store = fx.open();
      siprecCall(store);
      assert.deepEqual(JSON.parse(store.exportTranscript('call-a', 'json') ?? ''), store.getCall('call-a'));
    });

    it('text is one line per final by start time across legs', () => {
      const store = fx.open();
      siprecCall(store);
      assert.equal(
        store.exportTranscript('call-a', 'text'),
        '[00:01.250] caller: I want a refund\n[00:02.000] agent: Sure, let me check\n[00:06.000] caller: Thanks\n',
      );
    });

    it('vtt is valid WebVTT with voice spans', () => {
      const store = fx.open();
      siprecCall(store);
      assert.equal(
        store.exportTranscript('call-a', 'vtt'),
        [
          'WEBVTT',
          '',
          '5',
          '00:00:01.250 --> 00:00:03.100',
          '<v caller>I want a refund</v>',
          '',
          '6',
          '00:00:02.000 --> 00:00:04.000',
          '<v agent>Sure, let me check</v>',
          '',
          '8',
          '00:00:06.000 --> 00:00:06.500',
          '<v caller>Thanks</v>',
          '',
        ].join('\n'),
      );
    });

    it('is undefined for an unknown call', () => {
      const store = fx.open();
      assert.equal(store.exportTranscript('nope', 'vtt'), undefined);
    });
  });

  describe('endInterruptedCalls', () => {
    it('ends calls left open by a dead process with a recorded call.ended at their last event', () => {
      const first = fx.open();
      const c = new CallScript('open-call');
      recordAll(first, [c.started(), c.leg('leg-1', 'caller'), c.final('leg-1', 'caller', 'hi', 100, 2500)]);
      siprecCall(first, 'ended-call');
      first.close();
      const second = fx.open();
      const ended = second.endInterruptedCalls('restart');
      assert.equal(ended.length, 1);
      assert.equal(ended[0]?.type, 'call.ended');
      assert.equal(ended[0]?.callId, 'open-call');
      const summary = second.listCalls({ text: 'open-call' }).calls[0];
      assert.equal(summary?.endReason, 'restart');
      assert.equal(summary.durationMs, 2500, 'up to the last event it recorded');
      assert.equal(second.eventsSince(0, 'open-call').at(-1)?.type, 'call.ended');
      assert.deepEqual(second.endInterruptedCalls(), []);
    });
  });
});
