import { InvalidArgumentError } from '../core/index.js';

/**
 * Serializes a JSON-like value so that equal values always give equal text: object keys are
 * sorted, properties whose value is undefined are left out (as if absent), -0 becomes 0, and
 * values JSON cannot represent faithfully (NaN, Infinity, bigint, functions) are refused rather
 * than silently turned into `null`, because two different inputs must never share a cache key.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value))
        throw new InvalidArgumentError(`cannot key a non-finite number (${value})`);
      // JavaScript already prints the shortest round-trip form, so 1.0 and 1 are both "1"; only
      // the sign of zero needs folding.
      return JSON.stringify(Object.is(value, -0) ? 0 : value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((item: unknown) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
      }
      const record = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of Object.keys(record).sort()) {
        const item = record[key];
        if (item !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalJson(item)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new InvalidArgumentError(`cannot key a value of type ${typeof value}`);
  }
}
