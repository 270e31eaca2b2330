export type { VadEvent, VadOptions, VoiceActivityDetector } from './voice-activity-detector.js';
