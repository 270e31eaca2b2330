/**
 * Words over SIP against words fed directly: N concurrent SIPp calls carry LibriSpeech speech as
 * G.711 RTP into `voxbridge serve --stt pocketsphinx`, and the same engine (built by the same
 * factory, so the same model and VAD) then hears the very same G.711 audio, decoded, fed to it
 * directly as 20 ms frames. Any word the SIP path loses (frames dropped because the recognizers
 * fell behind, audio lost on the way) shows as a difference between the two. Used by
 * test/integration/sip-word-loss.test.ts (with a bound) and bench/sip-accuracy.ts (a table).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSttEngine } from '../../src/app/engines.js';
import type { SttEngine } from '../../src/engines/spi/index.js';
import { pcmFrames, streamFrames } from '../../src/engines/spi/testing/index.js';
import { PCM16_8K } from '../../src/media/audio/index.js';
import { g711Decode } from '../../src/media/codecs/index.js';
import { parseWav } from '../../src/media/wav/index.js';
import type { GatewayEvent } from './gateway-process.js';
import { rtpRangeForTest, startGatewayProcess } from './gateway-process.js';
import { sharedFile } from './paths.js';
import { runSipp, sippScenario, wavToG711, writeRtpPcap } from './sipp/index.js';
import type { SippResult } from './sipp/index.js';
import { wordErrorRate } from './wer.js';
import { librispeechReference } from './librispeech.js';

/** The shared LibriSpeech utterances with their reference transcripts. */
const CLIPS = ['0.wav', '1.wav', '8k.wav'] as const;
/**
 * Whole-utterance finals cost about twice the decoder time of live ones: with them four calls
 * need about 1.9 cores, so on a two-core machine the recognizers really fall behind (about 15 s
 * by the end of the calls), far beyond the old 1 s queue, and the backlog is what is tested.
 * Both sides of the comparison use the same mode.
 */
const FINAL_PASS = 'utterance';
/** Quiet line between utterances and after the last, so each ends as an utterance of its own. */
const PAUSE_MS = 1000;
const TAIL_MS = 1500;
/** µ-law code word of a zero sample. */
const MULAW_SILENCE = 0xff;

export interface CallWords {
  readonly sipCallId: string;
  /** Reference words of what the call played. */
  readonly reference: string;
  /** Finals of the call over SIP, joined. */
  readonly sip: string;
  /** Finals of the same engine fed the same decoded G.711 directly, joined. */
  readonly direct: string;
  readonly referenceWords: number;
  /** Word edits against the reference, and between the two hypotheses. */
  readonly sipEdits: number;
  readonly directEdits: number;
  readonly sipVsDirectEdits: number;
  readonly gaps: readonly GatewayEvent[];
  /**
   * The RTP path, from the call's recording (what the jitter buffer played) against what SIPp
   * sent, in 20 ms frames: missing (lost or late, before any recognizer) and displaced (played
   * later, after a pause of the sender). -1 without a recording.
   */
  readonly rtpFramesMissing: number;
  readonly rtpFramesDisplaced: number;
  /**
   * The same engine fed the call's recording directly: the audio exactly as the gateway played
   * it to its recognizer (when no frame went missing, so no concealment differs). Over SIP must
   * equal this word for word; anything else was lost inside the gateway.
   */
  readonly directOnPlayed: string;
  readonly audioMs: number;
  /** From the call's end to its call.ended event: how far recognition was behind. */
  readonly endLagMs: number;
}

export interface WordLossReport {
  readonly calls: readonly CallWords[];
  readonly referenceWords: number;
  /** Corpus WER in percent (total edits / total reference words). */
  readonly sipWerPct: number;
  readonly directWerPct: number;
  /** Gap events over every call. */
  readonly gaps: number;
  readonly gapLostMs: number;
  readonly wallMs: number;
  readonly gatewayStderr: string;
}

export interface WordLossOptions {
  readonly calls: number;
  /** Extra `voxbridge serve` arguments. */
  readonly gatewayArgs?: readonly string[];
  /** Whole run (SIPp calls) limit; default 240 s. */
  readonly timeoutMs?: number;
  /**
   * Pins the gateway (every thread, so its decoder workers too) to this many cores (`taskset`),
   * so the recognizers fall behind on any machine, however quiet: the transient overload the
   * backlog must absorb.
   */
  readonly gatewayCores?: number;
}

/** Call i plays every clip, rotated by i so the calls do not speak in unison, as µ-law. */
function callAudio(index: number): { mulaw: Uint8Array; reference: string } {
  const order = CLIPS.map((_, k) => CLIPS[(k + index) % CLIPS.length]!);
  const parts: Uint8Array[] = [];
  const words: string[] = [];
  for (const clip of order) {
    parts.push(wavToG711(sharedFile(`audio/librispeech/${clip}`), 'mulaw'));
    parts.push(new Uint8Array((PAUSE_MS * 8000) / 1000).fill(MULAW_SILENCE));
    words.push(librispeechReference(clip).toLowerCase());
  }
  parts.push(new Uint8Array((TAIL_MS * 8000) / 1000).fill(MULAW_SILENCE));
  const length = parts.reduce((n, p) => n + p.length, 0);
  const mulaw = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    mulaw.set(part, at);
    at += part.length;
  }
  return { mulaw, reference: words.join(' ') };
}

/** The engine fed directly: the decoded G.711 as 20 ms frames, as fast as it takes them. */
async function transcribeDirect(engine: SttEngine, mulaw: Uint8Array): Promise<string> {
  const pcm = g711Decode('mulaw', mulaw);
  const texts: string[] = [];
  for await (const event of engine.transcribe(streamFrames(pcmFrames(PCM16_8K, pcm, 20)))) {
    if (event.type === 'final' && event.text.trim() !== '') texts.push(event.text.trim());
  }
  return texts.join(' ');
}

function edits(reference: string, hypothesis: string): number {
  const n = reference.split(/\s+/).filter((w) => w !== '').length;
  return Math.round(wordErrorRate(reference, hypothesis) * n);
}

/**
 * Compares the call's µ-law recording with what was sent, in 20 ms frames: `missing` sent frames
 * found nowhere in the recording (lost or late: the jitter buffer played silence instead), and
 * `displaced` frames played at another position (a pause of the sender, heard as inserted quiet,
 * moves everything after it).
 */
function rtpPath(
  recordDir: string,
  events: readonly GatewayEvent[],
  sent: Uint8Array,
): { missing: number; displaced: number; recorded?: Uint8Array } {
  const leg = events.find((e) => e.type === 'leg.added');
  if (leg === undefined) return { missing: -1, displaced: -1 };
  const path = join(recordDir, `${leg.callId}-${String(leg.legId)}.wav`);
  if (!existsSync(path)) return { missing: -1, displaced: -1 };
  const recorded = parseWav(readFileSync(path)).samples as Uint8Array;
  const key = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
  const played = new Set<string>();
  for (let at = 0; at + 160 <= recorded.length; at += 160) played.add(key(recorded.subarray(at, at + 160)));
  let missing = 0;
  let displaced = 0;
  // Whole frames only: the pcap has no partial last packet.
  for (let at = 0; at + 160 <= sent.length; at += 160) {
    const frame = sent.subarray(at, at + 160);
    const same = recorded.subarray(at, at + 160);
    if (same.length === 160 && frame.every((v, k) => v === same[k])) continue;
    if (played.has(key(frame))) displaced++;
    else missing++;
  }
  return { missing, displaced, recorded };
}

/** Runs the comparison once; throws if a call fails or never ends. */
export async function runSipWordLoss(options: WordLossOptions): Promise<WordLossReport> {
  const work = mkdtempSync(join(tmpdir(), 'vox-word-loss-'));
  const recordDir = join(work, 'recordings');
  mkdirSync(recordDir);
  const started = performance.now();
  const gateway = await startGatewayProcess([
    '--rtp-ports',
    rtpRangeForTest(),
    '--stt',
    'pocketsphinx',
    '--record-dir',
    recordDir,
    '--pocketsphinx-final-pass',
    FINAL_PASS,
    // This measures the backlog, not admission: every call is admitted whatever the cores.
    '--max-recognizer-streams',
    String(options.calls),
    ...(options.gatewayArgs ?? []),
  ]);
  try {
    if (options.gatewayCores !== undefined && gateway.child.pid !== undefined) {
      // -a: every thread; the decoder workers, started later by the main thread, inherit it.
      const cpus = `0-${options.gatewayCores - 1}`;
      execFileSync('taskset', ['-a', '-p', '-c', cpus, String(gateway.child.pid)], { stdio: 'ignore' });
    }
    const audio = Array.from({ length: options.calls }, (_, i) => callAudio(i));
    const placed = audio.map((a, i) => {
      const pcap = join(work, `call-${i}.pcap`);
      const summary = writeRtpPcap(pcap, {
        streams: [{ payload: a.mulaw, payloadType: 0, dstPortOffset: 0 }],
      });
      return { pcap, durationMs: summary.durationMs };
    });
    const timeoutMs = options.timeoutMs ?? 240_000;
    // One SIPp per call, all at once: the concurrent load is the point.
    const results: SippResult[] = await Promise.all(
      placed.map((p) =>
        runSipp({
          scenario: sippScenario('uac-pcmu'),
          target: `127.0.0.1:${gateway.sipPort}`,
          keys: { codec: 'PCMU', pt: '0', pcap: p.pcap },
          variables: { hold_ms: String(p.durationMs + 1000) },
          timeoutMs,
        }),
      ),
    );
    const byeAt = Date.now();
    for (const r of results) {
      if (r.exitCode !== 0) {
        throw new Error(`SIPp failed (${r.exitCode}):\n${r.errors}\n${r.stderr.slice(-1500)}`);
      }
    }
    const sipCallIds = results.map((r) => `1-${r.pid}@127.0.0.1`);
    const endedAt = await Promise.all(
      sipCallIds.map(async (id) => {
        await gateway.waitFor((e) => e.type === 'call.ended' && e.sipCallId === id, 120_000);
        const index = gateway.events.findIndex((e) => e.type === 'call.ended' && e.sipCallId === id);
        return gateway.arrivals[index] ?? Date.now();
      }),
    );
    const wallMs = performance.now() - started;

    // The reference run: the same engine, the same audio, nothing else running.
    const engine = await createSttEngine('pocketsphinx', { pocketsphinxFinalPass: FINAL_PASS });
    const calls: CallWords[] = [];
    try {
      for (let i = 0; i < options.calls; i++) {
        const id = sipCallIds[i]!;
        const events = gateway.events.filter((e) => e.sipCallId === id);
        const sip = events
          .filter((e) => e.type === 'transcript.final')
          .map((e) => (e.text ?? '').trim())
          .filter((t) => t !== '')
          .join(' ');
        const direct = await transcribeDirect(engine, audio[i]!.mulaw);
        const reference = audio[i]!.reference;
        const rtp = rtpPath(recordDir, events, audio[i]!.mulaw);
        const directOnPlayed = rtp.recorded === undefined ? '' : await transcribeDirect(engine, rtp.recorded);
        calls.push({
          sipCallId: id,
          reference,
          sip,
          direct,
          referenceWords: reference.split(' ').length,
          sipEdits: edits(reference, sip),
          directEdits: edits(reference, direct),
          sipVsDirectEdits: edits(direct, sip),
          gaps: events.filter((e) => e.type === 'transcript.gap'),
          rtpFramesMissing: rtp.missing,
          rtpFramesDisplaced: rtp.displaced,
          directOnPlayed,
          audioMs: placed[i]!.durationMs,
          endLagMs: Math.max(0, endedAt[i]! - byeAt),
        });
      }
    } finally {
      await engine.close();
    }
    const referenceWords = calls.reduce((n, c) => n + c.referenceWords, 0);
    const pct = (n: number): number => (100 * n) / referenceWords;
    const allGaps = calls.flatMap((c) => c.gaps);
    return {
      calls,
      referenceWords,
      sipWerPct: pct(calls.reduce((n, c) => n + c.sipEdits, 0)),
      directWerPct: pct(calls.reduce((n, c) => n + c.directEdits, 0)),
      gaps: allGaps.length,
      gapLostMs: allGaps.reduce((n, g) => n + Number(g['lostMs'] ?? 0), 0),
      wallMs,
      gatewayStderr: gateway.stderr(),
    };
  } finally {
    await gateway.stop('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}
