/**
 * The dashboard's state rules, in Node (its model and stream modules touch no DOM): partials
 * replaced by finals per leg, replays and races deduplicated by seq, the live list racing its
 * listing, the event stream's resume with `sinceSeq`, and no markup built from network text.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CallDetail, CallSummary, SequencedEvent } from '../../src/api/contract/index.js';
import { CallModel } from '../../web/src/call-model.js';
import { EventStream } from '../../web/src/event-stream.js';
import type { SocketHandlers } from '../../web/src/event-stream.js';
import { LiveCalls } from '../../web/src/live-calls.js';
import { ROOT } from '../support/paths.js';

const base = { callId: 'c1', sipCallId: 's1', timestamp: '2026-01-01T00:00:00.000Z' };

function transcript(
  type: 'transcript.partial' | 'transcript.final',
  seq: number,
  legId: string,
  text: string,
  startMs: number,
): SequencedEvent {
  const role = legId === 'a' ? 'caller' : 'agent';
  return { ...base, seq, type, legId, role, text, startMs, endMs: startMs + 500 };
}

function partial(seq: number, legId: string, text: string, startMs = 0): SequencedEvent {
  return transcript('transcript.partial', seq, legId, text, startMs);
}

function final(seq: number, legId: string, text: string, startMs = 0): SequencedEvent {
  return transcript('transcript.final', seq, legId, text, startMs);
}

function texts(model: CallModel, role: string): { finals: string[]; partial: string | null } {
  const column = model.columns().find((c) => c.role === role);
  assert.ok(column, `no ${role} column`);
  return { finals: column.finals.map((f) => f.text), partial: column.partial?.text ?? null };
}

describe('CallModel', () => {
  it('shows a partial until the final of the same leg replaces it, leaving the other leg alone', () => {
    const model = new CallModel('c1');
    model.apply({ ...base, seq: 1, type: 'leg.added', legId: 'b', role: 'agent', codec: 'PCMU/8000' });
    model.apply({ ...base, seq: 2, type: 'leg.added', legId: 'a', role: 'caller', codec: 'PCMU/8000' });
    assert.deepEqual(
      model.columns().map((c) => c.role),
      ['caller', 'agent'],
    );
    model.apply(partial(3, 'a', 'for a'));
    model.apply(partial(4, 'b', 'hello'));
    model.apply(partial(5, 'a', 'for a while'));
    assert.deepEqual(texts(model, 'caller'), { finals: [], partial: 'for a while' });
    model.apply(final(6, 'a', 'for a while we heard'));
    assert.deepEqual(texts(model, 'caller'), { finals: ['for a while we heard'], partial: null });
    assert.deepEqual(texts(model, 'agent'), { finals: [], partial: 'hello' });
  });

  it('ignores a partial older than the leg’s latest final, a repeated final, and other calls', () => {
    const model = new CallModel('c1');
    model.apply(final(10, 'a', 'one', 0));
    assert.equal(model.apply(partial(9, 'a', 'on')), false);
    assert.equal(model.apply(final(10, 'a', 'one', 0)), false);
    assert.equal(model.apply({ ...final(11, 'a', 'elsewhere'), callId: 'c2' }), false);
    assert.deepEqual(texts(model, 'caller'), { finals: ['one'], partial: null });
  });

  it('starts from the stored detail, keeps finals in call time order and takes live events on top', () => {
    const detail: CallDetail = {
      id: 'c1',
      sipCallId: 's1',
      kind: 'siprec',
      startedAt: base.timestamp,
      endedAt: null,
      endReason: null,
      durationMs: null,
      legs: [
        {
          id: 'a',
          role: 'caller',
          label: '1',
          codec: 'PCMU/8000',
          participant: { aor: 'sip:1@x', name: null },
        },
        { id: 'b', role: 'agent', label: '2', codec: 'PCMU/8000', participant: null },
      ],
      transcript: [
        {
          seq: 5,
          legId: 'a',
          role: 'caller',
          text: 'second',
          startMs: 3000,
          endMs: 4000,
          confidence: null,
          timestamp: base.timestamp,
        },
        {
          seq: 3,
          legId: 'a',
          role: 'caller',
          text: 'first',
          startMs: 1000,
          endMs: 2000,
          confidence: 0.8,
          timestamp: base.timestamp,
        },
      ],
      dtmf: [
        {
          seq: 4,
          legId: 'a',
          role: 'caller',
          digit: '7',
          durationMs: 80,
          source: 'rfc4733',
          atMs: 2500,
          timestamp: base.timestamp,
        },
      ],
      metadata: null,
    };
    const model = CallModel.fromDetail(detail);
    assert.deepEqual(texts(model, 'caller').finals, ['first', 'second']);
    assert.equal(model.columns()[0]?.participant, 'sip:1@x');
    // A final that raced the detail request (already in it) is not shown twice.
    assert.equal(model.apply(final(5, 'a', 'second', 3000)), false);
    assert.equal(
      model.apply({
        ...base,
        seq: 4,
        type: 'dtmf',
        legId: 'a',
        role: 'caller',
        digit: '7',
        durationMs: 80,
        source: 'rfc4733',
        atMs: 2500,
      }),
      false,
    );
    model.apply(final(8, 'a', 'between', 2000));
    assert.deepEqual(texts(model, 'caller').finals, ['first', 'between', 'second']);
    model.apply({
      ...base,
      seq: 9,
      type: 'dtmf',
      legId: 'b',
      role: 'agent',
      digit: '#',
      durationMs: 80,
      source: 'info',
      atMs: 5000,
    });
    assert.deepEqual(
      model.dtmf.map((d) => d.digit),
      ['7', '#'],
    );
    model.apply(partial(10, 'b', 'still talking'));
    model.apply({ ...base, seq: 11, type: 'call.ended', reason: 'remote-bye', durationMs: 9000 });
    assert.deepEqual(model.ended, { reason: 'remote-bye', durationMs: 9000 });
    assert.equal(texts(model, 'agent').partial, null, 'an ended call shows no pending partial');
  });
});

describe('LiveCalls', () => {
  const summary = (id: string, startedAt: string, endedAt: string | null = null): CallSummary => ({
    id,
    sipCallId: `sip-${id}`,
    kind: 'sip',
    startedAt,
    endedAt,
    endReason: null,
    durationMs: null,
    legs: 1,
  });

  it('lists started calls newest first and drops ended ones, even when the listing arrives late', () => {
    const live = new LiveCalls();
    live.apply({
      ...base,
      seq: 1,
      type: 'call.started',
      callId: 'x',
      kind: 'sip',
      timestamp: '2026-01-01T00:00:01Z',
    });
    live.apply({ ...base, seq: 2, type: 'call.ended', callId: 'y', reason: 'remote-bye', durationMs: 1 });
    live.seed([
      summary('y', '2026-01-01T00:00:00Z'),
      summary('z', '2026-01-01T00:00:02Z'),
      summary('w', '2026-01-01T00:00:03Z', '2026-01-01T00:00:04Z'),
    ]);
    assert.deepEqual(
      live.list().map((c) => c.id),
      ['z', 'x'],
    );
    live.apply({ ...base, seq: 3, type: 'call.ended', callId: 'z', reason: 'remote-bye', durationMs: 1 });
    assert.deepEqual(
      live.list().map((c) => c.id),
      ['x'],
    );
  });

  it('counts each leg once, whether the listing or the stream told it first', () => {
    const live = new LiveCalls();
    live.seed([summary('x', '2026-01-01T00:00:00Z')]);
    const leg = { ...base, callId: 'x', type: 'leg.added', role: 'caller', codec: 'PCMU/8000' } as const;
    live.apply({ ...leg, seq: 1, legId: 'l1' });
    live.apply({ ...leg, seq: 2, legId: 'l1' });
    assert.equal(live.list()[0]?.legs, 1);
    live.apply({ ...leg, seq: 3, legId: 'l2' });
    assert.equal(live.list()[0]?.legs, 2);
  });
});

/** A socket the test drives by hand, and a scheduler whose tasks run when the test says. */
function harness() {
  const sockets: { url: string; handlers: SocketHandlers; sent: string[]; closed: boolean }[] = [];
  const tasks: { task: () => void; delayMs: number; cancelled: boolean }[] = [];
  const events: SequencedEvent[] = [];
  const stream = new EventStream({
    url: 'ws://127.0.0.1/v1/events?token=k',
    onEvent: (e) => events.push(e),
    connect: (url, handlers) => {
      const socket = { url, handlers, sent: [] as string[], closed: false };
      sockets.push(socket);
      return { send: (d) => socket.sent.push(d), close: () => void (socket.closed = true) };
    },
    schedule: (task, delayMs) => {
      const entry = { task, delayMs, cancelled: false };
      tasks.push(entry);
      return () => void (entry.cancelled = true);
    },
  });
  return { stream, sockets, tasks, events };
}

describe('EventStream', () => {
  it('subscribes fresh, then resumes with the last seq after a drop and drops what it already had', () => {
    const { stream, sockets, tasks, events } = harness();
    stream.start();
    const first = sockets[0]!;
    first.handlers.open();
    assert.deepEqual(JSON.parse(first.sent[0]!), { type: 'subscribe' });
    first.handlers.message(JSON.stringify({ type: 'subscribed', seq: 41, callId: null }));
    assert.equal(stream.lastSeq, 41);
    first.handlers.message(JSON.stringify(final(42, 'a', 'hello')));
    first.handlers.message(JSON.stringify(partial(43, 'a', 'wor')));
    first.handlers.message('not json');
    first.handlers.message(JSON.stringify({ type: 'transcript.final', seq: 'x' }));
    first.handlers.close(1006, '');
    assert.equal(tasks.length, 1);
    tasks[0]!.task();
    const second = sockets[1]!;
    second.handlers.open();
    assert.deepEqual(JSON.parse(second.sent[0]!), { type: 'subscribe', sinceSeq: 43 });
    // The subscribed message of a resume carries the server's latest seq; the replay follows it.
    second.handlers.message(JSON.stringify({ type: 'subscribed', seq: 50, callId: null }));
    second.handlers.message(JSON.stringify(final(42, 'a', 'hello')));
    second.handlers.message(JSON.stringify(final(44, 'a', 'world')));
    assert.deepEqual(
      events.map((e) => e.seq),
      [42, 43, 44],
    );
    assert.equal(stream.lastSeq, 44);
    stream.stop();
    assert.equal(second.closed, true);
  });

  it('backs off between failed attempts, resets once subscribed, and stops retrying when stopped', () => {
    const { stream, sockets, tasks } = harness();
    stream.start();
    sockets[0]!.handlers.close(1006, '');
    tasks.at(-1)!.task();
    sockets[1]!.handlers.close(1006, '');
    tasks.at(-1)!.task();
    assert.deepEqual(
      tasks.map((t) => t.delayMs),
      [500, 1000],
    );
    sockets[2]!.handlers.open();
    sockets[2]!.handlers.message(JSON.stringify({ type: 'subscribed', seq: 1, callId: null }));
    sockets[2]!.handlers.close(1013, 'slow consumer');
    assert.equal(tasks.at(-1)!.delayMs, 500);
    stream.stop();
    assert.equal(tasks.at(-1)!.cancelled, true);
    assert.equal(sockets.length, 3);
  });
});

describe('dashboard source', () => {
  it('puts network text into the page only as text, never as markup', () => {
    const dir = join(ROOT, 'web', 'src');
    const files = readdirSync(dir).filter((name) => name.endsWith('.ts'));
    assert.ok(files.length >= 5, `web/src holds ${files.join(', ')}`);
    for (const name of files) {
      const source = readFileSync(join(dir, name), 'utf8');
      assert.doesNotMatch(source, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(/, name);
    }
  });
});
