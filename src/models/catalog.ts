/**
 * The model releases voxbridge knows how to install. Every entry points at an official upstream
 * release asset. A checksum is only written here after the bytes were hashed by us; an entry whose
 * archive we could not fetch carries `sha256: undefined`, and `pull` refuses it unless the user
 * passes `--allow-unverified` (and then prints the hash so it can be added here).
 */
export type ModelKind = 'vad' | 'stt' | 'tts';

/** `onnx`: the asset is the model file itself. `tar.bz2`: an archive unpacked with the system tar. */
export type ModelArchiveType = 'onnx' | 'tar.bz2';

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
}

const ASR_RELEASE = 'https://github.com/k2-fsa/sherpa-onnx/releases/download/asr-models';
const TTS_RELEASE = 'https://github.com/k2-fsa/sherpa-onnx/releases/download/tts-models';

export const MODEL_CATALOG: readonly ModelEntry[] = [
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
