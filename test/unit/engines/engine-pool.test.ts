// EnginePool: supervised engine children. Backoff runs on a fake scheduler; the crash tests use
// real child processes (a small echo engine) and kill them as a native crash would.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineError } from '../../../src/engines/spi/index.js';
import type { EngineChild, EngineChildExit, EngineProcessEvent } from '../../../src/engines/worker/index.js';
import { EnginePool, spawnEngineProcess } from '../../../src/engines/worker/index.js';
import { FakeScheduler } from '../../../src/sip/transaction/testing.js';

/** An in-memory child: the test decides when it exits. */
class FakeChild implements EngineChild {
  static nextPid = 1000;
  readonly pid = FakeChild.nextPid++;
  readonly kind = 'process' as const;
  readonly sent: unknown[] = [];
  private exitListeners: ((exit: EngineChildExit) => void)[] = [];
  exited = false;

  send(message: unknown): void {
    this.sent.push(message);
  }
  onMessage(): void {}
  onExit(listener: (exit: EngineChildExit) => void): void {
    if (this.exited) listener({ exitCode: 0, signal: null });
    else this.exitListeners.push(listener);
  }
  stop(): void {
    this.die({ exitCode: 0, signal: null });
  }
  kill(): void {
    this.die({ exitCode: null, signal: 'SIGKILL' });
  }
  ref(): void {}
  unref(): void {}
  die(exit: EngineChildExit): void {
    if (this.exited) return;
    this.exited = true;
    for (const listener of this.exitListeners) listener(exit);
  }
}

interface Recorder {
  readonly failures: EngineError[];
  readonly messages: unknown[];
  onMessage(message: unknown): void;
  onFailure(error: EngineError): void;
}

function recorder(): Recorder {
  const failures: EngineError[] = [];
  const messages: unknown[] = [];
  return {
    failures,
    messages,
    onMessage: (message) => messages.push(message),
    onFailure: (error) => failures.push(error),
  };
}

function fakePool(size: number, scheduler: FakeScheduler, options: { stableAfterMs?: number } = {}) {
  const children: FakeChild[] = [];
  const events: EngineProcessEvent[] = [];
  const pool = new EnginePool({
    engine: 'fake',
    size,
    scheduler,
    spawn: () => {
      const child = new FakeChild();
      children.push(child);
      return child;
    },
    onProcessEvent: (event) => events.push(event),
    ...options,
  });
  return { pool, children, events };
}

describe('EnginePool supervision (fake children, fake scheduler)', () => {
  it('a crash fails only the streams of that child, retryable, and is reported once', async () => {
    const scheduler = new FakeScheduler();
    const { pool, children, events } = fakePool(2, scheduler);
    const a = recorder();
    const b = recorder();
    pool.open((id) => ({ type: 'open', id }), a);
    pool.open((id) => ({ type: 'open', id }), b);
    assert.equal(children.length, 2, 'two streams spread over two children');
    children[0]!.die({ exitCode: null, signal: 'SIGSEGV' });
    assert.equal(a.failures.length, 1);
    assert.equal(a.failures[0]!.code, 'ENGINE_FAILED');
    assert.equal(a.failures[0]!.retryable, true);
    assert.match(a.failures[0]!.message, /SIGSEGV/);
    assert.deepEqual(b.failures, []);
    assert.equal(pool.crashes, 1);
    const crashed = events.filter((e) => e.type === 'crashed');
    assert.deepEqual(crashed, [
      {
        type: 'crashed',
        engine: 'fake',
        pid: children[0]!.pid,
        slot: 0,
        exitCode: null,
        signal: 'SIGSEGV',
        streams: 1,
        uptimeMs: 0,
        restartInMs: 100,
      },
    ]);
    await pool.close();
  });

  it('a stream opened during the backoff waits for the new child, which gets its messages in order', async () => {
    const scheduler = new FakeScheduler();
    const { pool, children } = fakePool(1, scheduler);
    pool.open((id) => ({ type: 'open', id }), recorder());
    children[0]!.kill();
    const again = recorder();
    const stream = pool.open((id) => ({ type: 'open', id }), again);
    stream.send({ type: 'audio', n: 1 });
    assert.equal(children.length, 1, 'no child starts before the backoff');
    assert.equal(stream.pid, undefined);
    scheduler.advance(99);
    assert.equal(children.length, 1);
    scheduler.advance(1);
    assert.equal(children.length, 2, 'the slot restarts after 100 ms');
    assert.equal(stream.pid, children[1]!.pid);
    assert.deepEqual(children[1]!.sent, [
      { type: 'open', id: 2 },
      { type: 'audio', n: 1 },
    ]);
    assert.deepEqual(again.failures, []);
    await pool.close();
  });

  it('a stream closed during the backoff takes its held messages along', async () => {
    const scheduler = new FakeScheduler();
    const { pool, children } = fakePool(1, scheduler);
    pool.open((id) => ({ type: 'open', id }), recorder());
    children[0]!.kill();
    const gone = pool.open((id) => ({ type: 'open', id }), recorder());
    gone.send({ type: 'audio', id: gone.id });
    gone.close({ type: 'close', id: gone.id });
    const kept = pool.open((id) => ({ type: 'open', id }), recorder());
    scheduler.advance(100);
    assert.equal(children.length, 2);
    assert.deepEqual(children[1]!.sent, [{ type: 'open', id: kept.id }]);
    await pool.close();
  });

  it('a child that crashes at start backs off exponentially up to the cap, and a stable run resets it', async () => {
    const scheduler = new FakeScheduler();
    const { pool, children, events } = fakePool(1, scheduler, { stableAfterMs: 30_000 });
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      pool.open((id) => ({ type: 'open', id }), recorder());
      // The stream waits out the previous backoff, then its child starts and dies at once.
      scheduler.advance(delays.at(-1) ?? 0);
      children.at(-1)!.die({ exitCode: 1, signal: null });
      const crash = events.at(-1);
      assert.equal(crash?.type, 'crashed');
      if (crash?.type === 'crashed') delays.push(crash.restartInMs);
    }
    assert.deepEqual(delays, [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    assert.equal(children.length, 8, 'one start per backoff, never more');
    // After the last backoff a child runs for longer than stableAfterMs: its crash starts over.
    pool.open((id) => ({ type: 'open', id }), recorder());
    scheduler.advance(5000);
    scheduler.advance(30_000);
    children.at(-1)!.die({ exitCode: null, signal: 'SIGABRT' });
    const last = events.at(-1);
    assert.equal(last?.type === 'crashed' ? last.restartInMs : -1, 100);
    await pool.close();
  });

  it('close() stops every child, fails open streams with ENGINE_UNAVAILABLE and counts no crash', async () => {
    const scheduler = new FakeScheduler();
    const { pool, children } = fakePool(2, scheduler);
    const a = recorder();
    pool.open((id) => ({ type: 'open', id }), a);
    pool.open((id) => ({ type: 'open', id }), recorder());
    await pool.close();
    assert.ok(children.every((c) => c.exited));
    assert.equal(a.failures[0]?.code, 'ENGINE_UNAVAILABLE');
    assert.equal(pool.crashes, 0);
    assert.throws(() => pool.open(() => ({}), recorder()), { code: 'ENGINE_UNAVAILABLE' });
  });

  it('a stream that would overfill a restarting slot fails instead of queueing without bound', async () => {
    const scheduler = new FakeScheduler();
    const children: FakeChild[] = [];
    const pool = new EnginePool({
      engine: 'fake',
      size: 1,
      scheduler,
      maxPendingMessages: 3,
      spawn: () => {
        const child = new FakeChild();
        children.push(child);
        return child;
      },
    });
    pool.open(() => ({}), recorder());
    children[0]!.kill();
    const r = recorder();
    const stream = pool.open(() => ({ type: 'open' }), r);
    for (let i = 0; i < 5; i++) stream.send({ type: 'audio', i });
    assert.equal(r.failures.length, 1);
    assert.equal(r.failures[0]!.retryable, true);
    await pool.close();
  });
});

/** Starts the echo engine (test/fixtures/engine-child/echo-child.ts) in a real process. */
function echoProcess(data: object = {}): EngineChild {
  return spawnEngineProcess(
    new URL('../../fixtures/engine-child/anchor.ts', import.meta.url).href,
    'echo-child',
    data,
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the first message the recorder gets that `match` accepts. */
async function next(r: Recorder & { wait?: () => void }, match: (m: Record<string, unknown>) => boolean) {
  for (;;) {
    const found = r.messages.find((m) => match(m as Record<string, unknown>));
    if (found !== undefined) return found as Record<string, unknown>;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function failed(r: Recorder): Promise<EngineError> {
  while (r.failures.length === 0) await new Promise((resolve) => setImmediate(resolve));
  return r.failures[0]!;
}

describe('EnginePool with real child processes', () => {
  it("typed arrays cross the channel; SIGKILL fails that process's stream only, a new stream works on a new process", async () => {
    const events: EngineProcessEvent[] = [];
    const pool = new EnginePool({
      engine: 'echo',
      size: 2,
      spawn: () => echoProcess(),
      initialBackoffMs: 1,
      onProcessEvent: (event) => events.push(event),
    });
    try {
      const a = recorder();
      const b = recorder();
      const sa = pool.open((streamId) => ({ type: 'open', streamId }), a);
      const sb = pool.open((streamId) => ({ type: 'open', streamId }), b);
      const pcm = new Int16Array([1234, -5, 7]);
      sa.send({ type: 'audio', streamId: sa.id, pcm: pcm.slice().buffer });
      sb.send({ type: 'audio', streamId: sb.id, pcm: pcm.slice().buffer });
      const ackA = await next(a, (m) => m.type === 'events');
      assert.equal(ackA.acknowledgedSamples, 3);
      assert.equal(ackA.first, 1234);
      await next(b, (m) => m.type === 'events');
      const pidA = sa.pid!;
      const pidB = sb.pid!;
      assert.notEqual(pidA, pidB, 'the two streams run in two processes');
      assert.notEqual(pidA, process.pid);

      process.kill(pidA, 'SIGKILL');
      const error = await failed(a);
      assert.equal(error.code, 'ENGINE_FAILED');
      assert.equal(error.retryable, true);
      assert.match(error.message, /SIGKILL/);
      assert.equal(pool.crashes, 1);
      assert.ok(alive(pidB));
      // B's process still answers.
      sb.send({ type: 'audio', streamId: sb.id, pcm: new Int16Array([9]).buffer });
      await next(b, (m) => m.type === 'events' && m.first === 9);
      assert.deepEqual(b.failures, []);

      // The reopened stream lands on a fresh process (the crashed slot, after its backoff).
      const a2 = recorder();
      const sa2 = pool.open((streamId) => ({ type: 'open', streamId }), a2);
      sa2.send({ type: 'audio', streamId: sa2.id, pcm: new Int16Array([42]).buffer });
      const opened = await next(a2, (m) => m.type === 'opened');
      assert.notEqual(opened.pid, pidA);
      assert.notEqual(opened.pid, pidB);
      assert.equal((await next(a2, (m) => m.type === 'events')).first, 42);

      const crash = events.find((e) => e.type === 'crashed');
      assert.ok(crash?.type === 'crashed');
      assert.equal(crash.pid, pidA);
      assert.equal(crash.signal, 'SIGKILL');
      assert.equal(crash.streams, 1);
    } finally {
      await pool.close();
    }
  });

  it("an abort() in the child (SIGABRT, as malloc's heap checks do) is contained the same way", async () => {
    const pool = new EnginePool({ engine: 'echo', size: 1, spawn: () => echoProcess(), initialBackoffMs: 1 });
    try {
      const a = recorder();
      const s = pool.open((streamId) => ({ type: 'open', streamId }), a);
      await next(a, (m) => m.type === 'opened');
      s.send({ type: 'abort', streamId: s.id });
      const error = await failed(a);
      assert.match(error.message, /SIGABRT/);
      assert.equal(pool.crashes, 1);
    } finally {
      await pool.close();
    }
  });

  it('a process that exits at start fails its stream, and each restart waits for a longer backoff', async () => {
    const events: EngineProcessEvent[] = [];
    const pool = new EnginePool({
      engine: 'echo',
      size: 1,
      spawn: () => echoProcess({ crashAtStart: true }),
      initialBackoffMs: 1,
      onProcessEvent: (event) => events.push(event),
    });
    try {
      for (let i = 0; i < 3; i++) {
        const r = recorder();
        pool.open((streamId) => ({ type: 'open', streamId }), r);
        const error = await failed(r);
        assert.match(error.message, /exited with code 3/);
        assert.equal(error.retryable, true);
      }
      const crashes = events.filter((e) => e.type === 'crashed');
      assert.deepEqual(
        crashes.map((e) => (e.type === 'crashed' ? [e.exitCode, e.restartInMs] : [])),
        [
          [3, 1],
          [3, 2],
          [3, 4],
        ],
      );
      assert.equal(events.filter((e) => e.type === 'started').length, 3, 'one start per backoff');
      assert.equal(pool.crashes, 3);
    } finally {
      await pool.close();
    }
  });

  it('close() leaves no child process behind', async () => {
    const pool = new EnginePool({ engine: 'echo', size: 2, spawn: () => echoProcess() });
    const a = recorder();
    const b = recorder();
    pool.open((streamId) => ({ type: 'open', streamId }), a);
    pool.open((streamId) => ({ type: 'open', streamId }), b);
    const pids = [
      (await next(a, (m) => m.type === 'opened')).pid,
      (await next(b, (m) => m.type === 'opened')).pid,
    ];
    assert.ok(pids.every((pid) => typeof pid === 'number' && alive(pid)));
    await pool.close();
    assert.deepEqual(
      pids.filter((pid) => alive(pid as number)),
      [],
    );
    assert.equal(pool.crashes, 0);
  });
});
