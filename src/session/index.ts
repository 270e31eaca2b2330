export { Call, recognizerSpeedOf } from './call.js';
export type { AddLegOptions, CallOptions } from './call.js';
export { MediaLeg } from './media-leg.js';
export type { MediaLegStats } from './media-leg.js';
export { MediaTicker, defaultMediaTicker } from './media-ticker.js';
export type { MediaTickable, MediaTickerOptions } from './media-ticker.js';
export { CALL_EVENT_TYPES, codecName } from './call-event.js';
export type {
  CallEndedEvent,
  CallEvent,
  CallStartedEvent,
  CallTranscription,
  DtmfCallEvent,
  LegAddedEvent,
  LegCodec,
  LegPacer,
  LegParticipant,
  LegRoleSource,
  LegRole,
  TranscriptEvent,
  TranscriptGapEvent,
  TranscriptGapReason,
} from './call-event.js';
export type { RecognizerGap, RecognizerGapReason, RecognizerState } from './leg-recognizer.js';
export { DEFAULT_BACKLOG_MS } from './leg-recognizer.js';
export { RecognizerAdmission, recognizerAdmissionFor, recognizerLimit } from './recognizer-admission.js';
export type {
  AdmissionLease,
  RecognizerAdmissionOptions,
  RecognizerLimitOptions,
} from './recognizer-admission.js';
export { DEFAULT_RECOGNIZER_RTF, RecognizerSpeed, recognizerBacklogMs } from './recognizer-speed.js';
export type { RecognizerBacklogOptions, RecognizerSpeedOptions } from './recognizer-speed.js';
