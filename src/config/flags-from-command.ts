/** The part of a commander Command this needs (structural, so config does not import commander). */
export interface CommandLike {
  opts(): Record<string, unknown>;
  getOptionValueSource(key: string): string | undefined;
}

/**
 * The options the user actually typed, for `loadConfig({ flags })`. Commander fills in option
 * defaults (and `--no-log-redact` implies `logRedact: true` when absent); passed on, those would
 * count as flags and override the environment and the file.
 */
export function flagsFromCommand(command: CommandLike): Record<string, unknown> {
  const flags: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(command.opts())) {
    if (command.getOptionValueSource(key) === 'cli') flags[key] = value;
  }
  return flags;
}
