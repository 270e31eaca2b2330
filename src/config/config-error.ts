import { VoxError } from '../core/index.js';

/**
 * The configuration could not be loaded. `problems` has one line per problem, each naming where
 * the value came from and the key: `env VOXBRIDGE_HTTP_PORT (http.port): expected a port
 * 0-65535, got "abc"`. Every problem is collected before throwing, so an operator fixes them all
 * in one go instead of one per restart.
 */
export class ConfigError extends VoxError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super('CONFIG_INVALID', `invalid configuration (${count}):\n  ${problems.join('\n  ')}`, options);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
