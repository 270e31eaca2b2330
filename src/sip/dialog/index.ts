export { SipUserAgent } from './sip-user-agent.js';
export type { SipUserAgentOptions } from './sip-user-agent.js';
export type { SipUserAgentStats } from './sip-user-agent-stats.js';
export { SipRejection } from './sip-rejection.js';
export type { IncomingCall, DialogInfo, SessionAnswer, DialogEndReason, UasHandler } from './uas-handler.js';
export { parseDtmfInfo } from './parse-dtmf-info.js';
export type { DtmfInfo } from './parse-dtmf-info.js';
export { negotiateSessionTimer, sessionExpiryDelayMs } from './session-timer.js';
export type { SessionTimerDecision, SessionTimerPolicy } from './session-timer.js';
