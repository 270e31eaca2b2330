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
