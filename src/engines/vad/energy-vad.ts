import { rmsDbfs } from '../../media/audio/index.js';
import type { VadEvent, VadOptions, VoiceActivityDetector } from './voice-activity-detector.js';
import { DEFAULT_MIN_SPEECH_MS, DEFAULT_TRAILING_SILENCE_MS, samplesToMs } from './vad-defaults.js';

export interface EnergyVadOptions extends VadOptions {
  /** Speech start is reported this much before the first voiced frame (not before 0). Default 150 ms. */
  readonly preRollMs?: number;
}

/** 20 ms at 16 kHz: short enough for a quick decision, long enough for a stable energy value. */
const FRAME_SAMPLES = 320;
const FRAME_MS = 20;

/** A frame starts speech when it is this far above the noise floor... */
const START_MARGIN_DB = 12;
/** ...and keeps speech going at this smaller margin, so soft word endings are not cut. */
const CONTINUE_MARGIN_DB = 8;
/** Frames quieter than this are never speech, however quiet the line: a low hiss stays silence. */
const ABSOLUTE_GATE_DBFS = -50;
/**
 * The floor is clamped to this range. Digital silence would otherwise drive it to -inf, and a
 * stream that begins with speech must still start with a floor below that speech.
 */
const FLOOR_MIN_DBFS = -70;
const FLOOR_INITIAL_MAX_DBFS = -40;
/**
 * Per-frame smoothing of the floor, in dB. It falls fast (a quieter frame is better evidence of
 * the floor), rises at a 1 s time constant on silent frames, and barely moves during speech so
 * that a long utterance does not lift the floor into itself.
 */
const FLOOR_FALL_RATE = 0.2;
const FLOOR_RISE_RATE_IDLE = 0.02;
const FLOOR_RISE_RATE_VOICED = 0.001;
/** A candidate utterance survives gaps up to this long while it accumulates minSpeechMs. */
const CANDIDATE_GAP_MS = 100;

type State = 'idle' | 'candidate' | 'speaking';

/**
 * Energy detector with an adaptive noise floor. Cheap and dependency-free: the fallback when no
 * Silero model is installed. It cannot tell speech from loud non-stationary noise; Silero can.
 */
export class EnergyVad implements VoiceActivityDetector {
  readonly kind = 'energy';
  private readonly trailingSilenceMs: number;
  private readonly minSpeechMs: number;
  private readonly preRollMs: number;

  /** Samples waiting to fill the next 20 ms frame. */
  private pending = new Int16Array(FRAME_SAMPLES);
  private pendingLength = 0;
  /** Complete frames consumed since the last reset. */
  private frameIndex = 0;
  private floorDbfs: number | undefined;
  private state: State = 'idle';
  private candidateStartFrame = 0;
  private candidateVoicedFrames = 0;
  /** Index of the frame after the last voiced one. */
  private lastVoicedEndFrame = 0;
  /** Where the previous utterance ended, so that pre-roll never reaches back into it. */
  private previousEndMs = 0;

  constructor(options: EnergyVadOptions = {}) {
    this.trailingSilenceMs = options.trailingSilenceMs ?? DEFAULT_TRAILING_SILENCE_MS;
    this.minSpeechMs = options.minSpeechMs ?? DEFAULT_MIN_SPEECH_MS;
    this.preRollMs = options.preRollMs ?? 150;
  }

  process(pcm16k: Int16Array): VadEvent[] {
    const events: VadEvent[] = [];
    let offset = 0;
    while (offset < pcm16k.length) {
      const take = Math.min(FRAME_SAMPLES - this.pendingLength, pcm16k.length - offset);
      this.pending.set(pcm16k.subarray(offset, offset + take), this.pendingLength);
      this.pendingLength += take;
      offset += take;
      if (this.pendingLength === FRAME_SAMPLES) {
        this.processFrame(this.pending, events);
        this.pendingLength = 0;
      }
    }
    return events;
  }

  flush(): VadEvent[] {
    const events: VadEvent[] = [];
    if (this.state === 'speaking') {
      const totalSamples = this.frameIndex * FRAME_SAMPLES + this.pendingLength;
      events.push(this.end(samplesToMs(totalSamples)));
    }
    this.state = 'idle';
    return events;
  }

  reset(): void {
    this.pending = new Int16Array(FRAME_SAMPLES);
    this.pendingLength = 0;
    this.frameIndex = 0;
    this.floorDbfs = undefined;
    this.state = 'idle';
    this.candidateStartFrame = 0;
    this.candidateVoicedFrames = 0;
    this.lastVoicedEndFrame = 0;
    this.previousEndMs = 0;
  }

  close(): void {
    // Nothing native to free; close only has to be safe to call more than once.
  }

  private processFrame(frame: Int16Array, events: VadEvent[]): void {
    const energyDbfs = Math.max(rmsDbfs(frame), FLOOR_MIN_DBFS - 10);
    const floorDbfs = (this.floorDbfs ??= Math.min(
      Math.max(energyDbfs, FLOOR_MIN_DBFS),
      FLOOR_INITIAL_MAX_DBFS,
    ));
    const margin = this.state === 'speaking' ? CONTINUE_MARGIN_DB : START_MARGIN_DB;
    const voiced = energyDbfs >= ABSOLUTE_GATE_DBFS && energyDbfs >= floorDbfs + margin;
    this.updateFloor(energyDbfs, voiced);

    const index = this.frameIndex++;
    switch (this.state) {
      case 'idle':
        if (voiced) {
          this.state = 'candidate';
          this.candidateStartFrame = index;
          this.candidateVoicedFrames = 1;
          this.lastVoicedEndFrame = index + 1;
          this.confirmIfLongEnough(events);
        }
        break;
      case 'candidate':
        if (voiced) {
          this.candidateVoicedFrames++;
          this.lastVoicedEndFrame = index + 1;
          this.confirmIfLongEnough(events);
        } else if ((index + 1 - this.lastVoicedEndFrame) * FRAME_MS > CANDIDATE_GAP_MS) {
          this.state = 'idle';
        }
        break;
      case 'speaking':
        if (voiced) {
          this.lastVoicedEndFrame = index + 1;
        } else if ((index + 1 - this.lastVoicedEndFrame) * FRAME_MS >= this.trailingSilenceMs) {
          events.push(this.end(this.lastVoicedEndFrame * FRAME_MS));
        }
        break;
    }
  }

  private confirmIfLongEnough(events: VadEvent[]): void {
    if (this.candidateVoicedFrames * FRAME_MS < this.minSpeechMs) return;
    this.state = 'speaking';
    const startMs = Math.max(0, this.previousEndMs, this.candidateStartFrame * FRAME_MS - this.preRollMs);
    events.push({ type: 'speechStart', offsetMs: startMs });
  }

  private end(offsetMs: number): VadEvent {
    this.state = 'idle';
    this.previousEndMs = offsetMs;
    return { type: 'speechEnd', offsetMs };
  }

  private updateFloor(energyDbfs: number, voiced: boolean): void {
    const floorDbfs = this.floorDbfs ?? energyDbfs;
    let rate: number;
    if (energyDbfs < floorDbfs) rate = FLOOR_FALL_RATE;
    else if (voiced || this.state === 'speaking') rate = FLOOR_RISE_RATE_VOICED;
    else rate = FLOOR_RISE_RATE_IDLE;
    this.floorDbfs = Math.max(FLOOR_MIN_DBFS, floorDbfs + rate * (energyDbfs - floorDbfs));
  }
}
