import { InvalidArgumentError } from '../../core/index.js';

/**
 * Returns a view of exactly `length` elements: `out` itself when it fits exactly, a subarray when
 * it is longer, a fresh array when none was given. A short `out` is a caller bug, not bad input.
 */
export function outputBuffer<T extends Uint8Array | Int16Array>(
  out: T | undefined,
  length: number,
  ctor: new (length: number) => T,
  where: string,
): T {
  if (out === undefined) return new ctor(length);
  if (out.length < length) {
    throw new InvalidArgumentError(`${where}: output buffer holds ${out.length} samples, needs ${length}`);
  }
  return out.length === length ? out : (out.subarray(0, length) as T);
}
