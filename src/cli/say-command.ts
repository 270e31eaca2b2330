import { Command, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { createTtsEngine, TTS_ENGINE_NAMES } from '../app/index.js';
import type { TtsEngineName } from '../app/index.js';
import type { TtsOutputFormat } from '../engines/spi/index.js';
import type { AudioEncoding } from '../media/audio/index.js';
import { encodeWav } from '../media/wav/index.js';

function parseRate(value: string): 8000 | 16000 {
  const rate = Number(value);
  if (rate !== 8000 && rate !== 16000) throw new CommanderArgumentError('must be 8000 or 16000');
  return rate;
}

function parseSpeed(value: string): number {
  const rate = Number(value);
  if (!(rate >= 0.25 && rate <= 4)) throw new CommanderArgumentError('must be a number from 0.25 to 4');
  return rate;
}

interface SayOptions {
  output: string;
  engine: TtsEngineName;
  voice?: string;
  format: AudioEncoding;
  rate: 8000 | 16000;
  speed?: number;
  ssml?: boolean;
  cacheDir?: string;
  modelsDir?: string;
}

export function sayCommand(): Command {
  return new Command('say')
    .description('synthesize text (or SSML) to a WAV file')
    .argument('<text>', 'what to say; SSML with --ssml')
    .requiredOption('-o, --output <file>', 'WAV file to write')
    .addOption(new Option('--engine <engine>', 'synthesizer').choices([...TTS_ENGINE_NAMES]).default('flite'))
    .option('--voice <voice>', 'voice id (engine-specific)')
    .addOption(
      new Option('--format <encoding>', 'output encoding')
        .choices(['pcm16', 'mulaw', 'alaw'])
        .default('pcm16'),
    )
    .option('--rate <hz>', 'output sample rate: 8000 or 16000', parseRate, 8000)
    .option('--speed <factor>', 'speaking rate, 1 = normal', parseSpeed)
    .option('--ssml', 'the text is SSML')
    .option('--cache-dir <dir>', 'use (and fill) the TTS cache in this directory')
    .option('--models-dir <dir>', 'directory with downloaded models (default: $VOXBRIDGE_MODELS_DIR)')
    .action(async (text: string, opts: SayOptions) => {
      const engine = await createTtsEngine(opts.engine, {
        modelsDir: opts.modelsDir,
        cacheDir: opts.cacheDir,
      });
      try {
        const format: TtsOutputFormat = { encoding: opts.format, sampleRateHz: opts.rate };
        const chunks: (Int16Array | Uint8Array)[] = [];
        for await (const frame of engine.synthesize({
          text,
          format,
          ...(opts.ssml ? { ssml: true } : {}),
          ...(opts.voice !== undefined ? { voice: opts.voice } : {}),
          ...(opts.speed !== undefined ? { rate: opts.speed } : {}),
        })) {
          chunks.push(frame.data);
        }
        const total = chunks.reduce((n, c) => n + c.length, 0);
        const samples = opts.format === 'pcm16' ? new Int16Array(total) : new Uint8Array(total);
        let offset = 0;
        for (const c of chunks) {
          samples.set(c, offset);
          offset += c.length;
        }
        await writeFile(
          opts.output,
          encodeWav({ encoding: opts.format, sampleRateHz: opts.rate, channels: 1 }, samples),
        );
      } finally {
        await engine.close();
      }
    });
}
