interface Segment {
  readonly streamMs: number;
  readonly callMs: number;
}

/** Segments kept; older ones are forgotten (results about audio that old no longer arrive). */
const MAX_SEGMENTS = 256;
/** Frames whose start is within this of where the previous frame ended count as contiguous. */
const CONTIGUOUS_TOLERANCE_MS = 0.5;

/**
 * Maps positions in a recognition stream (ms of audio the engine has been given, which is what its
 * offsets count) to milliseconds from the start of the call. The stream is a sequence of
 * contiguous runs: a new run starts wherever call time jumps while the stream does not (the first
 * frame of the leg, audio skipped during hold, frames dropped because the recognizer fell behind).
 */
export class StreamTimeline {
  private readonly segments: Segment[] = [];
  private streamPositionMs = 0;
  private expectedCallMs = Number.NaN;

  /** Audio given to the engine so far, in ms. */
  get streamMs(): number {
    return this.streamPositionMs;
  }

  /** Notes that the engine is given `durationMs` of audio that was at `callMs` in the call. */
  advance(callMs: number, durationMs: number): void {
    if (!(Math.abs(callMs - this.expectedCallMs) <= CONTIGUOUS_TOLERANCE_MS)) {
      this.segments.push({ streamMs: this.streamPositionMs, callMs });
      if (this.segments.length > MAX_SEGMENTS) this.segments.shift();
    }
    this.streamPositionMs += durationMs;
    this.expectedCallMs = callMs + durationMs;
  }

  /** Call time of a stream position, by the run it falls in. */
  toCallMs(streamMs: number): number {
    // Results are about recent audio, so search from the newest run.
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const segment = this.segments[i]!;
      if (segment.streamMs <= streamMs || i === 0) return segment.callMs + (streamMs - segment.streamMs);
    }
    return streamMs;
  }
}
