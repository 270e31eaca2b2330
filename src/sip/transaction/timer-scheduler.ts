// The scheduler lives in core so that net/ (RTCP, pacer) shares it; sip/transaction re-exports it.
export { createTimerScheduler } from '../../core/index.js';
export type { TimerHandle, TimerScheduler } from '../../core/index.js';
