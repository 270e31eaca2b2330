/**
 * 100,000 mutated SIP messages over UDP into the gateway (in-process, so its counters are read
 * directly) while SIPp places real calls. The oracle counts: every datagram sent is accounted for
 * by the transport, many parse and are answered, and the SIP stack raised no internal error.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import type { Gateway } from '../../src/app/index.js';
import { VoxError } from '../../src/core/index.js';
import { startGateway } from '../../src/app/index.js';
import { parseMessage, serializeMessage } from '../../src/sip/message/index.js';
import { optionsStatus, retainedBytes, sippCalls, staysOnLoopback, until } from './hostile-support.js';
import { createRng, loadSipCorpus, mutateMessage } from './sip-mutator.js';

const MESSAGES = 100_000;
/**
 * What may be in flight before the fuzzer waits for the gateway to take it: the gateway's socket
 * buffer (net.core.rmem_default, ~200 KB) is charged the kernel's true size of each datagram,
 * about the next power of two above its length plus overhead.
 */
const BURST = 20;
const BURST_TRUE_BYTES = 128 * 1024;
function trueSize(length: number): number {
  return 2 ** Math.ceil(Math.log2(length + 1024));
}
const SEED = Number(process.env['VOXBRIDGE_FUZZ_SEED'] ?? 20261123);

describe('fuzz: 100,000 mutated SIP messages over UDP while calls run', () => {
  let gateway: Gateway;
  const errors: unknown[] = [];

  before(async () => {
    const base = 20000 + (process.pid % 8) * 1000;
    gateway = await startGateway({
      sipHost: '127.0.0.1',
      sipPort: 0,
      rtpPorts: { min: base, max: base + 999 },
      stt: 'none',
      onEvent: () => undefined,
      onError: (error) => errors.push(error),
    });
  });

  after(async () => {
    await gateway?.close();
  });

  it(
    'accounts for every datagram, answers many, raises no internal error, keeps serving',
    { timeout: 300_000 },
    async () => {
      const corpus = loadSipCorpus();
      assert.ok(corpus.length >= 40, `corpus has ${corpus.length} messages`);
      // The corpus itself must be real SIP: most seeds parse and re-serialize.
      const seeds = corpus.filter((bytes) => {
        try {
          serializeMessage(parseMessage(bytes));
          return true;
        } catch {
          return false;
        }
      });
      assert.ok(seeds.length >= corpus.length / 2);

      const udp = gateway.sipPorts.udp!;
      // SIPp's own datagrams count in the same transport counters, so the exact account is kept
      // over the first half, sent alone; SIPp's calls run through the second half.
      let calls: ReturnType<typeof sippCalls> | undefined;
      let exactSent = 0;
      let exactAccounted = 0;
      const rng = createRng(SEED);
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      let answers = 0;
      socket.on('message', () => answers++);
      const accounted = (): number => {
        const s = gateway.sipStats;
        return s.received + s.keepAlives;
      };
      const start = accounted();
      let sent = 0;
      let skipped = 0;
      let burstBytes = 0;
      let burstCount = 0;
      let heapAfterWarmup = 0;
      for (let i = 0; i < MESSAGES; i++) {
        const bytes = mutateMessage(corpus, rng);
        if (!staysOnLoopback(bytes)) {
          skipped++;
          continue;
        }
        // Flow control instead of a fixed pace: a burst is taken before the next goes, so the
        // kernel drops nothing and "received == sent" is exact.
        if (burstCount >= BURST || burstBytes + trueSize(bytes.length) > BURST_TRUE_BYTES) {
          await until(() => accounted() - start >= sent, `datagram ${sent}`);
          burstCount = 0;
          burstBytes = 0;
        }
        socket.send(bytes, udp, '127.0.0.1');
        sent++;
        burstCount++;
        burstBytes += trueSize(bytes.length);
        if (i === 20_000) heapAfterWarmup = retainedBytes();
        if (i === MESSAGES / 2) {
          await until(() => accounted() - start >= sent, 'the first half');
          exactSent = sent;
          exactAccounted = accounted() - start;
          // The calls come from another address than the fuzzer, as a real SBC would: mutated
          // INVITEs answered 200 and never ACKed hold their source's unacked slots (RFC 3261
          // §13.3.1.4, 32 s) up to maxUnackedPerSource, and that cap exists so that one hostile
          // source cannot deny service to another.
          calls = sippCalls(udp, 20, 4000, 40000 + (process.pid % 1000) * 4, '127.0.0.3');
        }
      }
      await until(() => accounted() - start >= sent, 'the last datagrams');
      socket.close();
      assert.ok(calls !== undefined);
      const result = await calls;
      assert.equal(result.code, 0, `SIPp calls failed during fuzzing:\n${result.out}`);
      assert.equal(await optionsStatus(udp), 200);
      const heapEnd = retainedBytes();
      const stats = gateway.sipStats;
      console.log(
        `fuzz seed ${SEED}: ${sent} sent (${skipped} with maddr skipped), ${stats.received} received, ` +
          `${stats.keepAlives} keep-alives, ${stats.parsed} parsed, ${stats.parseErrors} unparseable, ` +
          `${stats.responsesSent} responses sent, ${answers} answers at the fuzzer, ` +
          `${stats.internalErrors} internal errors; heap ${(heapAfterWarmup / 2 ** 20).toFixed(1)} → ${(heapEnd / 2 ** 20).toFixed(1)} MB`,
      );
      assert.equal(exactAccounted, exactSent, 'every datagram sent was received (or was a keep-alive)');
      assert.ok(stats.parsed > sent / 10, `only ${stats.parsed} of ${sent} parsed`);
      assert.ok(stats.responsesSent > sent / 10, `only ${stats.responsesSent} responses`);
      assert.ok(answers > 1000, `the fuzzer got only ${answers} answers`);
      assert.equal(stats.internalErrors, 0, 'internal errors in the SIP stack');
      // Failures to reach what a mutated Via or Contact names are VoxErrors; anything else is a bug.
      assert.deepEqual(errors.filter((e) => !(e instanceof VoxError)).map(String), []);
      const growthMb = (heapEnd - heapAfterWarmup) / 2 ** 20;
      assert.ok(
        growthMb < 40,
        `retained memory grew ${growthMb.toFixed(1)} MB between 20k and ${MESSAGES} messages`,
      );
    },
  );
});
