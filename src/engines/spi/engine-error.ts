import { VoxError } from '../../core/index.js';

/**
 * Stable codes for engine failures. `retryable` tells a decorator (fallback, retry) whether the
 * same request may succeed later; it never has to parse a message.
 */
export type EngineErrorCode =
  | 'UNSUPPORTED_FORMAT'
  | 'INVALID_REQUEST'
  | 'MODEL_NOT_FOUND'
  | 'ENGINE_UNAVAILABLE'
  | 'ENGINE_FAILED'
  | 'ABORTED'
  | 'TIMEOUT';

export class EngineError extends VoxError {
  override readonly code: EngineErrorCode;
  readonly retryable: boolean;
  readonly engine: string;

  constructor(
    engine: string,
    code: EngineErrorCode,
    message: string,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(code, `${engine}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.code = code;
    this.engine = engine;
    this.retryable = options.retryable ?? false;
  }
}

/** The error every engine throws when its AbortSignal fires. */
export function abortedError(engine: string, signal: AbortSignal): EngineError {
  return new EngineError(engine, 'ABORTED', 'aborted', { cause: signal.reason as unknown });
}
