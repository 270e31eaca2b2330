import { z } from 'zod';
import { configSchema } from './config-schema.js';

/**
 * The JSON Schema (draft 2020-12) of a config file, with every default and description, for
 * docs and editors: a file may name it with a top-level `$schema` key, which loadConfig ignores.
 * It describes the input a file may hold (`rtp.ports` as "min-max" or { min, max }).
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input' }) as Record<string, unknown>;
  const properties = (schema['properties'] ?? {}) as Record<string, unknown>;
  return {
    ...schema,
    title: 'voxbridge configuration',
    properties: {
      $schema: { type: 'string', description: 'JSON Schema for editors; ignored' },
      ...properties,
    },
  };
}
