import koffi from 'koffi';
import type { LibraryHandle } from 'koffi';
import { EngineError } from '../../spi/index.js';

/**
 * The C functions of libpocketsphinx 5prealpha (Debian 0.8+5prealpha, soname 3) and of sphinxbase
 * that the decoder uses. Pointers to the library's own structs stay opaque: JavaScript never reads
 * their fields, it only hands them back to the library.
 */
export interface PocketsphinxLibrary {
  readonly cmdLnInit: (inout: unknown, defn: unknown, strict: number, ...pairs: unknown[]) => unknown;
  readonly cmdLnFree: (config: unknown) => number;
  readonly errSetLogfp: (fp: unknown) => void;
  /** sphinxbase's process-wide log stream: NULL while logging is off. */
  readonly errGetLogfp: () => unknown;
  /** Copies the current live CMN mean (veclen floats) into `mean`. */
  readonly cmnLiveGet: (cmn: unknown, mean: Float32Array) => void;
  readonly psGetFeat: (decoder: unknown) => unknown;
  /** Reads a field of a native struct: koffi.decode(pointer, offset, type). */
  readonly decodeField: (pointer: unknown, offsetBytes: number, type: string) => unknown;
  readonly psArgs: () => unknown;
  readonly psInit: (config: unknown) => unknown;
  readonly psFree: (decoder: unknown) => number;
  readonly psStartUtt: (decoder: unknown) => number;
  readonly psEndUtt: (decoder: unknown) => number;
  readonly psProcessRaw: (
    decoder: unknown,
    data: Int16Array,
    samples: number,
    noSearch: number,
    fullUtt: number,
  ) => number;
  readonly psGetHyp: (decoder: unknown, score: number[]) => string | null;
  readonly psGetProb: (decoder: unknown) => number;
  readonly psSegIter: (decoder: unknown) => unknown;
  readonly psSegNext: (seg: unknown) => unknown;
  readonly psSegWord: (seg: unknown) => string | null;
  readonly psSegFrames: (seg: unknown, startFrame: number[], endFrame: number[]) => void;
  readonly psSegProb: (seg: unknown, ascr: number[], lscr: number[], lback: number[]) => number;
  readonly psSegFree: (seg: unknown) => void;
}

/** Sonames tried in order; Debian and Ubuntu ship soname 3 for the 5prealpha API. */
const POCKETSPHINX_SONAMES = ['libpocketsphinx.so.3', 'libpocketsphinx.so'];
const SPHINXBASE_SONAMES = ['libsphinxbase.so.3', 'libsphinxbase.so'];

let loaded: PocketsphinxLibrary | undefined;

/**
 * Loads the libraries once per thread. Koffi keeps the handles for the life of the thread, which
 * is what we want: each decoder worker loads them once and decodes many streams.
 */
export function loadPocketsphinx(engine: string): PocketsphinxLibrary {
  if (loaded !== undefined) return loaded;
  // sphinxbase first: libpocketsphinx links against it, and cmd_ln_* and err_* live there.
  const sb = loadFirst(engine, SPHINXBASE_SONAMES, 'libsphinxbase3');
  const ps = loadFirst(engine, POCKETSPHINX_SONAMES, 'libpocketsphinx3');
  const lib: PocketsphinxLibrary = {
    cmdLnInit: sb.func('void *cmd_ln_init(void *inout, void *defn, int strict, ...)'),
    cmdLnFree: sb.func('int cmd_ln_free_r(void *config)'),
    errSetLogfp: sb.func('void err_set_logfp(void *fp)'),
    errGetLogfp: sb.func('void *err_get_logfp()'),
    cmnLiveGet: sb.func('void cmn_live_get(void *cmn, _Out_ float *mean)'),
    psGetFeat: ps.func('void *ps_get_feat(void *decoder)'),
    decodeField: (pointer, offsetBytes, type) => koffi.decode(pointer, offsetBytes, type) as unknown,
    psArgs: ps.func('void *ps_args()'),
    psInit: ps.func('void *ps_init(void *config)'),
    psFree: ps.func('int ps_free(void *decoder)'),
    psStartUtt: ps.func('int ps_start_utt(void *decoder)'),
    psEndUtt: ps.func('int ps_end_utt(void *decoder)'),
    psProcessRaw: ps.func(
      'int ps_process_raw(void *decoder, const int16_t *data, size_t samples, int no_search, int full_utt)',
    ),
    psGetHyp: ps.func('const char *ps_get_hyp(void *decoder, _Out_ int32_t *score)'),
    psGetProb: ps.func('int32_t ps_get_prob(void *decoder)'),
    psSegIter: ps.func('void *ps_seg_iter(void *decoder)'),
    psSegNext: ps.func('void *ps_seg_next(void *seg)'),
    psSegWord: ps.func('const char *ps_seg_word(void *seg)'),
    psSegFrames: ps.func('void ps_seg_frames(void *seg, _Out_ int *start_frame, _Out_ int *end_frame)'),
    psSegProb: ps.func(
      'int32_t ps_seg_prob(void *seg, _Out_ int32_t *ascr, _Out_ int32_t *lscr, _Out_ int32_t *lback)',
    ),
    psSegFree: ps.func('void ps_seg_free(void *seg)'),
  };
  // A NULL log stream turns sphinxbase's logging off, including the messages cmd_ln_init and
  // ps_init print. The stream is one static variable for the whole process, not per thread: every
  // thread that loads the library stores the same NULL here, and this version of err_set_logfp
  // only stores (it closes nothing), so those stores cannot conflict. Decoders must never be given
  // `-logfn` (see PocketsphinxDecoder).
  lib.errSetLogfp(null);
  loaded = lib;
  return lib;
}

function loadFirst(engine: string, sonames: readonly string[], debianPackage: string): LibraryHandle {
  let lastError: unknown;
  for (const soname of sonames) {
    try {
      return koffi.load(soname);
    } catch (err) {
      lastError = err;
    }
  }
  throw new EngineError(
    engine,
    'ENGINE_UNAVAILABLE',
    `cannot load ${sonames[0] ?? debianPackage}; install the Debian package ${debianPackage} (apt-get install ${debianPackage})`,
    { cause: lastError },
  );
}
