import { VoxError } from '../core/index.js';

/**
 * Stable codes for everything `voxbridge models` can fail at, so the CLI and the composition root
 * can tell "not installed" from "download broke" without parsing messages.
 */
export type ModelErrorCode =
  | 'MODEL_UNKNOWN'
  | 'MODEL_NOT_INSTALLED'
  | 'MODEL_INCOMPLETE'
  | 'DOWNLOAD_FAILED'
  | 'DOWNLOAD_INTERRUPTED'
  | 'CHECKSUM_MISMATCH'
  | 'CHECKSUM_UNKNOWN'
  | 'TOOL_MISSING'
  | 'EXTRACT_FAILED';

export class ModelError extends VoxError {
  override readonly code: ModelErrorCode;

  constructor(code: ModelErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ModelError';
    this.code = code;
  }
}
