import type { VadEvent, VadOptions, VoiceActivityDetector } from '../../vad/index.js';

const SAMPLE_RATE_HZ = 16000;
const FRAME_SAMPLES = 320;
const FRAME_MS = 20;

/**
 * A frame-energy detector used only until the shared `createVad` of engines/vad lands; it follows
 * the VoiceActivityDetector contract so swapping it out changes one import. A frame is speech when
 * it is 12 dB above the tracked noise floor and above -50 dBFS.
 */
export class InterimEnergyVad implements VoiceActivityDetector {
  readonly kind = 'energy';
  private readonly trailingSilenceMs: number;
  private readonly minSpeechMs: number;
  private readonly pending = new Int16Array(FRAME_SAMPLES);
  private pendingLength = 0;
  private positionMs = 0;
  private noiseFloorDbfs = -60;
  private runStartMs = -1;
  private voicedMs = 0;
  private lastVoicedEndMs = -1;
  private inSpeech = false;

  constructor(options: VadOptions = {}) {
    this.trailingSilenceMs = options.trailingSilenceMs ?? 500;
    this.minSpeechMs = options.minSpeechMs ?? 250;
  }

  process(pcm16k: Int16Array): VadEvent[] {
    const events: VadEvent[] = [];
    let i = 0;
    while (i < pcm16k.length) {
      const take = Math.min(FRAME_SAMPLES - this.pendingLength, pcm16k.length - i);
      this.pending.set(pcm16k.subarray(i, i + take), this.pendingLength);
      this.pendingLength += take;
      i += take;
      if (this.pendingLength === FRAME_SAMPLES) {
        this.frame(events);
        this.pendingLength = 0;
      }
    }
    return events;
  }

  flush(): VadEvent[] {
    const events: VadEvent[] = [];
    if (this.inSpeech) {
      const endMs = this.positionMs + (this.pendingLength * 1000) / SAMPLE_RATE_HZ;
      // The contract: an utterance still open ends at the last sample.
      events.push({ type: 'speechEnd', offsetMs: endMs });
      this.inSpeech = false;
    }
    this.runStartMs = -1;
    this.voicedMs = 0;
    return events;
  }

  reset(): void {
    this.pendingLength = 0;
    this.positionMs = 0;
    this.noiseFloorDbfs = -60;
    this.runStartMs = -1;
    this.voicedMs = 0;
    this.lastVoicedEndMs = -1;
    this.inSpeech = false;
  }

  close(): void {
    // Nothing native to free.
  }

  private frame(events: VadEvent[]): void {
    let sum = 0;
    for (let k = 0; k < FRAME_SAMPLES; k++) {
      const s = this.pending[k] ?? 0;
      sum += s * s;
    }
    const levelDbfs = sum === 0 ? -120 : 10 * Math.log10(sum / FRAME_SAMPLES / (32768 * 32768));
    const voiced = levelDbfs > Math.max(this.noiseFloorDbfs + 12, -50);
    // The floor falls fast and rises slowly, so speech itself barely lifts it.
    this.noiseFloorDbfs =
      levelDbfs < this.noiseFloorDbfs
        ? levelDbfs
        : this.noiseFloorDbfs + 0.02 * (levelDbfs - this.noiseFloorDbfs);
    const frameStartMs = this.positionMs;
    this.positionMs += FRAME_MS;
    if (voiced) {
      if (this.runStartMs < 0) this.runStartMs = frameStartMs;
      this.voicedMs += FRAME_MS;
      this.lastVoicedEndMs = this.positionMs;
      if (!this.inSpeech && this.voicedMs >= this.minSpeechMs) {
        this.inSpeech = true;
        events.push({ type: 'speechStart', offsetMs: this.runStartMs });
      }
      return;
    }
    if (this.runStartMs >= 0 && this.positionMs - this.lastVoicedEndMs >= this.trailingSilenceMs) {
      if (this.inSpeech) events.push({ type: 'speechEnd', offsetMs: this.lastVoicedEndMs });
      this.inSpeech = false;
      this.runStartMs = -1;
      this.voicedMs = 0;
    }
  }
}
