// The real-peer test rig checked against real tools (SIPp, tshark, sox, baresip), so that a failing
// voxbridge test means voxbridge is wrong, not the rig. Every check here can fail: each positive
// run is paired with a peer that answers wrongly and must be caught.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseWav } from '../../src/media/wav/index.js';
import { rmsDbfs } from '../../src/media/audio/index.js';
import { runBaresip } from '../support/baresip/index.js';
import { sharedFile } from '../support/paths.js';
import { runOk } from '../support/run.js';
import type { RunSippOptions, SippResult } from '../support/sipp/index.js';
import {
  freeUdpPort,
  freeUdpPortRange,
  runSipp,
  sendSipDatagrams,
  sipOptionsRequest,
  sippScenario,
  wavToG711,
  writeRtpPcap,
} from '../support/sipp/index.js';

interface Rtp {
  pt: number;
  marker: boolean;
  seq: number;
  payload: Buffer;
}

/** A UDP socket on 127.0.0.1 that keeps every RTP packet it receives. */
async function rtpSink(port: number): Promise<{ packets: Rtp[]; close: () => Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  const packets: Rtp[] = [];
  socket.on('message', (msg) => {
    if (msg.length < 12) return;
    packets.push({
      pt: (msg[1] ?? 0) & 0x7f,
      marker: ((msg[1] ?? 0) & 0x80) !== 0,
      seq: msg.readUInt16BE(2),
      payload: msg.subarray(12),
    });
  });
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  return { packets, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

/** Runs a peer scenario as server and a caller scenario against it; both results. */
async function call(
  peer: Omit<RunSippOptions, 'timeoutMs'>,
  caller: Omit<RunSippOptions, 'timeoutMs' | 'target'>,
): Promise<{ peer: SippResult; caller: SippResult }> {
  const port = await freeUdpPort();
  const peerRun = runSipp({ ...peer, localPort: port, timeoutMs: 40_000, traceMessages: true });
  const callerRun = runSipp({
    ...caller,
    target: `127.0.0.1:${port}`,
    timeoutMs: 40_000,
    traceMessages: true,
  });
  const [p, c] = await Promise.all([peerRun, callerRun]);
  return { peer: p, caller: c };
}

function explain(r: SippResult): string {
  return `exit ${r.exitCode} killed ${r.killedBy}\n${r.errors}\n${r.stderr.slice(-2000)}`;
}

/** The value of `header` in each message of a -trace_msg log that starts with `startLine`. */
function headerOf(log: string, startLine: RegExp, header: string): string[] {
  return log
    .split(/\n(?=[A-Z]+ sip:|SIP\/2\.0 \d{3})/)
    .filter((m) => startLine.test(m))
    .map((m) => new RegExp(`^${header}:\\s*(.*)$`, 'm').exec(m)?.[1]?.trim() ?? '');
}

describe('SIP test rig against real tools', () => {
  let dir: string;
  let speech: Uint8Array;
  let speechMs: number;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vox-rig-'));
    speech = wavToG711(sharedFile('audio/librispeech/8k.wav'), 'mulaw');
    speechMs = speech.length / 8;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('wavToG711', () => {
    it('is byte-identical to sox for an 8 kHz WAV, both laws', () => {
      const wav = sharedFile('audio/librispeech/8k.wav');
      for (const [law, type] of [
        ['mulaw', 'ul'],
        ['alaw', 'al'],
      ] as const) {
        const out = join(dir, `sox.${type}`);
        runOk('sox', ['-D', wav, '-t', type, '-r', '8000', '-c', '1', out]);
        assert.deepEqual(Buffer.from(wavToG711(wav, law)), readFileSync(out), law);
      }
    });

    it('resamples 16 kHz speech to the same length and level as sox does', () => {
      const wav = sharedFile('audio/librispeech/0.wav');
      const out = join(dir, 'sox16.ul');
      runOk('sox', [wav, '-t', 'ul', '-r', '8000', '-c', '1', out]);
      const ours = wavToG711(wav, 'mulaw');
      const theirs = readFileSync(out);
      assert.equal(ours.length, theirs.length);
      const energy = (codes: Uint8Array): number => {
        let sum = 0;
        for (const c of codes) sum += ((~c & 0x0f) << 3) * 2 ** ((~c >> 4) & 7);
        return sum / codes.length;
      };
      const ratio = energy(ours) / energy(theirs);
      assert.ok(ratio > 0.9 && ratio < 1.1, `mean magnitude ratio ${ratio}`);
    });
  });

  describe('writeRtpPcap read back by tshark', () => {
    it('one PCMU stream with an RFC 4733 digit: counts, payload types, event packets', () => {
      const path = join(dir, 'dtmf.pcap');
      const summary = writeRtpPcap(path, {
        streams: [
          {
            payload: speech,
            payloadType: 0,
            dstPortOffset: 0,
            dtmf: [{ digit: '7', atMs: 1000, durationMs: 100 }],
          },
        ],
        ptimeMs: 20,
      });
      const slots = Math.ceil(speech.length / 160);
      assert.deepEqual(summary.packets, [slots]);
      // 100 ms = 5 slots, the fifth is the first of three end packets.
      assert.deepEqual(summary.dtmfPackets, [7]);
      const streams = runOk('tshark', ['-r', path, '-d', 'udp.port==6000,rtp', '-q', '-z', 'rtp,streams']);
      const row = streams.split('\n').find((l) => / 6000 /.test(l));
      assert.ok(row !== undefined, streams);
      assert.match(row, /g711U, rtpevent\s+(\d+)\s+0 \(0\.0%\)/);
      assert.equal(Number(/rtpevent\s+(\d+)/.exec(row)?.[1]), slots);
      const events = runOk('tshark', [
        '-r',
        path,
        '-d',
        'udp.port==6000,rtp',
        '-Y',
        'rtpevent',
        '-T',
        'fields',
        '-e',
        'rtp.marker',
        '-e',
        'rtpevent.event_id',
        '-e',
        'rtpevent.end_of_event',
        '-e',
        'rtpevent.duration',
        '-e',
        'rtp.timestamp',
      ])
        .trim()
        .split('\n')
        .map((l) => l.split('\t'));
      assert.equal(events.length, 7);
      assert.deepEqual(
        events.map((e) => e.slice(0, 4).join(' ')),
        ['1 7 0 160', '0 7 0 320', '0 7 0 480', '0 7 0 640', '0 7 1 800', '0 7 1 800', '0 7 1 800'],
      );
      assert.equal(new Set(events.map((e) => e[4])).size, 1, 'one timestamp for the whole event');
    });

    it('two PCMA streams go to base and base+2, interleaved 20 ms apart', () => {
      const path = join(dir, 'two.pcap');
      const alaw = wavToG711(sharedFile('audio/librispeech/8k.wav'), 'alaw');
      writeRtpPcap(path, {
        streams: [
          { payload: alaw, payloadType: 8, dstPortOffset: 0 },
          { payload: alaw.subarray(0, 8000), payloadType: 8, dstPortOffset: 2 },
        ],
      });
      const text = runOk('tshark', [
        '-r',
        path,
        '-d',
        'udp.port==6000,rtp',
        '-d',
        'udp.port==6002,rtp',
        '-q',
        '-z',
        'rtp,streams',
      ]);
      const rows = text.split('\n').filter((l) => /g711A/.test(l));
      assert.equal(rows.length, 2, text);
      const byPort = new Map(rows.map((r) => [/127\.0\.0\.1\s+(\d+)\s+0x/.exec(r)?.[1], r]));
      assert.match(byPort.get('6000') ?? '', /g711A\s+242\s+0 \(0\.0%\)\s+20\.000\s+20\.000\s+20\.000/);
      assert.match(byPort.get('6002') ?? '', /g711A\s+50\s+0 \(0\.0%\)\s+20\.000\s+20\.000\s+20\.000/);
      // Interleaved: the first 100 frames alternate between the two ports.
      const ports = runOk('tshark', ['-r', path, '-c', '6', '-T', 'fields', '-e', 'udp.dstport']).trim();
      assert.equal(ports.split('\n').join(','), '6000,6002,6000,6002,6000,6002');
    });
  });

  describe('SIPp scenarios', () => {
    it('uac-pcmu completes against SIPp’s built-in UAS with RTP echo', async () => {
      const pcap = join(dir, 'call.pcap');
      writeRtpPcap(pcap, {
        streams: [{ payload: speech.subarray(0, 8000), payloadType: 0, dstPortOffset: 0 }],
      });
      const uasPort = await freeUdpPort();
      const uas = runSipp({
        scenario: 'uas',
        localPort: uasPort,
        extraArgs: ['-rtp_echo'],
        timeoutMs: 30_000,
      });
      const uac = await runSipp({
        scenario: sippScenario('uac-pcmu'),
        target: `127.0.0.1:${uasPort}`,
        keys: { codec: 'PCMU', pt: '0', pcap },
        variables: { hold_ms: '1500' },
        timeoutMs: 30_000,
      });
      const server = await uas;
      assert.equal(uac.exitCode, 0, explain(uac));
      assert.equal(uac.stats?.successful, 1);
      assert.equal(uac.stats?.failed, 0);
      assert.equal(server.exitCode, 0, explain(server));
    });

    for (const [codec, pt] of [
      ['PCMU', 0],
      ['PCMA', 8],
    ] as const) {
      it(`uac-pcmu with codec ${codec} delivers every packet of the pcap to the answered port`, async () => {
        const payload = codec === 'PCMU' ? speech : wavToG711(sharedFile('audio/librispeech/8k.wav'), 'alaw');
        const pcap = join(dir, `${codec}.pcap`);
        const summary = writeRtpPcap(pcap, { streams: [{ payload, payloadType: pt, dstPortOffset: 0 }] });
        const answerPort = await freeUdpPortRange();
        const sink = await rtpSink(answerPort);
        try {
          const { peer, caller } = await call(
            {
              scenario: sippScenario('peers/uas-media'),
              keys: { answer_port: String(answerPort), pt: String(pt), codec },
            },
            {
              scenario: sippScenario('uac-pcmu'),
              keys: { codec, pt: String(pt), pcap },
              variables: { hold_ms: String(speechMs + 2000) },
            },
          );
          assert.equal(caller.exitCode, 0, explain(caller));
          assert.equal(peer.exitCode, 0, explain(peer));
          assert.match(
            caller.messages ?? '',
            new RegExp(`m=audio \\d+ RTP/AVP ${pt} 101\\r?\\na=rtpmap:${pt} ${codec}/8000`),
          );
          assert.equal(sink.packets.length, summary.packets[0]);
          assert.ok(sink.packets.every((p) => p.pt === pt));
          assert.deepEqual(
            Buffer.concat(sink.packets.map((p) => p.payload)).subarray(0, payload.length),
            Buffer.from(payload),
          );
        } finally {
          await sink.close();
        }
      });
    }

    it('uac-bare places several calls and reports each setup time', async () => {
      const uasPort = await freeUdpPort();
      const uas = runSipp({ scenario: 'uas', localPort: uasPort, calls: 3, timeoutMs: 30_000 });
      const uac = await runSipp({
        scenario: sippScenario('uac-bare'),
        target: `127.0.0.1:${uasPort}`,
        variables: { hold_ms: '200' },
        calls: 3,
        rate: 10,
        traceRtt: true,
        timeoutMs: 30_000,
      });
      await uas;
      assert.equal(uac.exitCode, 0, explain(uac));
      assert.equal(uac.stats?.created, 3);
      assert.equal(uac.stats?.successful, 3);
      assert.equal(uac.rttsMs?.length, 3);
      assert.ok(uac.rttsMs.every((ms) => Number.isFinite(ms) && ms >= 0));
    });

    it('uac-bare fails fast, not hangs, when nothing answers', async () => {
      const deadPort = await freeUdpPort();
      const uac = await runSipp({
        scenario: sippScenario('uac-bare'),
        target: `127.0.0.1:${deadPort}`,
        variables: { hold_ms: '0' },
        timeoutMs: 30_000,
      });
      assert.equal(uac.killedBy, undefined, 'SIPp had to be killed');
      assert.equal(uac.exitCode, 1);
      assert.equal(uac.stats?.failed, 1);
    });

    it('uac-cancel: CANCEL and ACK reuse the INVITE branch; 200 (CANCEL) then 487', async () => {
      const { peer, caller } = await call(
        { scenario: sippScenario('peers/uas-ring-cancel') },
        { scenario: sippScenario('uac-cancel') },
      );
      assert.equal(caller.exitCode, 0, explain(caller));
      assert.equal(peer.exitCode, 0, explain(peer));
      const log = caller.messages ?? '';
      const [invite] = headerOf(log, /^INVITE /, 'Via');
      assert.ok(invite?.includes('branch=z9hG4bK'), log);
      assert.deepEqual(headerOf(log, /^CANCEL /, 'Via'), [invite]);
      assert.deepEqual(headerOf(log, /^ACK /, 'Via'), [invite]);
    });

    it('uac-cancel fails against a server that answers 200 instead of ringing on', async () => {
      const uasPort = await freeUdpPort();
      const uas = runSipp({ scenario: 'uas', localPort: uasPort, timeoutMs: 20_000 });
      const uac = await runSipp({
        scenario: sippScenario('uac-cancel'),
        target: `127.0.0.1:${uasPort}`,
        timeoutMs: 20_000,
      });
      await uas;
      assert.equal(uac.exitCode, 1, explain(uac));
      assert.equal(uac.stats?.successful, 0);
    });

    for (const [holdDir, ok] of [
      ['recvonly', true],
      ['sendrecv', false],
    ] as const) {
      it(`uac-hold ${ok ? 'passes' : 'fails'} when the hold is answered ${holdDir}`, async () => {
        const answerPort = await freeUdpPortRange();
        const { peer, caller } = await call(
          {
            scenario: sippScenario('peers/uas-hold'),
            keys: { answer_port: String(answerPort), hold_dir: holdDir },
          },
          { scenario: sippScenario('uac-hold'), variables: { hold_ms: '200' } },
        );
        if (ok) {
          assert.equal(caller.exitCode, 0, explain(caller));
          assert.equal(peer.exitCode, 0, explain(peer));
          assert.deepEqual(headerOf(caller.messages ?? '', /^INVITE /, 'CSeq'), [
            '1 INVITE',
            '2 INVITE',
            '3 INVITE',
          ]);
        } else {
          assert.equal(caller.exitCode, 1, explain(caller));
          assert.equal(caller.stats?.fields['FailedRegexpDoesntMatch(C)'], '1');
        }
      });
    }

    for (const [dir2, ok] of [
      ['recvonly', true],
      ['sendrecv', false],
    ] as const) {
      it(`uac-siprec ${ok ? 'streams both labels' : 'fails'} when both m-lines are answered ${dir2}`, async () => {
        const pcap = join(dir, 'siprec.pcap');
        const second = wavToG711(sharedFile('audio/librispeech/0.wav'), 'mulaw').subarray(0, speech.length);
        const summary = writeRtpPcap(pcap, {
          streams: [
            { payload: speech, payloadType: 0, dstPortOffset: 0 },
            { payload: second, payloadType: 0, dstPortOffset: 2 },
          ],
        });
        const p = await freeUdpPortRange();
        const sinks = [await rtpSink(p), await rtpSink(p + 2)];
        try {
          const { peer, caller } = await call(
            {
              scenario: sippScenario('peers/uas-siprec'),
              keys: { answer_port: String(p), answer_port2: String(p + 2), dir: dir2 },
            },
            {
              scenario: sippScenario('uac-siprec'),
              keys: { pcap },
              variables: { hold_ms: String(speechMs + 2000) },
            },
          );
          if (ok) {
            assert.equal(caller.exitCode, 0, explain(caller));
            assert.equal(peer.exitCode, 0, explain(peer));
            assert.deepEqual(
              sinks.map((s) => s.packets.length),
              summary.packets,
            );
            assert.deepEqual(
              Buffer.concat(sinks[1]?.packets.map((x) => x.payload) ?? []).subarray(0, 800),
              Buffer.from(second.subarray(0, 800)),
            );
          } else {
            assert.equal(caller.exitCode, 1, explain(caller));
            // SIPp counts the call failed at the check but still plays the rest of the scenario.
            assert.equal(caller.stats?.fields['FailedRegexpDoesntMatch(C)'], '1');
          }
        } finally {
          for (const s of sinks) await s.close();
        }
      });
    }

    it('uac-dtmf carries RFC 4733 events in RTP and an INFO with Signal=5', async () => {
      const pcap = join(dir, 'dtmf-call.pcap');
      const payload = speech.subarray(0, 16000);
      writeRtpPcap(pcap, {
        streams: [
          {
            payload,
            payloadType: 0,
            dstPortOffset: 0,
            dtmf: [
              { digit: '1', atMs: 400, durationMs: 120 },
              { digit: '#', atMs: 1200, durationMs: 80 },
            ],
          },
        ],
      });
      const answerPort = await freeUdpPortRange();
      const sink = await rtpSink(answerPort);
      try {
        const { peer, caller } = await call(
          {
            scenario: sippScenario('peers/uas-media'),
            keys: { answer_port: String(answerPort), pt: '0', codec: 'PCMU' },
          },
          {
            scenario: sippScenario('uac-dtmf'),
            keys: { codec: 'PCMU', pt: '0', pcap },
            variables: { hold_ms: '2500' },
          },
        );
        assert.equal(caller.exitCode, 0, explain(caller));
        assert.equal(peer.exitCode, 0, `the peer checks the INFO body: ${explain(peer)}`);
        assert.match(caller.messages ?? '', /Content-Type: application\/dtmf-relay\r?\n/);
        const ends = sink.packets.filter((p) => p.pt === 101 && ((p.payload[1] ?? 0) & 0x80) !== 0);
        assert.deepEqual(
          ends.map((p) => p.payload[0]),
          [1, 1, 1, 11, 11, 11],
        );
        assert.equal(sink.packets.filter((p) => p.pt === 101 && p.marker).length, 2);
      } finally {
        await sink.close();
      }
    });

    it('every scenario loads: against a dead port each creates its call and fails it, no XML error', async () => {
      const deadPort = await freeUdpPort();
      const pcap = join(dir, 'load.pcap');
      writeRtpPcap(pcap, {
        streams: [{ payload: speech.subarray(0, 800), payloadType: 0, dstPortOffset: 0 }],
      });
      const names = ['uac-pcmu', 'uac-cancel', 'uac-hold', 'uac-siprec', 'uac-dtmf', 'uac-bare'];
      // In parallel: each waits out its 8 s receive timeout.
      const results = await Promise.all(
        names.map((name) =>
          runSipp({
            scenario: sippScenario(name),
            target: `127.0.0.1:${deadPort}`,
            keys: { codec: 'PCMU', pt: '0', pcap },
            // SIPp refuses -set for a variable the scenario does not declare.
            variables: name === 'uac-cancel' ? {} : { hold_ms: '0' },
            timeoutMs: 20_000,
          }),
        ),
      );
      results.forEach((r, i) => {
        const name = names[i];
        assert.doesNotMatch(
          r.stdout + r.stderr + r.errors,
          /Unable to load|Unsupported keyword|No element|not a floating/i,
          name,
        );
        assert.equal(r.stats?.created, 1, `${name}: ${explain(r)}`);
        assert.equal(r.stats?.successful, 0, name);
        assert.equal(r.stats?.fields['FailedTimeoutOnRecv(C)'], '1', name);
      });
    });

    it('a scenario with broken XML is reported as such (the check above can fail)', async () => {
      const broken = join(dir, 'broken.xml');
      runOk('sh', ['-c', `head -c 300 '${sippScenario('uac-bare')}' > '${broken}'`]);
      const r = await runSipp({ scenario: broken, target: '127.0.0.1:9', timeoutMs: 20_000 });
      assert.match(r.stdout + r.stderr + r.errors, /Unable to load or parse|No element in xml scenario/);
      assert.equal(r.stats, undefined);
    });

    it('runSipp kills SIPp on abort and leaves no process behind', async () => {
      const controller = new AbortController();
      const running = runSipp({ scenario: 'uas', timeoutMs: 60_000, signal: controller.signal });
      setTimeout(() => controller.abort(), 300);
      const r = await running;
      assert.equal(r.killedBy, 'abort');
      assert.ok(r.pid !== undefined);
      assert.throws(() => process.kill(r.pid ?? 0, 0), { code: 'ESRCH' }, 'SIPp is still running');
    });
  });

  describe('runBaresip', () => {
    it('calls SIPp’s echoing UAS, hangs up, and records the echoed speech', async () => {
      const source = sharedFile('audio/librispeech/8k.wav');
      const uasPort = await freeUdpPort();
      const uas = runSipp({
        scenario: 'uas',
        localPort: uasPort,
        extraArgs: ['-rtp_echo'],
        timeoutMs: 30_000,
      });
      const r = await runBaresip({ dial: `sip:test@127.0.0.1:${uasPort}`, sourceWav: source, durationS: 8 });
      try {
        const server = await uas;
        assert.equal(r.killedBy, undefined, r.log.slice(-2000));
        assert.equal(server.exitCode, 0, `the UAS saw no complete call (no BYE?)\n${explain(server)}`);
        const dec = r.recordedWavs.find((f) => f.endsWith('-dec.wav'));
        assert.ok(dec !== undefined, r.recordedWavs.join(','));
        const heard = parseWav(readFileSync(dec));
        const sent = parseWav(readFileSync(source));
        assert.equal(heard.info.sampleRateHz, 8000);
        // The echo returns the whole utterance (less call setup) at the level it was sent.
        assert.ok(heard.info.durationMs > 0.8 * sent.info.durationMs, `${heard.info.durationMs} ms heard`);
        const level = rmsDbfs(heard.samples as Int16Array);
        const reference = rmsDbfs(sent.samples as Int16Array);
        assert.ok(Math.abs(level - reference) < 3, `echo at ${level} dBFS, source at ${reference} dBFS`);
      } finally {
        rmSync(r.recordDir, { recursive: true, force: true });
      }
    });
  });

  describe('sendSipDatagrams', () => {
    it('records what a UDP server answers to each malformed request', async () => {
      const server = createSocket('udp4');
      server.on('message', (msg, from) => {
        // Answers only what has a CSeq, like a server that can build a 400 only from salvaged headers.
        if (/^CSeq:/m.test(msg.toString('latin1')))
          server.send('SIP/2.0 400 Bad Request\r\n\r\n', from.port, from.address);
      });
      await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
      try {
        const target = `127.0.0.1:${server.address().port}`;
        const results = await sendSipDatagrams(
          target,
          [
            sipOptionsRequest(target, { CSeq: 'abc OPTIONS' }),
            sipOptionsRequest(target, { CSeq: undefined }),
            'garbage\r\n\r\n',
          ],
          { waitMs: 100 },
        );
        assert.deepEqual(
          results.map((r) => r.responses.map((x) => x.split('\r\n')[0])),
          [['SIP/2.0 400 Bad Request'], [], []],
        );
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  });
});
