import { Command, Option } from 'commander';
import { createSttEngine, STT_ENGINE_NAMES } from '../app/index.js';
import type { SttEngineName } from '../app/index.js';
import type { SttEngine } from '../engines/spi/index.js';
import type { AudioFormat, AudioFrame } from '../media/audio/index.js';
import { FrameSplitter, resample } from '../media/audio/index.js';
import { g711Decode } from '../media/codecs/index.js';
import { splitChannels } from '../media/wav/index.js';
import { readWavFile } from './read-wav-file.js';

/** One line of `transcribe --json` output. */
export interface TranscriptLine {
  type: 'partial' | 'final';
  file: string;
  channel: number;
  text: string;
  startMs: number;
  endMs: number;
  confidence?: number;
}

/**
 * Reads a WAV of any supported encoding and returns one PCM16 mono stream per channel, at 8 or
 * 16 kHz (other rates are resampled to 16 kHz, which every recognizer takes).
 */
async function channelsOf(path: string): Promise<{ format: AudioFormat; pcm: Int16Array }[]> {
  const wav = await readWavFile(path);
  return splitChannels(wav).map((frame) => {
    let pcm =
      frame.format.encoding === 'pcm16'
        ? (frame.data as Int16Array)
        : g711Decode(frame.format.encoding, frame.data as Uint8Array);
    let rate = frame.format.sampleRateHz;
    if (rate !== 8000 && rate !== 16000) {
      pcm = resample(pcm, rate, 16000);
      rate = 16000;
    }
    return { format: { encoding: 'pcm16', sampleRateHz: rate, channels: 1 }, pcm };
  });
}

async function* framesOf(format: AudioFormat, pcm: Int16Array): AsyncGenerator<AudioFrame> {
  const splitter = new FrameSplitter(format);
  // Hand the recognizer 20 ms frames, yielding to the event loop between batches.
  const frames = splitter.push(pcm);
  const last = splitter.flush(false);
  if (last) frames.push(last);
  for (const [i, frame] of frames.entries()) {
    if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    yield frame;
  }
}

export async function transcribeFile(
  engine: SttEngine,
  file: string,
  options: { partials: boolean; onLine: (line: TranscriptLine) => void },
): Promise<void> {
  const channels = await channelsOf(file);
  await Promise.all(
    channels.map(async ({ format, pcm }, channel) => {
      for await (const event of engine.transcribe(framesOf(format, pcm), { partials: options.partials })) {
        if (event.type === 'final') {
          const { text, startMs, endMs, confidence } = event;
          options.onLine({ type: 'final', file, channel, text, startMs, endMs, confidence });
        } else if (event.type === 'partial' && options.partials) {
          const { text, startMs, endMs } = event;
          options.onLine({ type: 'partial', file, channel, text, startMs, endMs });
        }
      }
    }),
  );
}

function formatLine(line: TranscriptLine): string {
  const span = `${(line.startMs / 1000).toFixed(2)}-${(line.endMs / 1000).toFixed(2)}s`;
  return `${line.file} [ch${line.channel}] ${span}${line.type === 'partial' ? ' (partial)' : ''}: ${line.text}`;
}

export function transcribeCommand(): Command {
  return new Command('transcribe')
    .description('transcribe WAV files (PCM, A-law or µ-law; one transcript per channel)')
    .argument('<file...>', 'WAV files')
    .addOption(
      new Option('--engine <engine>', 'recognizer').choices([...STT_ENGINE_NAMES]).default('pocketsphinx'),
    )
    .option('--partials', 'also print partial results')
    .option('--json', 'one JSON object per line')
    .option('--models-dir <dir>', 'directory with downloaded models (default: $VOXBRIDGE_MODELS_DIR)')
    .action(
      async (
        files: string[],
        opts: { engine: SttEngineName; partials?: boolean; json?: boolean; modelsDir?: string },
      ) => {
        const engine = await createSttEngine(opts.engine, { modelsDir: opts.modelsDir });
        try {
          for (const file of files) {
            await transcribeFile(engine, file, {
              partials: opts.partials ?? false,
              onLine: (line) =>
                process.stdout.write(`${opts.json ? JSON.stringify(line) : formatLine(line)}\n`),
            });
          }
        } finally {
          await engine.close();
        }
      },
    );
}
