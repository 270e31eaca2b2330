export { Call } from './call.js';
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
  DtmfCallEvent,
  LegAddedEvent,
  LegCodec,
  LegPacer,
  LegParticipant,
  LegRole,
  TranscriptEvent,
} from './call-event.js';
export type { RecognizerState } from './leg-recognizer.js';
