/**
 * Speech benchmark: recognition accuracy and speed against Debian's pocketsphinx_continuous on the
 * same audio, concurrent live streams fed in real time, sherpa when its model is installed, TTS
 * time to first audio, and the TTS cache. Run: `npm run bench -- speech`.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { createSttEngine } from '../src/app/index.js';
import { resolveModelDir } from '../src/models/index.js';
import { accuracyBench, sherpaBench } from './speech-accuracy.js';
import { SHARED_MODELS_DIR, debianVersion, loadClipSets } from './speech-data.js';
import { isolationBench } from './speech-isolation.js';
import { liveStreamsBench } from './speech-live.js';
import { telephoneBench } from './speech-telephone.js';
import { measureTts, measureTtsCache, measureTtsEngine, printTts, printTtsCache } from './speech-tts.js';

export async function runSpeechBench(): Promise<void> {
  const started = performance.now();
  console.log('\n## Speech\n');
  console.log('Command: `npm run bench -- speech`');
  console.log(
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores (availableParallelism ${availableParallelism()}), Node ${process.version}`,
  );
  console.log(
    `Debian: pocketsphinx ${debianVersion('pocketsphinx')}, pocketsphinx-en-us ${debianVersion('pocketsphinx-en-us')}, flite ${debianVersion('flite')}, espeak-ng ${debianVersion('espeak-ng')}, sox ${debianVersion('sox')}`,
  );
  // Other work on the machine slows every engine alike, but the live-stream table notices most.
  console.log(`Load average at the start (1/5/15 min): ${loadLine()}`);
  // Models (Silero VAD) come from ../shared/models when it is there, as on CI; else from
  // VOXBRIDGE_MODELS_DIR or the user cache, as `voxbridge` itself looks them up.
  const modelsDir = existsSync(SHARED_MODELS_DIR) ? SHARED_MODELS_DIR : undefined;
  const vadDir = await resolveModelDir('silero-vad', { modelsDir });
  const vadLabel = vadDir === undefined ? 'energy' : 'Silero';
  console.log(
    `Utterance VAD: ${vadDir === undefined ? 'energy detector (no silero-vad model found)' : `Silero (${vadDir})`}`,
  );

  // TTS runs first, in a small process: every flite or espeak sentence is a child process, and
  // spawning one from a process holding the recognizers' memory costs more (the extra row below).
  const tts = await measureTts(modelsDir);
  const ttsCache = await measureTtsCache();

  const { sets, skipped } = loadClipSets();
  for (const line of skipped) console.log(line);

  const engine = await createSttEngine('pocketsphinx', { modelsDir });
  try {
    await accuracyBench(engine, sets, vadLabel);
    await liveStreamsBench(
      engine,
      sets.find((s) => s.name.startsWith('LibriSpeech')),
    );
  } finally {
    await engine.close();
  }
  await telephoneBench(modelsDir, vadDir);
  await isolationBench(modelsDir);
  await sherpaBench(() => createSttEngine('sherpa', { modelsDir }), sets);
  const rssMb = process.memoryUsage().rss / 1e6;
  const loaded = await measureTtsEngine(
    'flite',
    modelsDir,
    `, after the STT runs (process RSS ${rssMb.toFixed(0)} MB)`,
  );
  if ('row' in loaded) tts.rows.push(loaded.row);
  printTts(tts);
  printTtsCache(ttsCache);
  console.log(
    `\nSpeech benchmark took ${((performance.now() - started) / 1000).toFixed(0)} s; load average at the end ${loadLine()}.`,
  );
}

function loadLine(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}
