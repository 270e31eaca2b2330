import { Command, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { VoxError } from '../core/index.js';
import type { AudioEncoding, AudioFormat } from '../media/audio/index.js';
import { resample } from '../media/audio/index.js';
import { g711Decode, g711Encode } from '../media/codecs/index.js';
import type { WavData, WavInfo } from '../media/wav/index.js';
import { encodeWav } from '../media/wav/index.js';
import { readWavFile } from './read-wav-file.js';

/** What `audio info` reports: the encoding as stored in the file, not as voxbridge converts it. */
export interface AudioInfoReport {
  file: string;
  encoding: string;
  sampleRateHz: number;
  channels: number;
  bitsPerSample: number;
  durationMs: number;
  frameCount: number;
}

function storedEncoding(info: WavInfo): string {
  switch (info.formatTag) {
    case 6:
      return 'alaw';
    case 7:
      return 'mulaw';
    case 3:
      return `float${info.bitsPerSample}`;
    default:
      return `pcm${info.bitsPerSample}`;
  }
}

export function describeWav(file: string, wav: WavData): AudioInfoReport {
  return {
    file,
    encoding: storedEncoding(wav.info),
    sampleRateHz: wav.info.sampleRateHz,
    channels: wav.info.channels,
    bitsPerSample: wav.info.bitsPerSample,
    durationMs: Math.round(wav.info.durationMs * 1000) / 1000,
    frameCount: wav.info.frameCount,
  };
}

/**
 * Converts interleaved samples to the target encoding and rate, keeping the channel count. G.711
 * to G.711 at the same rate goes through PCM16 (as sox does), so the result is bit-exact with sox.
 */
export function convertSamples(
  source: AudioFormat,
  samples: Int16Array | Uint8Array,
  target: { encoding: AudioEncoding; sampleRateHz: number },
): { format: AudioFormat; samples: Int16Array | Uint8Array } {
  const format: AudioFormat = { ...target, channels: source.channels };
  if (source.encoding === target.encoding && source.sampleRateHz === target.sampleRateHz) {
    return { format, samples };
  }
  let pcm: Int16Array =
    source.encoding === 'pcm16'
      ? (samples as Int16Array)
      : g711Decode(source.encoding, samples as Uint8Array);
  if (source.sampleRateHz !== target.sampleRateHz) {
    pcm = resample(pcm, source.sampleRateHz, target.sampleRateHz, source.channels);
  }
  return { format, samples: target.encoding === 'pcm16' ? pcm : g711Encode(target.encoding, pcm) };
}

function parseRate(value: string): number {
  const rate = Number(value);
  if (rate !== 8000 && rate !== 16000) throw new CommanderArgumentError('must be 8000 or 16000');
  return rate;
}

export function audioCommand(): Command {
  const audio = new Command('audio').description('inspect and convert WAV files');

  audio
    .command('info')
    .description('print encoding, sample rate, channels and duration of a WAV file')
    .argument('<file>', 'WAV file')
    .option('--json', 'print one JSON object')
    .action(async (file: string, opts: { json?: boolean }) => {
      const report = describeWav(file, await readWavFile(file));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
      } else {
        process.stdout.write(
          `${file}: ${report.encoding}, ${report.sampleRateHz} Hz, ${report.channels} channel(s), ` +
            `${(report.durationMs / 1000).toFixed(3)} s\n`,
        );
      }
    });

  audio
    .command('convert')
    .description('convert a WAV file to PCM16, A-law or µ-law at 8 or 16 kHz')
    .argument('<in>', 'input WAV file (any WAV sox can write)')
    .argument('<out>', 'output WAV file')
    .addOption(
      new Option('--encoding <encoding>', 'output encoding')
        .choices(['pcm16', 'alaw', 'mulaw'])
        .default('pcm16'),
    )
    .option(
      '--rate <hz>',
      'output sample rate: 8000 or 16000 (default: the input rate if allowed)',
      parseRate,
    )
    .action(async (input: string, output: string, opts: { encoding: AudioEncoding; rate?: number }) => {
      const wav = await readWavFile(input);
      const sampleRateHz = opts.rate ?? wav.format.sampleRateHz;
      if (sampleRateHz !== 8000 && sampleRateHz !== 16000) {
        throw new VoxError(
          'INVALID_ARGUMENT',
          `${input} is ${sampleRateHz} Hz; pass --rate 8000 or --rate 16000 to resample it`,
        );
      }
      const converted = convertSamples(wav.format, wav.samples, { encoding: opts.encoding, sampleRateHz });
      await writeFile(output, encodeWav(converted.format, converted.samples));
    });

  return audio;
}
