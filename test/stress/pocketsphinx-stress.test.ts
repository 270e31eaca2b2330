import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { PocketsphinxDecoder } from '../../src/engines/stt/pocketsphinx/pocketsphinx-decoder.js';
import { loadPocketsphinx } from '../../src/engines/stt/pocketsphinx/pocketsphinx-library.js';
import { join } from 'node:path';
import { ROOT, sharedFile } from '../support/paths.js';

/**
 * Issue 11 point 2: the heap corruption of the pocketsphinx binding. The stress program
 * (pocketsphinx-stress.ts) runs the create/feed/abort/free cycle in worker threads and in one
 * thread under glibc's heap checks; a corrupted heap ends it with SIGABRT, which fails these tests.
 */
const PROGRAM = fileURLToPath(new URL('./pocketsphinx-stress.ts', import.meta.url));
const DEBIAN_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
/** The telephone model the repository ships (models/README.md). */
const NARROWBAND_DIR = join(ROOT, 'models', 'pocketsphinx-en-us-8k');

interface StressResult {
  readonly threads: number;
  readonly decodersCreated: number;
  readonly decodersFreed: number;
  readonly channels: number;
  readonly utterances: number;
  readonly finals: number;
  readonly partials: number;
  readonly aborts: number;
  readonly frames: number;
  readonly errors: number;
}

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly result: StressResult | undefined;
}

function runStress(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PROGRAM, ...args], {
      // glibc checks every heap operation and aborts on the first inconsistency; freed memory is
      // filled, so a use after free reads garbage instead of the old values.
      env: { ...process.env, MALLOC_CHECK_: '3', MALLOC_PERTURB_: '165' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const line = stdout.split('\n').find((l) => l.startsWith('STRESS-RESULT '));
      const result =
        line === undefined ? undefined : (JSON.parse(line.slice('STRESS-RESULT '.length)) as StressResult);
      resolve({ code, signal, stderr, result });
    });
  });
}

function assertClean(run: Run, decoders: number): StressResult {
  assert.equal(run.signal, null, `the stress program died of ${run.signal}:\n${run.stderr}`);
  assert.equal(run.code, 0, run.stderr);
  const result = run.result;
  assert.ok(result !== undefined, `no STRESS-RESULT line:\n${run.stderr}`);
  assert.equal(result.errors, 0);
  assert.equal(result.decodersCreated, decoders);
  assert.equal(result.decodersFreed, decoders);
  // The cycle really ran: channels decoded speech into finals and some closed mid-utterance.
  assert.ok(result.channels >= 2, `channels ${result.channels}`);
  assert.ok(
    result.utterances > 0 && result.finals > 0,
    `utterances ${result.utterances}, finals ${result.finals}`,
  );
  assert.ok(result.frames > 1000, `frames ${result.frames}`);
  return result;
}

describe('pocketsphinx binding under stress (issue 11)', () => {
  sharedFile('audio/librispeech/8k.wav');

  it('creates, feeds, aborts and frees decoders in 3 worker threads at once under MALLOC_CHECK_=3', async () => {
    const run = await runStress(['--threads', '3', '--streams', '3', '--decoders', '3', '--seed', '7']);
    const result = assertClean(run, 9);
    assert.equal(result.threads, 3);
    // Each thread's choices follow its seed, so these runs always abort some channels mid-utterance.
    assert.ok(result.aborts > 0, `aborts ${result.aborts}`);
  });

  it('runs the same cycle in one thread (the main thread) under MALLOC_CHECK_=3', async () => {
    const run = await runStress(['--threads', '0', '--streams', '3', '--decoders', '3', '--seed', '3']);
    const result = assertClean(run, 3);
    assert.equal(result.threads, 0);
    assert.ok(result.aborts > 0, `aborts ${result.aborts}`);
  });

  it('runs concurrent transcriptions through PocketsphinxStt, some aborted mid-stream, under MALLOC_CHECK_=3', async () => {
    const run = await runStress([
      '--engine',
      '--threads',
      '2',
      '--streams',
      '2',
      '--decoders',
      '2',
      '--seed',
      '5',
    ]);
    assert.equal(run.signal, null, `the stress program died of ${run.signal}:\n${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.result !== undefined, run.stderr);
    assert.equal(run.result.errors, 0);
    assert.equal(run.result.channels, 4);
    assert.ok(run.result.utterances > 0 && run.result.frames > 100, JSON.stringify(run.result));
  });

  it('leaves sphinxbase’s one process-wide log stream off when decoders are created and freed', () => {
    // With `-logfn`, every ps_init swapped that stream for a newly opened FILE and fclosed the old
    // one, unlocked, while decoders in other threads wrote to it: the corruption this suite found.
    const lib = loadPocketsphinx('pocketsphinx');
    const decoder = new PocketsphinxDecoder('pocketsphinx', {
      hmmDir: NARROWBAND_DIR,
      lmFile: `${DEBIAN_MODEL_DIR}/en-us.lm.bin`,
      dictFile: `${DEBIAN_MODEL_DIR}/cmudict-en-us.dict`,
      sampleRateHz: 8000,
    });
    try {
      assert.equal(lib.errGetLogfp(), null);
      decoder.decodeWholeUtterance(new Int16Array(8000));
      assert.equal(lib.errGetLogfp(), null);
    } finally {
      decoder.free();
    }
    assert.equal(lib.errGetLogfp(), null);
  });

  it('refuses to use a freed decoder instead of handing pocketsphinx a NULL pointer', () => {
    const decoder = new PocketsphinxDecoder('pocketsphinx', {
      hmmDir: NARROWBAND_DIR,
      lmFile: `${DEBIAN_MODEL_DIR}/en-us.lm.bin`,
      dictFile: `${DEBIAN_MODEL_DIR}/cmudict-en-us.dict`,
      sampleRateHz: 8000,
    });
    decoder.startUtterance();
    decoder.process(new Int16Array(1600));
    decoder.free();
    decoder.free();
    assert.equal(decoder.utteranceOpen, false);
    assert.throws(() => decoder.startUtterance(), /used after free/);
    assert.throws(() => decoder.decodeWholeUtterance(new Int16Array(1600)), /used after free/);
    assert.throws(() => decoder.cepstralMean(), /used after free/);
    // What has no utterance to act on stays a no-op, as before.
    decoder.process(new Int16Array(160));
    assert.equal(decoder.partialText(), '');
    assert.deepEqual(decoder.endUtterance(), { text: '', confidence: 0, words: [] });
  });
});
