import type { AgentMatcher } from '../sip/siprec/index.js';

export interface AgentMatcherSettings {
  readonly aorPrefix?: string | undefined;
  readonly domain?: string | undefined;
  readonly pattern?: RegExp | undefined;
}

/**
 * The gateway's `agentMatcher` option from the configured agent AoR patterns: absent when none is
 * set, so that the SIPREC role rule skips its configuration step (docs/siprec-interop.md).
 */
export function agentMatcherOption(settings: AgentMatcherSettings): { agentMatcher?: AgentMatcher } {
  const matcher: { aorPrefix?: string; domain?: string; pattern?: RegExp } = {};
  if (settings.aorPrefix !== undefined && settings.aorPrefix !== '') matcher.aorPrefix = settings.aorPrefix;
  if (settings.domain !== undefined && settings.domain !== '') matcher.domain = settings.domain;
  if (settings.pattern !== undefined) matcher.pattern = settings.pattern;
  return Object.keys(matcher).length === 0 ? {} : { agentMatcher: matcher };
}

/**
 * The gateway's `recordedCallHeaders` option: the headers in which the SRC passes the recorded
 * call's From and To; absent when none is configured.
 */
export function recordedCallHeadersOption(
  from: readonly string[] | undefined,
  to: readonly string[] | undefined,
): { recordedCallHeaders?: { from: readonly string[]; to: readonly string[] } } {
  const f = from ?? [];
  const t = to ?? [];
  return f.length === 0 && t.length === 0 ? {} : { recordedCallHeaders: { from: f, to: t } };
}
