import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AudioFrame } from '../../../media/audio/index.js';
import { parseWav } from '../../../media/wav/index.js';
import type {
  TtsCapabilities,
  TtsEngine,
  TtsRequest,
  TtsSynthesisOptions,
  TtsVoice,
} from '../../spi/index.js';
import { EngineError, abortedError } from '../../spi/index.js';
import type { SentenceAudio, SpawnProcess } from '../output/index.js';
import { runSynthesisProcess, streamUtterance } from '../output/index.js';
import { planUtterance } from '../text/index.js';

export interface FliteTtsOptions {
  /** The flite executable; `flite` on the PATH unless given. */
  readonly binaryPath?: string;
  /** Voice for requests that name none; `slt` unless given. */
  readonly defaultVoice?: string;
  /** Where flite writes each sentence's WAV; a private directory under the OS temp dir unless given. */
  readonly tempDir?: string;
  /** Replaces child_process.spawn, for tests that count or inspect the processes. */
  readonly spawn?: SpawnProcess;
}

const NAME = 'flite';
const INSTALL_HINT = 'apt-get install flite';

/**
 * What flite's built-in voices are. flite itself only lists their names; awb_time is left out
 * because it is a limited-domain voice that can only say the time.
 */
const KNOWN_VOICES: Readonly<Record<string, TtsVoice & { readonly sampleRateHz: number }>> = {
  kal: { id: 'kal', language: 'en-US', gender: 'male', sampleRateHz: 8000 },
  kal16: { id: 'kal16', language: 'en-US', gender: 'male', sampleRateHz: 16000 },
  awb: { id: 'awb', language: 'en-GB', gender: 'male', sampleRateHz: 16000 },
  rms: { id: 'rms', language: 'en-US', gender: 'male', sampleRateHz: 16000 },
  slt: { id: 'slt', language: 'en-US', gender: 'female', sampleRateHz: 16000 },
};
const LIMITED_DOMAIN_VOICES = new Set(['awb_time']);

/** engineOptions flite understands, mapped to its `--setf` features. */
const FEATURE_OPTIONS: Readonly<
  Record<string, { readonly feature: string; readonly min: number; readonly max: number }>
> = {
  pitchHz: { feature: 'int_f0_target_mean', min: 50, max: 400 },
};

/**
 * Speaks through Debian's `flite` CLI (CMU Flite 2.2), one process per sentence. flite cannot
 * write a WAV to a socket (Node's stdout pipes are sockets, and flite opens /dev/stdout as a
 * file), so each sentence goes to a file in a private temp directory that is read and removed
 * at once. Create with `FliteTts.create()`, which checks the binary and reads its version and
 * voices, so a missing install fails at start-up rather than on the first call.
 */
export class FliteTts implements TtsEngine {
  readonly name = NAME;
  readonly model: string;
  readonly capabilities: TtsCapabilities;
  private readonly binary: string;
  private readonly defaultVoice: string;
  private readonly voiceRates: ReadonlyMap<string, number>;
  private readonly tempDir: string;
  private readonly spawn: SpawnProcess | undefined;
  private readonly closing = new AbortController();
  private sentenceCount = 0;

  private constructor(
    options: FliteTtsOptions,
    probe: { model: string; voices: readonly (TtsVoice & { sampleRateHz: number })[]; tempDir: string },
  ) {
    this.binary = options.binaryPath ?? 'flite';
    this.spawn = options.spawn;
    this.model = probe.model;
    this.tempDir = probe.tempDir;
    this.voiceRates = new Map(probe.voices.map((v) => [v.id, v.sampleRateHz]));
    this.defaultVoice =
      options.defaultVoice ?? (this.voiceRates.has('slt') ? 'slt' : (probe.voices[0]?.id ?? 'kal'));
    this.capabilities = {
      voices: probe.voices.map(({ id, language, gender }) =>
        gender === undefined ? { id, language } : { id, language, gender },
      ),
      ssml: true,
      sentenceStreaming: true,
      nativeSampleRateHz: this.voiceRates.get(this.defaultVoice) ?? 16000,
    };
  }

  /** Checks that flite runs, and reads its version and voices. Missing binary: ENGINE_UNAVAILABLE. */
  static async create(options: FliteTtsOptions = {}): Promise<FliteTts> {
    const binary = options.binaryPath ?? 'flite';
    const run = async (args: string[]): Promise<string> => {
      const { stdout, stderr } = await runSynthesisProcess(binary, args, {
        engine: NAME,
        signal: new AbortController().signal,
        installHint: INSTALL_HINT,
        anyExitStatus: true,
        ...(options.spawn === undefined ? {} : { spawn: options.spawn }),
      });
      return Buffer.from(stdout).toString('utf8') + stderr;
    };
    const version = /version:\s*(\S+)/.exec(await run(['--version']))?.[1];
    if (version === undefined)
      throw new EngineError(NAME, 'ENGINE_UNAVAILABLE', `${binary} --version printed no version`);
    const names =
      /Voices available:(.*)/
        .exec(await run(['-lv']))?.[1]
        ?.trim()
        .split(/\s+/) ?? [];
    const voices = names
      .filter((n) => n.length > 0 && !LIMITED_DOMAIN_VOICES.has(n))
      .map((id) => KNOWN_VOICES[id] ?? { id, language: 'en-US', sampleRateHz: 16000 });
    if (voices.length === 0)
      throw new EngineError(NAME, 'ENGINE_UNAVAILABLE', `${binary} -lv lists no voices`);
    if (options.defaultVoice !== undefined && !voices.some((v) => v.id === options.defaultVoice)) {
      throw new EngineError(
        NAME,
        'INVALID_REQUEST',
        `default voice ${options.defaultVoice} is not installed`,
      );
    }
    const tempDir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'voxbridge-flite-'));
    // The version string names the voice data too: flite's voices are compiled into the binary.
    return new FliteTts(options, {
      model: version.startsWith('flite') ? version : `flite-${version}`,
      voices,
      tempDir,
    });
  }

  async *synthesize(request: TtsRequest, options: TtsSynthesisOptions = {}): AsyncGenerator<AudioFrame> {
    const outer = options.signal;
    if (outer?.aborted) throw abortedError(NAME, outer);
    if (this.closing.signal.aborted) throw new EngineError(NAME, 'ENGINE_UNAVAILABLE', 'engine is closed');
    const voice = request.voice ?? this.defaultVoice;
    const nativeRateHz = this.voiceRates.get(voice);
    if (nativeRateHz === undefined) {
      throw new EngineError(
        NAME,
        'INVALID_REQUEST',
        `unknown voice ${voice}; installed: ${[...this.voiceRates.keys()].join(', ')}`,
      );
    }
    if (request.language !== undefined && !/^en\b/i.test(request.language)) {
      throw new EngineError(NAME, 'INVALID_REQUEST', `flite speaks English only, not ${request.language}`);
    }
    checkRate(request.rate);
    const features = featureArgs(request.engineOptions);
    const plan = planUtterance(request, NAME);
    yield* streamUtterance(plan, (text, rate, s) => this.sentence(text, rate, voice, features, s), {
      engine: NAME,
      format: request.format,
      nativeRateHz,
      ...(outer === undefined ? {} : { signal: outer }),
      closeSignal: this.closing.signal,
    });
  }

  /** Aborts syntheses in flight and removes the temp directory. */
  async close(): Promise<void> {
    this.closing.abort();
    await rm(this.tempDir, { recursive: true, force: true });
  }

  private async sentence(
    text: string,
    rate: number,
    voice: string,
    features: readonly string[],
    signal: AbortSignal,
  ): Promise<SentenceAudio> {
    const file = join(this.tempDir, `${++this.sentenceCount}.wav`);
    // duration_stretch scales phone durations: 2 is half as fast. Clamped to what stays intelligible.
    const stretch = 1 / Math.min(4, Math.max(0.25, rate));
    const args = [
      '-voice',
      voice,
      '--setf',
      `duration_stretch=${stretch.toFixed(3)}`,
      ...features,
      '-t',
      text,
      '-o',
      file,
    ];
    try {
      const { stderr } = await runSynthesisProcess(this.binary, args, {
        engine: NAME,
        signal,
        installHint: INSTALL_HINT,
        ...(this.spawn === undefined ? {} : { spawn: this.spawn }),
      });
      // flite exits 0 even when it could not write the file, so the file is the only proof.
      const bytes = await readFile(file).catch((error: unknown) => {
        throw new EngineError(NAME, 'ENGINE_FAILED', `flite wrote no audio: ${stderr.trim()}`, {
          cause: error,
        });
      });
      return toSentenceAudio(bytes);
    } finally {
      await rm(file, { force: true });
    }
  }
}

function toSentenceAudio(bytes: Uint8Array): SentenceAudio {
  let wav;
  try {
    wav = parseWav(bytes);
  } catch (error) {
    throw new EngineError(NAME, 'ENGINE_FAILED', 'flite wrote an unreadable WAV', { cause: error });
  }
  if (!(wav.samples instanceof Int16Array) || wav.format.channels !== 1) {
    throw new EngineError(
      NAME,
      'ENGINE_FAILED',
      `flite wrote ${wav.format.encoding} with ${wav.format.channels} channels, not mono PCM`,
    );
  }
  return { pcm: wav.samples, sampleRateHz: wav.format.sampleRateHz };
}

function checkRate(rate: number | undefined): void {
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) {
    throw new EngineError(NAME, 'INVALID_REQUEST', `rate must be a positive number, got ${rate}`);
  }
}

function featureArgs(engineOptions: TtsRequest['engineOptions']): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(engineOptions ?? {})) {
    const option = FEATURE_OPTIONS[key];
    if (option === undefined) {
      throw new EngineError(
        NAME,
        'INVALID_REQUEST',
        `unknown engine option ${key}; flite knows ${Object.keys(FEATURE_OPTIONS).join(', ')}`,
      );
    }
    if (typeof value !== 'number' || !(value >= option.min && value <= option.max)) {
      throw new EngineError(
        NAME,
        'INVALID_REQUEST',
        `${key} must be a number from ${option.min} to ${option.max}`,
      );
    }
    args.push('--setf', `${option.feature}=${value}`);
  }
  return args;
}
