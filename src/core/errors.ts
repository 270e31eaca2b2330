/**
 * Every error voxbridge raises on purpose is a VoxError with a stable machine-readable code, so
 * callers can branch on `code` instead of parsing messages.
 */
export class VoxError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VoxError';
    this.code = code;
  }
}

/**
 * Raised by every parser in voxbridge, and only by parsers. `offset` is the byte offset in the
 * input where the problem was found, so a corrupt file or packet can be located with a hex dump.
 */
export class ParseError extends VoxError {
  readonly offset: number;

  constructor(message: string, offset: number, options?: { cause?: unknown }) {
    super('PARSE_ERROR', `${message} (at byte offset ${offset})`, options);
    this.name = 'ParseError';
    this.offset = offset;
  }
}

/** An audio format (encoding, rate, channel count) that a component does not accept. */
export class UnsupportedFormatError extends VoxError {
  constructor(message: string) {
    super('UNSUPPORTED_FORMAT', message);
    this.name = 'UnsupportedFormatError';
  }
}

/** A caller passed an argument outside the documented range. */
export class InvalidArgumentError extends VoxError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
    this.name = 'InvalidArgumentError';
  }
}
