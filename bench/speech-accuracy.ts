/**
 * Accuracy and speed of file transcription: our pocketsphinx engine (streaming 20 ms frames as
 * fast as it takes them, utterances cut by its VAD) against Debian's `pocketsphinx_continuous` on
 * the same audio and the same model, and the sherpa engine when a streaming model is installed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SttEngine } from '../src/engines/spi/index.js';
import { EngineError } from '../src/engines/spi/index.js';
import { pcmFrames, streamFrames } from '../src/engines/spi/testing/index.js';
import { wordErrorRate } from '../test/support/wer.js';
import { fmt, printTable } from './lib.js';
import type { Clip, ClipSet } from './speech-data.js';
import { PEER_CLI, canRun, median, run, runPeerCli, wordCount } from './speech-data.js';

interface Scored {
  readonly edits: number;
  readonly words: number;
  readonly wallMs: number;
  /** The engine's own processing time (decoder and VAD in the worker); the CLI's is 0. */
  readonly busyMs: number;
}

interface SetTotals {
  readonly audioMs: number;
  readonly edits: number;
  readonly words: number;
  readonly wallMs: number;
  readonly busyMs: number;
}

/** Transcribes one clip as a stream of 20 ms frames; returns the finals joined and the wall time. */
export async function transcribeClip(
  engine: SttEngine,
  clip: Clip,
): Promise<{ text: string; wallMs: number; busyMs: number }> {
  const frames = pcmFrames(clip.format, clip.pcm);
  const texts: string[] = [];
  let busyMs = 0;
  const t0 = performance.now();
  for await (const event of engine.transcribe(streamFrames(frames))) {
    if (event.type === 'final' && event.text !== '') texts.push(event.text);
    if (event.type === 'usage') busyMs = event.processingMs;
  }
  return { text: texts.join(' '), wallMs: performance.now() - t0, busyMs };
}

function score(reference: string, hypothesis: string, wallMs: number, busyMs = 0): Scored {
  const words = wordCount(reference);
  return { edits: Math.round(wordErrorRate(reference, hypothesis) * words), words, wallMs, busyMs };
}

function add(totals: SetTotals, clip: Clip, scored: Scored): SetTotals {
  return {
    audioMs: totals.audioMs + clip.durationMs,
    edits: totals.edits + scored.edits,
    words: totals.words + scored.words,
    wallMs: totals.wallMs + scored.wallMs,
    busyMs: totals.busyMs + scored.busyMs,
  };
}

const ZERO: SetTotals = { audioMs: 0, edits: 0, words: 0, wallMs: 0, busyMs: 0 };
const pct = (edits: number, words: number): string => fmt((100 * edits) / words, 1);

/** Table 1: per clip, then per set and overall, ours against the CLI. */
export async function accuracyBench(
  engine: SttEngine,
  sets: readonly ClipSet[],
  vadLabel: string,
): Promise<void> {
  if (sets.length === 0) {
    console.log('\npocketsphinx accuracy: skipped — no clip set could be loaded');
    return;
  }
  const peer = canRun(PEER_CLI, ['-h']);
  const dir = mkdtempSync(join(tmpdir(), 'vox-bench-speech-'));
  try {
    // The CLI loads its model in every process; 0.1 s of silence measures that start-up.
    let startupMs = 0;
    if (peer) {
      const tiny = join(dir, 'tiny.wav');
      run('sox', ['-n', '-r', '16000', '-b', '16', '-c', '1', tiny, 'trim', '0', '0.1']);
      startupMs = median([0, 1, 2].map(() => runPeerCli(tiny).wallMs));
    }
    // The first stream of an engine starts its workers and decoders; a server pays that once.
    const warm = sets[0]!.clips[0]!;
    await transcribeClip(engine, warm);

    const clipRows: (string | number)[][] = [];
    const setRows: (string | number)[][] = [];
    let allOurs = ZERO;
    let allPeer = ZERO;
    for (const set of sets) {
      let ours = ZERO;
      let cli = ZERO;
      for (const clip of set.clips) {
        const mine = await transcribeClip(engine, clip);
        const oursScored = score(clip.reference, mine.text, mine.wallMs, mine.busyMs);
        ours = add(ours, clip, oursScored);
        let peerCell = 'not installed';
        if (peer) {
          let input = clip.path;
          if (clip.format.sampleRateHz !== 16000) {
            // The CLI's model is 16 kHz and it does not resample: sox makes the 16 kHz copy.
            input = join(dir, `${clip.name}.16k.wav`);
            run('sox', [clip.path, '-r', '16000', input]);
          }
          const theirs = runPeerCli(input);
          const peerScored = score(clip.reference, theirs.text, theirs.wallMs);
          cli = add(cli, clip, peerScored);
          peerCell = pct(peerScored.edits, peerScored.words);
        }
        clipRows.push([
          set.name.split(' ')[0]!,
          clip.format.sampleRateHz === 16000 ? clip.name : `${clip.name} (8 kHz; CLI: sox → 16 kHz)`,
          fmt(clip.durationMs / 1000, 1),
          oursScored.words,
          pct(oursScored.edits, oursScored.words),
          peerCell,
        ]);
      }
      allOurs = addTotals(allOurs, ours);
      allPeer = addTotals(allPeer, cli);
      setRows.push(summaryRow(set.name, set.clips.length, ours, peer ? cli : undefined, startupMs));
    }
    const files = sets.reduce((n, s) => n + s.clips.length, 0);
    if (sets.length > 1)
      setRows.push(summaryRow('all', files, allOurs, peer ? allPeer : undefined, startupMs));

    printTable(
      `pocketsphinx: WER per clip, voxbridge (streaming, ${vadLabel} VAD) vs ${PEER_CLI} (same model, same file)`,
      ['set', 'clip', 'audio s', 'words', 'voxbridge WER %', 'CLI WER %'],
      clipRows,
    );
    printTable(
      `pocketsphinx: corpus WER (total edits / total reference words) and real-time factor (processing time / audio)`,
      [
        'set',
        'clips',
        'audio s',
        'words',
        'voxbridge WER %',
        'CLI WER %',
        'WER diff (pts)',
        'voxbridge RTF (wall)',
        'voxbridge RTF (decoder busy)',
        'CLI RTF (whole process)',
        'CLI RTF (net of start-up)',
      ],
      setRows,
    );
    if (peer) {
      const diff = (100 * allOurs.edits) / allOurs.words - (100 * allPeer.edits) / allPeer.words;
      const netPeer = allPeer.wallMs - startupMs * files;
      const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
      console.log(
        `\nvoxbridge: the engine already running (one warm-up stream), each clip one stream of 20 ms frames fed as fast as` +
          ` it takes them; wall = first frame to last event, decoder busy = the worker's time in decoder and VAD (usage` +
          ` event; it includes Silero and the partial hypotheses every 250 ms, which the CLI does not compute).` +
          ` wall − busy (${fmt((allOurs.wallMs - allOurs.busyMs) / files, 0)} ms per clip here) is the time audio waited` +
          ` in the worker: messaging, and the fresh decoder every stream gets (a worker builds the next spare one in` +
          ` between, about as long as the CLI's model load). CLI: one process per file; its start-up (model load, median of 3 runs` +
          ` on 0.1 s of silence) is ${fmt(startupMs, 0)} ms.`,
      );
      console.log(
        `Target: WER within 1 point of the CLI → ${fmt(diff, 1)} points (${verdict(diff <= 1)}).` +
          ` Not slower than the CLI → wall ${fmt(allOurs.wallMs / 1000, 2)} s vs whole processes ${fmt(allPeer.wallMs / 1000, 2)} s` +
          ` (${verdict(allOurs.wallMs <= allPeer.wallMs)}); decoding alone ${fmt(allOurs.busyMs / 1000, 2)} s vs` +
          ` ${fmt(netPeer / 1000, 2)} s net of start-up (${verdict(allOurs.busyMs <= netPeer)}).`,
      );
    } else {
      console.log(`\n${PEER_CLI} is not installed (apt-get install pocketsphinx): no peer column.`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function addTotals(a: SetTotals, b: SetTotals): SetTotals {
  return {
    audioMs: a.audioMs + b.audioMs,
    edits: a.edits + b.edits,
    words: a.words + b.words,
    wallMs: a.wallMs + b.wallMs,
    busyMs: a.busyMs + b.busyMs,
  };
}

function summaryRow(
  name: string,
  clips: number,
  ours: SetTotals,
  cli: SetTotals | undefined,
  startupMs: number,
): (string | number)[] {
  const oursWer = (100 * ours.edits) / ours.words;
  const row: (string | number)[] = [name, clips, fmt(ours.audioMs / 1000, 1), ours.words, fmt(oursWer, 1)];
  const oursRtf = [fmt(ours.wallMs / ours.audioMs, 3), fmt(ours.busyMs / ours.audioMs, 3)];
  if (cli === undefined) return [...row, '–', '–', ...oursRtf, '–', '–'];
  const cliWer = (100 * cli.edits) / cli.words;
  const sign = oursWer - cliWer > 0 ? '+' : '';
  return [
    ...row,
    fmt(cliWer, 1),
    `${sign}${fmt(oursWer - cliWer, 1)}`,
    ...oursRtf,
    fmt(cli.wallMs / cli.audioMs, 3),
    fmt((cli.wallMs - startupMs * clips) / cli.audioMs, 3),
  ];
}

/** Table 3: the sherpa engine on the same sets, or one line saying why not. */
export async function sherpaBench(
  createEngine: () => Promise<SttEngine>,
  sets: readonly ClipSet[],
): Promise<void> {
  if (sets.length === 0) {
    console.log('\nsherpa: skipped — no clip set could be loaded');
    return;
  }
  let engine: SttEngine | undefined;
  try {
    engine = await createEngine();
    // The model is looked up when the first stream starts: MODEL_NOT_FOUND comes from here.
    await transcribeClip(engine, sets[0]!.clips[0]!);
  } catch (error) {
    await engine?.close();
    const reason =
      error instanceof EngineError
        ? `${error.code}: ${error.message}`
        : error instanceof Error
          ? error.message
          : String(error);
    console.log(`\nsherpa: skipped — ${reason}`);
    return;
  }
  try {
    const rows: (string | number)[][] = [];
    let all = ZERO;
    for (const set of sets) {
      let totals = ZERO;
      for (const clip of set.clips) {
        const mine = await transcribeClip(engine, clip);
        totals = add(totals, clip, score(clip.reference, mine.text, mine.wallMs));
      }
      all = addTotals(all, totals);
      rows.push([
        set.name,
        set.clips.length,
        fmt(totals.audioMs / 1000, 1),
        totals.words,
        pct(totals.edits, totals.words),
        fmt(totals.wallMs / 1000, 2),
        fmt(totals.wallMs / totals.audioMs, 3),
      ]);
    }
    rows.push([
      'all',
      sets.reduce((n, s) => n + s.clips.length, 0),
      fmt(all.audioMs / 1000, 1),
      all.words,
      pct(all.edits, all.words),
      fmt(all.wallMs / 1000, 2),
      fmt(all.wallMs / all.audioMs, 3),
    ]);
    printTable(
      'sherpa STT: corpus WER and real-time factor (same clips, streaming 20 ms frames)',
      ['set', 'clips', 'audio s', 'words', 'WER %', 'time s', 'RTF'],
      rows,
    );
  } finally {
    await engine.close();
  }
}
