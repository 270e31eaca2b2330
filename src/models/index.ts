export { MODEL_CATALOG, modelDirName } from './catalog.js';
export type { ModelArchiveType, ModelEntry, ModelKind, ModelPart } from './catalog.js';
export { ModelError } from './model-error.js';
export type { ModelErrorCode } from './model-error.js';
export {
  MODELS_DIR_ENV,
  defaultModelsDir,
  modelSearchDirs,
  modelsDir,
  shippedModelsDir,
} from './models-dir.js';
export type { ModelsDirOptions } from './models-dir.js';
export { findModel, missingModelFiles, requireModelDir, resolveModelDir } from './resolve-model-dir.js';
export type { ResolveModelOptions } from './resolve-model-dir.js';
export { downloadFile } from './download-file.js';
export type { DownloadFileOptions, DownloadFileResult, DownloadProgressEvent } from './download-file.js';
export { DownloadProgress } from './download-progress.js';
export type { DownloadProgressOptions, ProgressStream } from './download-progress.js';
export { extractTarBz2 } from './extract-tar-bz2.js';
export type { ExtractOptions } from './extract-tar-bz2.js';
export { pullModel } from './pull-model.js';
export type { PullModelOptions, PullModelResult } from './pull-model.js';
