/**
 * Issue 11 point 4, crash containment: two concurrent SIPp calls into `voxbridge serve --stt
 * pocketsphinx`; the decoder process serving call A is killed with SIGKILL mid-call. Both calls
 * must go on to their end, call A's transcript must report the lost audio as a `transcript.gap`
 * with reason `engine-restart` and continue with finals on a new process, call B's transcript must
 * have no gap, the crash must be counted in /metrics, and no engine process may outlive the
 * gateway (neither a clean shutdown nor a SIGKILL of the gateway).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import type { GatewayEvent, GatewayProcess } from '../support/gateway-process.js';
import { rtpRangeForTest, startGatewayProcess } from '../support/gateway-process.js';
import { librispeechReference } from '../support/librispeech.js';
import { sharedFile, ROOT } from '../support/paths.js';
import { spawnSippCall, wavToG711, writeRtpPcap } from '../support/sipp/index.js';

const HOLD_AFTER_AUDIO_MS = 2000;
/** µ-law silence: 0xFF encodes the smallest positive sample. */
const MULAW_SILENCE = 0xff;

/**
 * 0.wav (6.6 s of speech), a second of silence, 0.wav again, a second of silence, as µ-law RTP;
 * returns its length in ms. The kill falls in the first utterance; the second one is the
 * transcript after the restart.
 */
function speechPcap(path: string): number {
  const silence = new Uint8Array(8000).fill(MULAW_SILENCE);
  const parts = [
    wavToG711(sharedFile('audio/librispeech/0.wav'), 'mulaw'),
    silence,
    wavToG711(sharedFile('audio/librispeech/0.wav'), 'mulaw'),
    silence,
  ];
  const payload = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    payload.set(part, offset);
    offset += part.length;
  }
  writeRtpPcap(path, { streams: [{ payload, payloadType: 0, dstPortOffset: 0 }] });
  return payload.length / 8;
}

/** Every match of `pattern` (global) in the gateway's stderr, as its capture groups. */
function stderrMatches(gateway: GatewayProcess, pattern: RegExp): string[][] {
  return [...gateway.stderr().matchAll(pattern)].map((m) => m.slice(1));
}

async function waitUntil<T>(what: string, find: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function words(text: string): string[] {
  return text.toLowerCase().split(/\s+/).filter(Boolean);
}

describe('a speech-engine process killed mid-call', () => {
  it(
    'costs only the streams of that process: call A restarts with an engine-restart gap and goes on, call B is untouched',
    { timeout: 120_000 },
    async (t) => {
      const work = mkdtempSync(join(tmpdir(), 'voxbridge-engine-crash-'));
      const gateway = await startGatewayProcess([
        '--rtp-ports',
        rtpRangeForTest(),
        '--stt',
        'pocketsphinx',
        '--max-recognizer-streams',
        '2',
        // Live finals cost half the decoder time of the whole-utterance pass: the test is about
        // the crash, and must not depend on how busy the machine's two cores are.
        '--pocketsphinx-final-pass',
        'live',
      ]);
      const sipps: ChildProcess[] = [];
      try {
        const pcap = join(work, 'speech.pcap');
        const audioMs = speechPcap(pcap);
        // serve's stderr names the engine process of every recognition stream, in the order legs start.
        const opened = (): number[] =>
          stderrMatches(gateway, /pocketsphinx stream \d+ on engine process (\d+)/g).map((m) => Number(m[0]));

        // Call A first: its recognition stream is the first one placed.
        const sippA = await spawnSippCall({
          sipPort: gateway.sipPort,
          pcap,
          holdMs: audioMs + HOLD_AFTER_AUDIO_MS,
          cwd: work,
        });
        sipps.push(sippA);
        const legA = await gateway.waitFor((e) => e.type === 'leg.added', 15_000);
        const placedA = await waitUntil('call A placed on an engine process', () => opened()[0], 15_000);
        const pidA = placedA;

        const sippB = await spawnSippCall({
          sipPort: gateway.sipPort,
          pcap,
          holdMs: audioMs + HOLD_AFTER_AUDIO_MS,
          cwd: work,
        });
        sipps.push(sippB);
        const legB = await gateway.waitFor((e) => e.type === 'leg.added' && e.callId !== legA.callId, 15_000);
        const placedB = await waitUntil('call B placed on an engine process', () => opened()[1], 15_000);
        const pidB = placedB;
        assert.notEqual(pidA, pidB, 'the two calls are decoded in two processes');
        assert.notEqual(pidA, gateway.child.pid);

        // Mid-call: A is about two seconds into its first utterance.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        process.kill(pidA, 'SIGKILL');
        const killedAt = Date.now();
        const exits = await Promise.all(
          [sippA, sippB].map(
            (sipp) => new Promise<number | null>((resolve) => sipp.once('exit', (code) => resolve(code))),
          ),
        );
        assert.deepEqual(exits, [0, 0], 'both SIPp calls completed their scenario (BYE answered)');
        await gateway.waitFor((e) => e.type === 'call.ended' && e.callId === legA.callId, 15_000);
        await gateway.waitFor((e) => e.type === 'call.ended' && e.callId === legB.callId, 15_000);

        const of = (callId: string, type: string): GatewayEvent[] =>
          gateway.events.filter((e) => e.callId === callId && e.type === type);
        const gapsA = of(legA.callId, 'transcript.gap');
        const gapsB = of(legB.callId, 'transcript.gap');
        const finalsA = of(legA.callId, 'transcript.final');
        const finalsB = of(legB.callId, 'transcript.final');
        t.diagnostic(`A gaps ${JSON.stringify(gapsA.map((g) => [g.reason, g.startMs, g.endMs]))}`);
        t.diagnostic(`A finals ${JSON.stringify(finalsA.map((f) => [f.startMs, f.endMs, f.text]))}`);
        t.diagnostic(`B finals ${JSON.stringify(finalsB.map((f) => [f.startMs, f.endMs, f.text]))}`);
        t.diagnostic(`B gaps ${JSON.stringify(gapsB.map((g) => [g.reason, g.startMs, g.endMs]))}`);

        assert.deepEqual(
          gapsA.map((g) => g.reason),
          ['engine-restart'],
          'call A reports the audio the crash cost, once',
        );
        const gapEndMs = gapsA[0]!.endMs!;
        const after = finalsA.filter((f) => f.startMs! >= gapEndMs);
        assert.ok(after.length > 0, 'call A has finals after the restart');
        const reference = words(librispeechReference('0.wav'));
        const heardShare = (finals: readonly GatewayEvent[]): number => {
          const heard = new Set(words(finals.map((f) => f.text ?? '').join(' ')));
          return reference.filter((w) => heard.has(w)).length / reference.length;
        };
        // The second copy of 0.wav starts 7.6 s into the call, well after the restart.
        const secondCopyMs = 7000;
        const shareA = heardShare(after.filter((f) => f.startMs! >= secondCopyMs));
        assert.ok(
          shareA >= 0.5,
          `call A after the restart heard ${(shareA * 100).toFixed(0)} % of the words`,
        );

        assert.deepEqual(gapsB, [], 'call B lost nothing');
        const firstB = heardShare(finalsB.filter((f) => f.startMs! < secondCopyMs));
        const secondB = heardShare(finalsB.filter((f) => f.startMs! >= secondCopyMs));
        assert.ok(
          firstB >= 0.5 && secondB >= 0.5,
          `call B heard ${firstB} and ${secondB} of the two utterances`,
        );

        // Logged (pid, signal, streams; no transcript text) once.
        const crashed = stderrMatches(gateway, /engine process (\d+) killed by (\w+); (\d+) stream/g);
        assert.deepEqual(crashed, [[String(pidA), 'SIGKILL', '1']]);
        t.diagnostic(`calls done ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);

        // A clean shutdown stops every engine process it started.
        const started = stderrMatches(gateway, /engine process (\d+) started/g).map((m) => Number(m[0]));
        assert.ok(started.length >= 3, `processes started: ${started.join(', ')}`);
        assert.ok(!started.includes(gateway.child.pid!));
        assert.equal(await gateway.stop('SIGTERM'), 0);
        // The crash counter (voxbridge_engine_process_crashes_total under `voxbridge start`).
        assert.match(gateway.stderr(), /voxbridge: stopped \(engine process crashes: pocketsphinx 1\)/);
        assert.deepEqual(
          started.filter((pid) => alive(pid)),
          [],
          'no engine process outlives the gateway',
        );
      } finally {
        for (const sipp of sipps) sipp.kill('SIGKILL');
        await gateway.stop('SIGKILL');
        rmSync(work, { recursive: true, force: true });
      }
    },
  );

  it(
    'engine processes exit when their gateway is killed with SIGKILL (no orphans)',
    { timeout: 60_000 },
    async () => {
      const parent = spawn(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'test/fixtures/engine-child/pool-parent.ts')],
        {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const exited = new Promise((resolve) => parent.once('exit', resolve));
      try {
        const line = await new Promise<string>((resolve, reject) => {
          createInterface({ input: parent.stdout }).once('line', resolve);
          void exited.then(() => reject(new Error('the parent exited before its child answered')));
        });
        const childPid = Number(line);
        assert.ok(Number.isInteger(childPid) && alive(childPid));
        parent.kill('SIGKILL');
        await exited;
        await waitUntil(
          'the orphaned engine process to exit',
          () => (alive(childPid) ? undefined : true),
          20_000,
        );
      } finally {
        parent.kill('SIGKILL');
      }
    },
  );
});
