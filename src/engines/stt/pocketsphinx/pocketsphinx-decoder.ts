import type { SttWord } from '../../spi/index.js';
import type { PocketsphinxLibrary } from './pocketsphinx-library.js';
import { loadPocketsphinx } from './pocketsphinx-library.js';

/** Where the acoustic model, language model and dictionary of one decoder live. */
export interface PocketsphinxModelPaths {
  readonly hmmDir: string;
  readonly lmFile: string;
  readonly dictFile: string;
  /**
   * The audio rate the acoustic model was trained on: 16000 for Debian's en-us, 8000 for the CMU
   * telephone model (which also wants `-nfft 256`: a 25 ms window at 8 kHz is 200 samples, and the
   * default 512-point FFT is sized for 16 kHz). Default 16000.
   */
  readonly sampleRateHz?: 8000 | 16000;
}

/** The recognized words of a finished utterance, times relative to the utterance's first sample. */
export interface UtteranceResult {
  readonly text: string;
  /** Mean word posterior, 0..1; 0 when nothing was recognized. */
  readonly confidence: number;
  readonly words: readonly SttWord[];
}

/** x86-64 offsets in sphinxbase 5prealpha: feat_t.cepsize, feat_t.cmn_struct, cmn_t.veclen. */
const FEAT_CEPSIZE_OFFSET = 16;
const FEAT_CMN_STRUCT_OFFSET = 88;
const CMN_VECLEN_OFFSET = 28;
/** Cepstral coefficients per frame in the en-us model (feat.params: 1s_c_d_dd over 13). */
const CEPSTRUM_LENGTH = 13;

/** pocketsphinx's front end produces 100 feature frames per second. */
const FRAME_MS = 10;
/** The default -logbase of sphinxbase's logmath: scores are log base 1.0001. */
const LOG_BASE = 1.0001;

/**
 * One pocketsphinx decoder (ps_decoder_t) for PCM16 at its model's rate (8 or 16 kHz). Every call is synchronous and may
 * take milliseconds, so instances live only in decoder worker threads, never on the main thread.
 */
export class PocketsphinxDecoder {
  private readonly lib: PocketsphinxLibrary;
  private config: unknown;
  private decoder: unknown;
  private inUtterance = false;
  private readonly score = [0];

  constructor(engine: string, paths: PocketsphinxModelPaths) {
    this.lib = loadPocketsphinx(engine);
    // Strings go through koffi as ('str', value) pairs because cmd_ln_init is variadic and ends
    // with a NULL name.
    //
    // No `-logfn`: with it, ps_init calls err_set_logfile, which opens a new FILE and fcloses the
    // previous one in sphinxbase's single, unlocked, process-wide log stream. Decoders built in
    // several worker threads then fclose the same FILE twice, or close it while another thread's
    // decoder is writing a log line into it: the heap corruption of issue 11 (test/stress has the
    // reproduction). Logging is off for the whole process instead (loadPocketsphinx).
    const args = ['-hmm', paths.hmmDir, '-lm', paths.lmFile, '-dict', paths.dictFile];
    if (paths.sampleRateHz === 8000) args.push('-samprate', '8000', '-nfft', '256');
    const pairs = args.flatMap((value) => ['str', value]);
    const config = this.lib.cmdLnInit(null, this.lib.psArgs(), 1, ...pairs, 'str', null);
    if (config === null) throw new Error('cmd_ln_init rejected the decoder arguments');
    const decoder = this.lib.psInit(config);
    if (decoder === null) {
      this.lib.cmdLnFree(config);
      throw new Error(`ps_init failed for model ${paths.hmmDir}`);
    }
    this.config = config;
    this.decoder = decoder;
  }

  /**
   * The live CMN mean as it stands now (cmn_live_get): updated at the end of each utterance and
   * every few seconds within one. Undefined when the struct layout is not the expected one.
   * Only scripts/measure-narrowband-cmn.ts reads it, and only reads: the engine no longer writes
   * into sphinxbase's structs (issue 11 suspected the old cmn_live_set write of its heap
   * corruption; the cause was `-logfn`, see the constructor).
   */
  cepstralMean(): number[] | undefined {
    this.live();
    const cmn = this.cmnStruct(CEPSTRUM_LENGTH);
    if (cmn === null) return undefined;
    const mean = new Float32Array(CEPSTRUM_LENGTH);
    this.lib.cmnLiveGet(cmn, mean);
    return Array.from(mean);
  }

  /** feat_t.cmn_struct, or null unless feat_t.cepsize and cmn_t.veclen are both `length`. */
  private cmnStruct(length: number): unknown {
    const feat = this.lib.psGetFeat(this.decoder);
    if (feat === null || this.lib.decodeField(feat, FEAT_CEPSIZE_OFFSET, 'int32_t') !== length) return null;
    const cmn = this.lib.decodeField(feat, FEAT_CMN_STRUCT_OFFSET, 'void *');
    if (cmn === null || this.lib.decodeField(cmn, CMN_VECLEN_OFFSET, 'int32_t') !== length) return null;
    return cmn;
  }

  get utteranceOpen(): boolean {
    return this.inUtterance;
  }

  /**
   * The native decoder, or an error once free() ran: a freed decoder is a NULL pointer here, and
   * pocketsphinx dereferences what it is given without checking.
   */
  private live(): unknown {
    if (this.decoder === null) throw new Error('pocketsphinx decoder used after free()');
    return this.decoder;
  }

  startUtterance(): void {
    const decoder = this.live();
    if (this.inUtterance) this.lib.psEndUtt(decoder);
    if (this.lib.psStartUtt(decoder) < 0) throw new Error('ps_start_utt failed');
    this.inUtterance = true;
  }

  process(pcm: Int16Array): void {
    if (!this.inUtterance || pcm.length === 0) return;
    // The call is synchronous and koffi passes the typed array's own memory, so the samples
    // outlive the call even when `pcm` is a view into a buffer the caller reuses afterwards.
    if (this.lib.psProcessRaw(this.live(), pcm, pcm.length, 0, 0) < 0) {
      throw new Error('ps_process_raw failed');
    }
  }

  /**
   * Decodes `pcm` as one whole utterance (ps_process_raw with full_utt): the front end normalizes
   * the cepstra by the utterance's own mean (`-cmn current`), as pocketsphinx_batch does, instead
   * of the running live estimate, which starts from a prior and lags on a short utterance. Ends an
   * utterance that was open.
   */
  decodeWholeUtterance(pcm: Int16Array): UtteranceResult {
    this.startUtterance();
    const decoder = this.live();
    if (pcm.length > 0 && this.lib.psProcessRaw(decoder, pcm, pcm.length, 0, 1) < 0) {
      this.lib.psEndUtt(decoder);
      this.inUtterance = false;
      throw new Error('ps_process_raw failed');
    }
    return this.endUtterance();
  }

  /** The best hypothesis so far, while the utterance is still running. */
  partialText(): string {
    if (!this.inUtterance) return '';
    return cleanText(this.lib.psGetHyp(this.decoder, this.score));
  }

  /** Ends the utterance and returns its words (ps_seg), with posteriors from the lattice. */
  endUtterance(): UtteranceResult {
    if (!this.inUtterance) return { text: '', confidence: 0, words: [] };
    this.inUtterance = false;
    if (this.lib.psEndUtt(this.decoder) < 0) throw new Error('ps_end_utt failed');
    const text = cleanText(this.lib.psGetHyp(this.decoder, this.score));
    if (text === '') return { text, confidence: 0, words: [] };
    // ps_get_prob runs the forward-backward pass over the lattice; only after it do the segments
    // carry word posteriors. The utterance posterior itself shrinks towards 0 with every word, so
    // the confidence we report is the mean of the word posteriors instead.
    this.lib.psGetProb(this.decoder);
    const words: SttWord[] = [];
    const startFrame = [0];
    const endFrame = [0];
    const ascr = [0];
    const lscr = [0];
    const lback = [0];
    // Frame numbers run on across the utterances of a decoder; the segments tile the utterance,
    // so the first one (normally <s>) starts at the utterance's first frame.
    let baseFrame: number | undefined;
    for (let seg = this.lib.psSegIter(this.decoder); seg !== null; seg = this.lib.psSegNext(seg)) {
      this.lib.psSegFrames(seg, startFrame, endFrame);
      baseFrame ??= startFrame[0] ?? 0;
      const word = cleanWord(this.lib.psSegWord(seg));
      if (word === '') continue;
      const logPosterior = this.lib.psSegProb(seg, ascr, lscr, lback);
      words.push({
        word,
        startMs: ((startFrame[0] ?? 0) - baseFrame) * FRAME_MS,
        endMs: ((endFrame[0] ?? 0) + 1 - baseFrame) * FRAME_MS,
        confidence: clamp01(Math.exp(logPosterior * Math.log(LOG_BASE))),
      });
    }
    const confidence =
      words.length === 0 ? 0 : words.reduce((sum, w) => sum + (w.confidence ?? 0), 0) / words.length;
    return { text, confidence: clamp01(confidence), words };
  }

  /** Frees the decoder and its configuration. Idempotent. */
  free(): void {
    if (this.decoder !== null) {
      if (this.inUtterance) this.lib.psEndUtt(this.decoder);
      this.inUtterance = false;
      this.lib.psFree(this.decoder);
      this.decoder = null;
    }
    if (this.config !== null) {
      this.lib.cmdLnFree(this.config);
      this.config = null;
    }
  }
}

/**
 * Drops what is not a spoken word: sentence markers (<s>, </s>), silence (<sil>), fillers
 * ([NOISE], ++UH++), and the "(2)" suffix that names an alternative pronunciation.
 */
function cleanWord(raw: string | null): string {
  if (raw === null) return '';
  if (/^(<.*>|\[.*\]|\+\+.*\+\+)$/.test(raw)) return '';
  return raw.replace(/\(\d+\)$/, '');
}

function cleanText(hyp: string | null): string {
  if (hyp === null) return '';
  return hyp
    .split(/\s+/)
    .map(cleanWord)
    .filter((w) => w !== '')
    .join(' ');
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
