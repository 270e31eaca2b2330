import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TypedEmitter } from '../../../src/core/index.js';
import type { MediaTickable } from '../../../src/session/index.js';
import { MediaTicker } from '../../../src/session/index.js';
import { TestClock } from './session-rig.js';

class Recorder implements MediaTickable {
  readonly due: number[] = [];
  constructor(public ptimeMs: number) {}
  onTick(dueMs: number): void {
    this.due.push(dueMs);
  }
}

describe('MediaTicker', () => {
  it('gives each leg one period per ptime at exact due times, catching up after a late tick', () => {
    const clock = new TestClock();
    clock.now = 1000;
    const ticker = new MediaTicker({ clock, manual: true });
    const a = new Recorder(20);
    const b = new Recorder(30);
    ticker.add(a);
    ticker.add(b);
    // Timer ticks that come late and irregularly, as they do under load.
    for (const at of [1021, 1043, 1119, 1120, 1187]) {
      clock.now = at;
      ticker.tick();
    }
    assert.deepEqual(a.due, [1000, 1020, 1040, 1060, 1080, 1100, 1120, 1140, 1160, 1180]);
    assert.deepEqual(b.due, [1000, 1030, 1060, 1090, 1120, 1150, 1180]);
    assert.equal(ticker.skippedPeriods, 0);
  });

  it('reads the ptime on every period, so a codec change applies from the next period', () => {
    const clock = new TestClock();
    const ticker = new MediaTicker({ clock, manual: true });
    const leg = new Recorder(20);
    ticker.add(leg);
    clock.now = 40;
    ticker.tick();
    leg.ptimeMs = 30;
    clock.now = 130;
    ticker.tick();
    // The period due at 60 was already scheduled with 20 ms; from there on, 30 ms apart.
    assert.deepEqual(leg.due, [0, 20, 40, 60, 90, 120]);
  });

  it('skips ahead instead of replaying more than maxCatchUpPeriods after a long stall', () => {
    const clock = new TestClock();
    const ticker = new MediaTicker({ clock, manual: true, maxCatchUpPeriods: 5 });
    const leg = new Recorder(20);
    ticker.add(leg);
    clock.now = 1000;
    ticker.tick();
    assert.deepEqual(leg.due, [0, 20, 40, 60, 80]);
    assert.equal(ticker.skippedPeriods, 46);
    clock.now = 1020;
    ticker.tick();
    assert.deepEqual(leg.due.slice(5), [1020]);
  });

  it('isolates a leg that throws and tolerates legs removed during a tick', () => {
    const clock = new TestClock();
    const ticker = new MediaTicker({ clock, manual: true });
    const good = new Recorder(20);
    const bad: MediaTickable = {
      ptimeMs: 20,
      onTick: () => {
        throw new Error('bug');
      },
    };
    const leaver: MediaTickable = { ptimeMs: 20, onTick: () => ticker.remove(leaver) };
    ticker.add(bad);
    ticker.add(leaver);
    ticker.add(good);
    clock.now = 40;
    ticker.tick();
    assert.equal(ticker.tickErrors, 3);
    assert.deepEqual(good.due, [0, 20, 40]);
    assert.equal(ticker.legCount, 2);
  });

  it('runs one unref-ed interval only while it has legs', () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const ticker = new MediaTicker();
    const a = new Recorder(20);
    const b = new Recorder(20);
    assert.equal(ticker.running, false);
    ticker.add(a);
    ticker.add(b);
    ticker.add(a);
    assert.equal(ticker.running, true);
    assert.equal(ticker.legCount, 2);
    ticker.remove(a);
    assert.equal(ticker.running, true);
    ticker.remove(b);
    assert.equal(ticker.running, false);
    assert.equal(ticker.legCount, 0);
    const afterCount = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    assert.equal(afterCount, before);
  });
});

describe('TypedEmitter', () => {
  type Events = { ping: (n: number) => void; done: () => void };

  it('calls listeners in order, removes them, and survives one that throws', () => {
    const errors: string[] = [];
    const emitter = new TypedEmitter<Events>({
      onListenerError: (error, event) => errors.push(`${event}: ${(error as Error).message}`),
    });
    const seen: string[] = [];
    const offA = emitter.on('ping', (n) => seen.push(`a${n}`));
    emitter.on('ping', () => {
      throw new Error('boom');
    });
    emitter.on('ping', (n) => seen.push(`c${n}`));
    emitter.emit('ping', 1);
    offA();
    offA();
    emitter.emit('ping', 2);
    emitter.emit('done');
    assert.deepEqual(seen, ['a1', 'c1', 'c2']);
    assert.deepEqual(errors, ['ping: boom', 'ping: boom']);
    assert.equal(emitter.listenerCount('ping'), 2);
    emitter.removeAllListeners();
    assert.equal(emitter.listenerCount('ping'), 0);
  });

  it('applies listeners added or removed during an emit from the next emit', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: string[] = [];
    const late = (n: number): void => void seen.push(`late${n}`);
    const self = (n: number): void => {
      seen.push(`self${n}`);
      emitter.off('ping', self);
      emitter.on('ping', late);
    };
    emitter.on('ping', self);
    emitter.emit('ping', 1);
    emitter.emit('ping', 2);
    assert.deepEqual(seen, ['self1', 'late2']);
  });
});
