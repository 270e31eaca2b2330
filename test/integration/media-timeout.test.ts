/**
 * Issue 9, "a call whose peer vanishes never ends": a real SIPp caller is killed with SIGKILL in
 * the middle of a call (so it sends no BYE). The gateway must end the call by itself once no RTP
 * arrived for the media timeout, send its own BYE, release ports, legs and recognizers, and a
 * drain started meanwhile (what SIGTERM does) must finish.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Gateway } from '../../src/app/index.js';
import { startGateway } from '../../src/app/index.js';
import type { AudioFrame } from '../../src/media/audio/index.js';
import type { SttEvent, SttOptions } from '../../src/engines/spi/index.js';
import { ScriptedStt } from '../../src/engines/spi/testing/index.js';
import type { CallEvent } from '../../src/session/index.js';
import { defaultMediaTicker } from '../../src/session/index.js';
import { startGatewayProcess } from '../support/gateway-process.js';
import { sharedFile } from '../support/paths.js';
import { spawnSippCall, wavToG711, writeRtpPcap } from '../support/sipp/index.js';

const TIMEOUT_S = 3;

/** A scripted recognizer that counts the recognition streams still open (decoders held). */
class CountingStt extends ScriptedStt {
  open = 0;
  opened = 0;

  override async *transcribe(
    frames: AsyncIterable<AudioFrame>,
    options?: SttOptions,
  ): AsyncGenerator<SttEvent> {
    this.open++;
    this.opened++;
    try {
      yield* super.transcribe(frames, options);
    } finally {
      this.open--;
    }
  }
}

function speechPcap(work: string): string {
  const pcap = join(work, 'speech.pcap');
  writeRtpPcap(pcap, {
    streams: [
      {
        payload: wavToG711(sharedFile('audio/librispeech/0.wav'), 'mulaw'),
        payloadType: 0,
        dstPortOffset: 0,
      },
    ],
  });
  return pcap;
}

async function waitUntil(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('media timeout with a real SIPp caller killed mid-call', () => {
  let gateway: Gateway;
  let work: string;
  const events: CallEvent[] = [];
  const stt = new CountingStt({ utterances: ['hello'] });

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'voxbridge-media-timeout-'));
    gateway = await startGateway({
      sipHost: '127.0.0.1',
      sipPort: 0,
      rtpPorts: { min: 29400, max: 29599 },
      stt: 'none',
      sttEngine: stt,
      rtpTimeoutSec: TIMEOUT_S,
      onEvent: (event) => events.push(event),
    });
  });

  after(async () => {
    await gateway?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(
    'ends the call as media-timeout within the timeout + 5 s, sends BYE, releases everything, and drain finishes',
    { timeout: 60_000 },
    async (t) => {
      const sipp = await spawnSippCall({
        sipPort: gateway.sipPorts.udp!,
        pcap: speechPcap(work),
        holdMs: 60_000,
        cwd: work,
      });
      const exited = new Promise((resolve) => sipp.once('exit', resolve));
      try {
        await waitUntil('the call and its leg', () => events.some((e) => e.type === 'leg.added'), 15_000);
        const leg = gateway.ingress.calls[0]?.legs[0];
        assert.ok(leg !== undefined);
        await waitUntil('RTP from SIPp', () => leg.stats.packets > 25, 10_000);
        assert.equal(stt.open, 1, 'a recognizer runs for the leg');
      } finally {
        sipp.kill('SIGKILL');
      }
      await exited;
      const killedAtMs = performance.now();
      // SIGTERM's path: no new calls, wait until idle. It must finish on its own.
      gateway.drain();
      const limitMs = (TIMEOUT_S + 5) * 1000;
      let limit: NodeJS.Timeout | undefined;
      const idle = await Promise.race([
        gateway.idle().then(() => true),
        new Promise<false>((resolve) => (limit = setTimeout(() => resolve(false), limitMs))),
      ]);
      clearTimeout(limit);
      const idleAfterMs = performance.now() - killedAtMs;
      t.diagnostic(`idle ${(idleAfterMs / 1000).toFixed(2)} s after SIGKILL (timeout ${TIMEOUT_S} s)`);
      assert.ok(idle, `the drain did not finish within ${limitMs} ms of the caller dying`);

      const ended = events.find((e) => e.type === 'call.ended');
      assert.ok(ended !== undefined && ended.type === 'call.ended');
      assert.equal(ended.reason, 'media-timeout');
      assert.ok(
        idleAfterMs >= TIMEOUT_S * 1000 - 500 && idleAfterMs <= (TIMEOUT_S + 5) * 1000,
        `ended ${(idleAfterMs / 1000).toFixed(2)} s after the caller died (timeout ${TIMEOUT_S} s)`,
      );
      assert.equal(gateway.ingress.mediaTimeouts, 1);
      assert.equal(gateway.userAgent.stats.localByes, 1, 'the gateway sent its BYE');
      assert.equal(gateway.userAgent.activeCalls, 0);
      assert.equal(gateway.ingress.activeCalls, 0);
      assert.equal(gateway.pool.inUse, 0, 'RTP ports back in the pool');
      assert.equal(defaultMediaTicker().legCount, 0, 'no leg left in the media ticker');
      assert.equal(stt.opened, 1);
      assert.equal(stt.open, 0, 'the recognizer stream was closed');
    },
  );
});

describe('voxbridge serve: SIGTERM after the caller died finishes by the media timeout', () => {
  it(
    'exits 0 about rtp-timeout-sec after the caller was killed, the call ended as media-timeout',
    {
      timeout: 60_000,
    },
    async (t) => {
      const work = mkdtempSync(join(tmpdir(), 'voxbridge-media-timeout-serve-'));
      const gateway = await startGatewayProcess([
        '--rtp-ports',
        '29700-29799',
        '--stt',
        'none',
        '--rtp-timeout-sec',
        String(TIMEOUT_S),
      ]);
      try {
        const sipp = await spawnSippCall({
          sipPort: gateway.sipPort,
          pcap: speechPcap(work),
          holdMs: 60_000,
          cwd: work,
        });
        const exited = new Promise((resolve) => sipp.once('exit', resolve));
        try {
          await gateway.waitFor((e) => e.type === 'leg.added', 15_000);
          // A second of speech on the wire before the caller dies.
          await new Promise((resolve) => setTimeout(resolve, 1000));
        } finally {
          sipp.kill('SIGKILL');
        }
        await exited;
        const killedAtMs = performance.now();
        gateway.child.kill('SIGTERM');
        const code = await Promise.race([
          gateway.exited,
          new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), (TIMEOUT_S + 5) * 1000)),
        ]);
        const afterMs = performance.now() - killedAtMs;
        t.diagnostic(`serve exited ${(afterMs / 1000).toFixed(2)} s after SIGKILL of the caller`);
        assert.equal(
          code,
          0,
          `still draining ${TIMEOUT_S + 5} s after the caller died:\n${gateway.stderr()}`,
        );
        assert.deepEqual(
          gateway.events.map((e) => [e.type, e.reason]),
          [
            ['call.started', undefined],
            ['leg.added', undefined],
            ['call.ended', 'media-timeout'],
          ],
        );
      } finally {
        await gateway.stop('SIGKILL');
        rmSync(work, { recursive: true, force: true });
      }
    },
  );
});
