// 200 calls × 2 legs, recognizing and recording, all ended: nothing may stay behind.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, it } from 'node:test';
import {
  ScriptedStt,
  activeHandleCounts,
  waitForHandlesReleased,
} from '../../../src/engines/spi/testing/index.js';
import { parseWav } from '../../../src/media/wav/index.js';
import type { MediaLeg } from '../../../src/session/index.js';
import { Call, MediaTicker } from '../../../src/session/index.js';
import { PCMA, PCMU, TestClock, g711Payloads, rtpPacket } from './session-rig.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const CALLS = 200;

async function collectGarbage(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await nextTurn();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

// A function of its own: a suspended async test function keeps stale registers (the loop's last
// leg) reachable, which would make the reachability check below fail for the test's own sake.
function checkEnded(legs: readonly MediaLeg[][]): void {
  assert.equal(legs.length, CALLS);
  for (const pair of legs) {
    assert.equal(pair.length, 2);
    for (const leg of pair) {
      const s = leg.stats;
      assert.equal(s.recognizer, 'ended');
      assert.equal(s.recognizerBacklog, 0);
      assert.equal(s.recognizerDrops, 0);
      assert.equal(s.recordingError, undefined);
      assert.equal(s.recordedBytes, (600 - 60 + 20) * 8);
    }
  }
}

describe('session: no leaks over many calls', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vox-session-leak-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const clock = new TestClock();
  const ticker = new MediaTicker({ clock, manual: true });
  const stt = new ScriptedStt({ utterances: ['one two three'] });
  const tone = g711Payloads('mulaw', 440, 600);
  const alawTone = g711Payloads('alaw', 440, 600);

  /** Runs CALLS concurrent calls with two legs each through 600 ms of speech, then ends them all. */
  async function batch(refs: WeakRef<Call>[], legs: MediaLeg[][]): Promise<number> {
    const calls: Call[] = [];
    let finals = 0;
    for (let i = 0; i < CALLS; i++) {
      const call = new Call({ sipCallId: `leak-${i}`, kind: 'siprec', stt, recordDir: dir, clock, ticker });
      call.on('event', (e) => {
        if (e.type === 'transcript.final') finals++;
      });
      call.addLeg({ role: 'caller', codec: PCMU });
      call.addLeg({ role: 'agent', codec: PCMA });
      calls.push(call);
    }
    for (let n = 0; n < tone.length; n++) {
      for (const call of calls) {
        call.legs[0]!.pushRtp(rtpPacket(n, tone[n]!), clock.now);
        call.legs[1]!.pushRtp(rtpPacket(n, alawTone[n]!, { payloadType: 8 }), clock.now);
      }
      clock.now += 20;
      ticker.tick();
      await nextTurn();
    }
    assert.equal(ticker.legCount, 2 * CALLS);
    await Promise.all(calls.map((c) => c.end('bye')));
    for (const call of calls) refs.push(new WeakRef(call));
    legs.push(...calls.map((c) => [...c.legs]));
    return finals;
  }

  it('releases tickers, channels, files, timers and memory', async () => {
    const handlesBefore = activeHandleCounts();
    const warmRefs: WeakRef<Call>[] = [];
    const warmLegs: MediaLeg[][] = [];
    assert.equal(await batch(warmRefs, warmLegs), 2 * CALLS);
    warmLegs.length = 0;
    const heapBefore = await collectGarbage();

    const refs: WeakRef<Call>[] = [];
    const legs: MediaLeg[][] = [];
    // Every leg's final is flushed by end(): the speech is still going when the calls end.
    assert.equal(await batch(refs, legs), 2 * CALLS);

    assert.equal(ticker.legCount, 0);
    assert.equal(ticker.running, false);
    checkEnded(legs);
    // Every recording was closed: its header describes all 560 ms that were written.
    const files = readdirSync(dir);
    assert.equal(files.length, 4 * CALLS);
    for (const file of files) {
      const info = parseWav(readFileSync(join(dir, file))).info;
      assert.equal(info.frameCount, (600 - 60 + 20) * 8, file);
    }
    legs.length = 0;
    assert.deepEqual(await waitForHandlesReleased(handlesBefore), {});

    const heapAfter = await collectGarbage();
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    assert.equal(alive, 0, `${alive} of ${CALLS} ended calls are still reachable`);
    // Roughly flat: a second batch of 200 calls leaves less than 8 MB behind.
    const grownMb = (heapAfter - heapBefore) / 2 ** 20;
    assert.ok(grownMb < 8, `heap grew ${grownMb.toFixed(1)} MB`);
  });
});
