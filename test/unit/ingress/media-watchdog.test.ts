import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaWatchdog } from '../../../src/ingress/sip/media-watchdog.js';
import { FakeScheduler } from '../../../src/sip/transaction/testing.js';

function watchdog(timeoutMs = 1000, holdTimeoutMs = 10_000) {
  const scheduler = new FakeScheduler();
  let fired = 0;
  const dog = new MediaWatchdog({ scheduler, timeoutMs, holdTimeoutMs, onTimeout: () => fired++ });
  return { scheduler, dog, fired: () => fired };
}

describe('MediaWatchdog', () => {
  it('fires once, exactly the timeout after the last packet, with one timer at a time', () => {
    const { scheduler, dog, fired } = watchdog();
    dog.start();
    for (let i = 0; i < 50; i++) {
      scheduler.advance(100);
      dog.heard(scheduler.clock.nowMs());
      assert.ok(scheduler.pending <= 1, 'packets never add timers');
    }
    const lastMs = scheduler.clock.nowMs();
    scheduler.advance(999);
    assert.equal(fired(), 0);
    scheduler.advance(1);
    assert.equal(fired(), 1);
    assert.equal(scheduler.clock.nowMs() - lastMs, 1000);
    assert.equal(dog.fired, true);
    scheduler.advance(10_000);
    assert.equal(fired(), 1, 'once only');
    assert.equal(scheduler.pending, 0);
  });

  it('switches to the hold timeout while quiet, counting from the switch', () => {
    const { scheduler, dog, fired } = watchdog();
    dog.start();
    scheduler.advance(900);
    dog.setQuiet(true);
    scheduler.advance(9999);
    assert.equal(fired(), 0);
    dog.setQuiet(false);
    scheduler.advance(999);
    assert.equal(fired(), 0, 'resumed: the full ordinary timeout from the resume');
    scheduler.advance(1);
    assert.equal(fired(), 1);
  });

  it('does nothing before start or after stop, and a zero timeout is off', () => {
    const { scheduler, dog, fired } = watchdog();
    scheduler.advance(5000);
    assert.equal(fired(), 0);
    dog.start();
    dog.stop();
    scheduler.advance(5000);
    assert.equal(fired(), 0);
    assert.equal(scheduler.pending, 0);

    const off = watchdog(0, 0);
    off.dog.start();
    off.dog.setQuiet(true);
    off.scheduler.advance(1_000_000);
    assert.equal(off.fired(), 0);
    assert.equal(off.scheduler.pending, 0);
  });
});
