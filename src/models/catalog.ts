/**
 * The model releases voxbridge knows how to install. Every entry points at an official upstream
 * release asset. A checksum is only written here after the bytes were hashed by us; an entry whose
 * archive we could not fetch carries `sha256: undefined`, and `pull` refuses it unless the user
 * passes `--allow-unverified` (and then prints the hash so it can be added here).
 */
export type ModelKind = 'vad' | 'stt' | 'tts';

/**
 * `onnx`: the asset is the model file itself. `tar.bz2`: an archive unpacked with the system tar.
 * `files`: no archive upstream; each file of `parts` is fetched from `url` + its path.
 */
export type ModelArchiveType = 'onnx' | 'tar.bz2' | 'files';

/** One file of a `files` model, with the hash it was verified against. */
export interface ModelPart {
  /** Relative to the model folder, and to the entry's `url`. */
  readonly path: string;
  /** Lower-case hex sha256. */
  readonly sha256: string;
  readonly sizeBytes: number;
}

export interface ModelEntry {
  /** What the user types: `voxbridge models pull <name>`. */
  readonly name: string;
  readonly kind: ModelKind;
  readonly description: string;
  readonly url: string;
  /** Lower-case hex sha256 of the downloaded asset, or undefined when nobody has verified it yet. */
  readonly sha256: string | undefined;
  /** Size of the downloaded asset; used for the progress bar and to spot a finished `.part` file. */
  readonly sizeBytes: number | undefined;
  readonly archive: ModelArchiveType;
  /**
   * The folder under the models directory the files end up in; defaults to `name`. Both Silero VAD
   * versions share `silero-vad/`, the layout upstream and `../shared/models` use.
   */
  readonly dir?: string;
  /**
   * Paths relative to the model folder that must exist after installation. A trailing `/` means a
   * directory (for example `espeak-ng-data/`).
   */
  readonly files: readonly string[];
  /** For `files` entries: every file to fetch, each with its own checksum (`sha256` is unused). */
  readonly parts?: readonly ModelPart[];
  /**
   * A copy ships inside the project in `models/<dir>/`, found when no models folder has one, so a
   * fresh checkout works offline; `pull` still installs the upstream files into the models folder.
   */
  readonly shipped?: boolean;
}

const ASR_RELEASE = 'https://github.com/k2-fsa/sherpa-onnx/releases/download/asr-models';
const TTS_RELEASE = 'https://github.com/k2-fsa/sherpa-onnx/releases/download/tts-models';
/**
 * The CMU 8 kHz acoustic model as committed to cmusphinx/pocketsphinx (models/pocketsphinx-en-us-8k
 * /README.md): raw files of that commit, which GitHub serves without an archive.
 */
const POCKETSPHINX_8K_FILES =
  'https://raw.githubusercontent.com/cmusphinx/pocketsphinx/1fbc5411632e917cc358eaa34bd3255d80e683ae/model/hmm/en_US/hub4_wsj_ptm256_3s_8k.cd_ptm_5000/';

/** The files of the 8 kHz model, hashed from the shipped copy (byte-identical to that commit). */
const POCKETSPHINX_8K_PARTS: readonly ModelPart[] = [
  {
    path: 'feat.params',
    sizeBytes: 169,
    sha256: '8d4e629de486257ab1f5ac90b216f322b763e70ffa597c22b0d5036cb7485b11',
  },
  {
    path: 'mdef',
    sizeBytes: 3_069_052,
    sha256: 'dabbb4c04b78764a5ae2d24db590c2eb41bbc4a4b9adad5a080bf8ee73856dd0',
  },
  {
    path: 'means',
    sizeBytes: 1_996_876,
    sha256: '5ecc5359390359a39eafb9bdc46d6d35dddc543d03804c679f915fcf3a967855',
  },
  {
    path: 'noisedict',
    sizeBytes: 448,
    sha256: '397dafe902a55f3751d7836a3a0025355a9f5e151df4baab21801f9389b4b933',
  },
  {
    path: 'sendump',
    sizeBytes: 3_955_840,
    sha256: 'dd41ad85dcd10d70aab2e2ff4af41fb1827e157a99890e41e6a1f649193d7fe9',
  },
  {
    path: 'transition_matrices',
    sizeBytes: 2464,
    sha256: '190a72ea70e4d885d662a9c95e24f6689be3aa22ce37747bddd99aaa0241592f',
  },
  {
    path: 'variances',
    sizeBytes: 1_996_876,
    sha256: '3ab024f9a62cba15fc28967ccecd4a25a5009152c622039b952fb5ef063abaee',
  },
];

export const MODEL_CATALOG: readonly ModelEntry[] = [
  {
    name: 'pocketsphinx-en-us-8k',
    kind: 'stt',
    description: 'CMU US English acoustic model for 8 kHz telephone audio (BSD), pocketsphinx',
    url: POCKETSPHINX_8K_FILES,
    sha256: undefined,
    sizeBytes: POCKETSPHINX_8K_PARTS.reduce((sum, part) => sum + part.sizeBytes, 0),
    archive: 'files',
    files: POCKETSPHINX_8K_PARTS.map((part) => part.path),
    parts: POCKETSPHINX_8K_PARTS,
    shipped: true,
  },
  {
    name: 'silero-vad',
    kind: 'vad',
    description: 'Silero VAD v4 (MIT), the voice activity detector sherpa-onnx ships',
    url: `${ASR_RELEASE}/silero_vad.onnx`,
    // Hashed from the copy in ../shared/models, which came from this release asset.
    sha256: 'a35ebf52fd3ce5f1469b2a36158dba761bc47b973ea3382b3186ca15b1f5af28',
    sizeBytes: 1_807_522,
    archive: 'onnx',
    dir: 'silero-vad',
    files: ['silero_vad.onnx'],
  },
  {
    name: 'silero-vad-v5',
    kind: 'vad',
    description: 'Silero VAD v5 (MIT)',
    url: `${ASR_RELEASE}/silero_vad_v5.onnx`,
    // Hashed from the copy in ../shared/models, which came from this release asset.
    sha256: '6b99cbfd39246b6706f98ec13c7c50c6b299181f2474fa05cbc8046acc274396',
    sizeBytes: 2_313_101,
    archive: 'onnx',
    dir: 'silero-vad',
    files: ['silero_vad_v5.onnx'],
  },
  {
    name: 'sherpa-onnx-streaming-zipformer-en-2023-06-26',
    kind: 'stt',
    description: 'Streaming zipformer transducer, English (LibriSpeech + GigaSpeech), 16 kHz',
    url: `${ASR_RELEASE}/sherpa-onnx-streaming-zipformer-en-2023-06-26.tar.bz2`,
    sha256: undefined,
    sizeBytes: undefined,
    archive: 'tar.bz2',
    files: [
      'encoder-epoch-99-avg-1-chunk-16-left-128.onnx',
      'decoder-epoch-99-avg-1-chunk-16-left-128.onnx',
      'joiner-epoch-99-avg-1-chunk-16-left-128.onnx',
      'tokens.txt',
    ],
  },
  {
    name: 'vits-piper-en_US-amy-low',
    kind: 'tts',
    description: 'Piper VITS voice "amy" (low quality, 16 kHz), US English, espeak-ng phonemes',
    url: `${TTS_RELEASE}/vits-piper-en_US-amy-low.tar.bz2`,
    sha256: undefined,
    sizeBytes: undefined,
    archive: 'tar.bz2',
    files: ['en_US-amy-low.onnx', 'tokens.txt', 'espeak-ng-data/'],
  },
];

/** The folder name an entry installs into, relative to the models directory. */
export function modelDirName(entry: ModelEntry): string {
  return entry.dir ?? entry.name;
}
