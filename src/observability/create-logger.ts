import { hostname } from 'node:os';
import { pino } from 'pino';
import type { DestinationStream, Level, Logger } from 'pino';

/**
 * Structured fields that carry personal data wherever they appear: transcript text, DTMF digits,
 * caller and callee numbers (From/To), SIPREC participant addresses and names. `participant`
 * keeps its keys with every value replaced, so a log still shows which fields were present.
 */
export const REDACTED_KEYS = [
  'text',
  'digit',
  'digits',
  'from',
  'to',
  'aor',
  'name',
  'transcript',
  'participant.*',
] as const;

export const REDACTED = '[REDACTED]';

/**
 * pino matches a path at one depth only, and its wildcards one level each, so every key is
 * listed at the top and under up to this many levels of nesting (`event.leg.participant.aor`).
 */
export const REDACT_DEPTH = 4;

/** The pino redact paths: each of REDACTED_KEYS at depth 0..REDACT_DEPTH. */
export function redactPaths(): string[] {
  const paths: string[] = [];
  for (let depth = 0; depth <= REDACT_DEPTH; depth++) {
    const prefix = '*.'.repeat(depth);
    for (const key of REDACTED_KEYS) paths.push(`${prefix}${key}`);
  }
  return paths;
}

export interface CreateLoggerOptions {
  readonly level: Level | 'silent';
  /** Replace personal data in structured fields by `[REDACTED]` (the config default is true). */
  readonly redact: boolean;
  /** Default stderr: stdout is where `serve --json` writes events, which must stay parseable. */
  readonly destination?: DestinationStream;
  /**
   * Bound into every line as `service` (not pino's `name`, which is a redacted key: a SIPREC
   * participant's display name).
   */
  readonly service?: string;
}

/**
 * JSON lines through pino. Message text must never carry personal data (the architecture's
 * rule); structured fields may, and are redacted here unless the operator turned it off.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ dest: 2, sync: true });
  return pino(
    {
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      ...(options.service === undefined
        ? {}
        : { base: { pid: process.pid, hostname: hostname(), service: options.service } }),
      ...(options.redact ? { redact: { paths: redactPaths(), censor: REDACTED } } : {}),
    },
    destination,
  );
}
