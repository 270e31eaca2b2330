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

export interface EspeakTtsOptions {
  /** The espeak-ng executable; `espeak-ng` on the PATH unless given. */
  readonly binaryPath?: string;
  /** Voice for requests that name neither a voice nor a language; `en-us` unless given. */
  readonly defaultVoice?: string;
  /** Replaces child_process.spawn, for tests that count or inspect the processes. */
  readonly spawn?: SpawnProcess;
}

const NAME = 'espeak';
const INSTALL_HINT = 'apt-get install espeak-ng';
/** espeak-ng's own default speed, which rate 1 maps to. */
const NORMAL_WORDS_PER_MINUTE = 175;
/** espeak-ng refuses to go slower than 80 wpm and gets unintelligible well before its maximum. */
const MIN_WORDS_PER_MINUTE = 80;
const MAX_WORDS_PER_MINUTE = 450;
/** Every espeak-ng voice synthesizes at this rate. */
const ESPEAK_RATE_HZ = 22050;

/**
 * Speaks through Debian's `espeak-ng` CLI, one process per sentence: the sentence goes in on
 * standard input (so no text can be taken for an option) and the WAV comes back on standard
 * output. A voice is a language id from `espeak-ng --voices` (`en-us`, `de`), optionally with a
 * variant (`en-us+f3`). Create with `EspeakTts.create()`, which checks the binary and reads its
 * version, voices and variants.
 */
export class EspeakTts implements TtsEngine {
  readonly name = NAME;
  readonly model: string;
  readonly capabilities: TtsCapabilities;
  private readonly binary: string;
  private readonly defaultVoice: string;
  /** Lower-case voice id → the id as espeak-ng spells it. */
  private readonly voiceIds: ReadonlyMap<string, string>;
  private readonly variants: ReadonlyMap<string, string>;
  private readonly spawn: SpawnProcess | undefined;
  private readonly closing = new AbortController();

  private constructor(
    options: EspeakTtsOptions,
    probe: { model: string; voices: readonly TtsVoice[]; variants: readonly string[] },
  ) {
    this.binary = options.binaryPath ?? 'espeak-ng';
    this.spawn = options.spawn;
    this.model = probe.model;
    this.voiceIds = new Map(probe.voices.map((v) => [v.id.toLowerCase(), v.id]));
    this.variants = new Map(probe.variants.map((v) => [v.toLowerCase(), v]));
    this.defaultVoice = options.defaultVoice ?? 'en-us';
    this.capabilities = {
      voices: probe.voices,
      ssml: true,
      sentenceStreaming: true,
      nativeSampleRateHz: ESPEAK_RATE_HZ,
    };
  }

  /** Checks that espeak-ng runs, and reads its version, voices and variants. */
  static async create(options: EspeakTtsOptions = {}): Promise<EspeakTts> {
    const binary = options.binaryPath ?? 'espeak-ng';
    const run = async (args: string[]): Promise<string> => {
      const { stdout } = await runSynthesisProcess(binary, args, {
        engine: NAME,
        signal: new AbortController().signal,
        installHint: INSTALL_HINT,
        anyExitStatus: true,
        ...(options.spawn === undefined ? {} : { spawn: options.spawn }),
      });
      return Buffer.from(stdout).toString('utf8');
    };
    const version = /text-to-speech:\s*(\S+)/.exec(await run(['--version']))?.[1];
    if (version === undefined)
      throw new EngineError(NAME, 'ENGINE_UNAVAILABLE', `${binary} --version printed no version`);
    const voices = parseVoiceList(await run(['--voices'])).filter((v) => !v.file.startsWith('mb/'));
    const variants = parseVoiceList(await run(['--voices=variant'])).map((v) => v.file.replace(/^.*\//, ''));
    const unique = new Map<string, TtsVoice>();
    for (const v of voices) {
      if (!unique.has(v.language)) {
        unique.set(
          v.language,
          v.gender === undefined
            ? { id: v.language, language: v.language }
            : { id: v.language, language: v.language, gender: v.gender },
        );
      }
    }
    if (unique.size === 0)
      throw new EngineError(NAME, 'ENGINE_UNAVAILABLE', `${binary} --voices lists no voices`);
    const engine = new EspeakTts(options, {
      model: `espeak-ng-${version}`,
      voices: [...unique.values()],
      variants,
    });
    if (engine.resolveVoice(engine.defaultVoice) === undefined) {
      throw new EngineError(NAME, 'INVALID_REQUEST', `default voice ${engine.defaultVoice} is not installed`);
    }
    return engine;
  }

  async *synthesize(request: TtsRequest, options: TtsSynthesisOptions = {}): AsyncGenerator<AudioFrame> {
    const outer = options.signal;
    if (outer?.aborted) throw abortedError(NAME, outer);
    if (this.closing.signal.aborted) throw new EngineError(NAME, 'ENGINE_UNAVAILABLE', 'engine is closed');
    const voice = this.voiceFor(request);
    if (request.rate !== undefined && !(Number.isFinite(request.rate) && request.rate > 0)) {
      throw new EngineError(NAME, 'INVALID_REQUEST', `rate must be a positive number, got ${request.rate}`);
    }
    const extra = extraArgs(request.engineOptions);
    const plan = planUtterance(request, NAME);
    yield* streamUtterance(plan, (text, rate, s) => this.sentence(text, rate, voice, extra, s), {
      engine: NAME,
      format: request.format,
      nativeRateHz: ESPEAK_RATE_HZ,
      ...(outer === undefined ? {} : { signal: outer }),
      closeSignal: this.closing.signal,
    });
  }

  /** Aborts syntheses in flight; espeak-ng holds nothing else open between sentences. */
  close(): Promise<void> {
    this.closing.abort();
    return Promise.resolve();
  }

  /** The voice to run: the request's voice, else one for its language, else the default. */
  private voiceFor(request: TtsRequest): string {
    if (request.voice !== undefined) {
      const voice = this.resolveVoice(request.voice);
      if (voice === undefined)
        throw new EngineError(NAME, 'INVALID_REQUEST', `unknown voice ${request.voice}`);
      return voice;
    }
    if (request.language !== undefined) {
      const voice = this.resolveVoice(request.language) ?? this.resolveVoice(request.language.split('-')[0]!);
      if (voice === undefined)
        throw new EngineError(NAME, 'INVALID_REQUEST', `no voice for language ${request.language}`);
      return voice;
    }
    return this.resolveVoice(this.defaultVoice)!;
  }

  /**
   * Maps "en-US" or "en-us+F3" to the spelling espeak-ng knows, or undefined. Only listed voices
   * and variants get through: -v also takes file paths, which a request must not be able to name.
   */
  private resolveVoice(requested: string): string | undefined {
    const [language = '', variant, ...rest] = requested.split('+');
    const id = this.voiceIds.get(language.toLowerCase());
    if (id === undefined || rest.length > 0) return undefined;
    if (variant === undefined) return id;
    const v = this.variants.get(variant.toLowerCase());
    return v === undefined ? undefined : `${id}+${v}`;
  }

  private async sentence(
    text: string,
    rate: number,
    voice: string,
    extra: readonly string[],
    signal: AbortSignal,
  ): Promise<SentenceAudio> {
    const wpm = Math.round(
      Math.min(MAX_WORDS_PER_MINUTE, Math.max(MIN_WORDS_PER_MINUTE, NORMAL_WORDS_PER_MINUTE * rate)),
    );
    const { stdout, stderr } = await runSynthesisProcess(
      this.binary,
      ['--stdout', '-v', voice, '-s', String(wpm), ...extra],
      {
        engine: NAME,
        signal,
        installHint: INSTALL_HINT,
        stdin: text,
        ...(this.spawn === undefined ? {} : { spawn: this.spawn }),
      },
    );
    let wav;
    try {
      // espeak-ng streams its WAV and writes a placeholder data size; parseWav reads what is there.
      wav = parseWav(stdout);
    } catch (error) {
      throw new EngineError(NAME, 'ENGINE_FAILED', `espeak-ng wrote no readable WAV: ${stderr.trim()}`, {
        cause: error,
      });
    }
    if (!(wav.samples instanceof Int16Array) || wav.format.channels !== 1) {
      throw new EngineError(
        NAME,
        'ENGINE_FAILED',
        `espeak-ng wrote ${wav.format.encoding} with ${wav.format.channels} channels`,
      );
    }
    return { pcm: wav.samples, sampleRateHz: wav.format.sampleRateHz };
  }
}

interface ListedVoice {
  readonly language: string;
  readonly gender: TtsVoice['gender'];
  readonly file: string;
}

/**
 * Reads `espeak-ng --voices` output: a header line, then "Pty Language Age/Gender VoiceName File
 * Other-languages" columns separated by spaces (names use underscores, never spaces).
 */
function parseVoiceList(listing: string): ListedVoice[] {
  const voices: ListedVoice[] = [];
  for (const line of listing.split('\n').slice(1)) {
    const [, language, ageGender, , file] = line.trim().split(/\s+/);
    if (language === undefined || ageGender === undefined || file === undefined) continue;
    const g = ageGender.split('/')[1];
    voices.push({ language, gender: g === 'M' ? 'male' : g === 'F' ? 'female' : undefined, file });
  }
  return voices;
}

function extraArgs(engineOptions: TtsRequest['engineOptions']): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(engineOptions ?? {})) {
    if (key !== 'pitch')
      throw new EngineError(NAME, 'INVALID_REQUEST', `unknown engine option ${key}; espeak knows pitch`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 99) {
      throw new EngineError(NAME, 'INVALID_REQUEST', 'pitch must be an integer from 0 to 99');
    }
    args.push('-p', String(value));
  }
  return args;
}
