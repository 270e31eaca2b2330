export { VoxError, ParseError, UnsupportedFormatError, InvalidArgumentError } from './errors.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { FrameChannel } from './frame-channel.js';
export type { FrameChannelOptions, OverflowPolicy } from './frame-channel.js';
export { TypedEmitter } from './typed-emitter.js';
export type { EventListeners, TypedEmitterOptions } from './typed-emitter.js';
export { createTimerScheduler } from './timer-scheduler.js';
export type { TimerHandle, TimerScheduler } from './timer-scheduler.js';
