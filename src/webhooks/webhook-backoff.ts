/** Retry timing: doubling from `initialMs`, capped at `maxMs`, shortened by up to `jitter`. */
export interface WebhookBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  /** 0..1: the fraction of each delay that is random, so many failed rows do not retry in step. */
  readonly jitter: number;
}

export const DEFAULT_WEBHOOK_BACKOFF: WebhookBackoff = { initialMs: 1000, maxMs: 5 * 60 * 1000, jitter: 0.2 };

/**
 * How long to wait after the `failedAttempts`-th failure (1-based): `initialMs · 2^(n-1)`, at most
 * `maxMs`, times `1 - jitter · random`. The jitter only shortens a delay, so the cap holds.
 */
export function webhookBackoffMs(failedAttempts: number, backoff: WebhookBackoff, random: number): number {
  const exponent = Math.max(0, Math.min(failedAttempts - 1, 52));
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** exponent);
  return Math.round(base * (1 - backoff.jitter * Math.min(Math.max(random, 0), 1)));
}
