import type { DownloadProgressEvent } from './download-file.js';

/** The part of a writable stream the progress display needs; `isTTY` decides bar versus lines. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface DownloadProgressOptions {
  readonly stream: ProgressStream;
  readonly label: string;
  /** Milliseconds since an arbitrary origin; injectable so tests get stable rates. */
  readonly nowMs?: () => number;
}

const BAR_WIDTH = 24;
/** Redrawing more often than this only costs terminal bandwidth. */
const TTY_REDRAW_MS = 100;
/** Without a known total, a non-TTY stream gets one line per this many bytes. */
const UNKNOWN_TOTAL_STEP_BYTES = 10_000_000;

function mb(bytes: number): string {
  return (bytes / 1_000_000).toFixed(1);
}

/**
 * Shows download progress on stderr: a redrawn bar (percent, MB, rate) on a terminal, and on
 * anything else (CI logs, files) one plain line per 10 %, so logs stay short and readable.
 */
export class DownloadProgress {
  private readonly stream: ProgressStream;
  private readonly label: string;
  private readonly nowMs: () => number;
  private readonly startedMs: number;
  private lastDrawMs = -Infinity;
  private lastStep = -1;
  private drewBar = false;
  private last: DownloadProgressEvent | undefined;

  constructor(options: DownloadProgressOptions) {
    this.stream = options.stream;
    this.label = options.label;
    this.nowMs = options.nowMs ?? (() => performance.now());
    this.startedMs = this.nowMs();
  }

  update(event: DownloadProgressEvent): void {
    this.last = event;
    if (this.stream.isTTY) {
      const now = this.nowMs();
      if (now - this.lastDrawMs < TTY_REDRAW_MS) return;
      this.lastDrawMs = now;
      this.stream.write(`\r\x1b[K${this.describe(event, true)}`);
      this.drewBar = true;
      return;
    }
    const step =
      event.totalBytes !== undefined && event.totalBytes > 0
        ? Math.floor((event.receivedBytes / event.totalBytes) * 10)
        : Math.floor(event.receivedBytes / UNKNOWN_TOTAL_STEP_BYTES);
    if (step > this.lastStep) {
      this.lastStep = step;
      this.stream.write(`${this.describe(event, false)}\n`);
    }
  }

  /** Draws the final state and ends the bar's line, so later output starts on a fresh line. */
  finish(): void {
    if (this.stream.isTTY) {
      if (this.last) this.stream.write(`\r\x1b[K${this.describe(this.last, true)}\n`);
      else if (this.drewBar) this.stream.write('\n');
    }
  }

  /** Ends the bar's line without redrawing it, before an error message is printed. */
  abandon(): void {
    if (this.stream.isTTY && this.drewBar) this.stream.write('\n');
  }

  private describe(event: DownloadProgressEvent, withBar: boolean): string {
    const elapsedS = Math.max((this.nowMs() - this.startedMs) / 1000, 1e-3);
    // The rate counts only bytes moved by this run; a resumed prefix arrived long ago.
    const rate = `${mb((event.receivedBytes - event.resumedFromBytes) / elapsedS)} MB/s`;
    const { receivedBytes, totalBytes } = event;
    if (totalBytes === undefined || totalBytes <= 0) {
      return `${this.label}: ${mb(receivedBytes)} MB, ${rate}`;
    }
    const fraction = Math.min(receivedBytes / totalBytes, 1);
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const sizes = `${mb(receivedBytes)}/${mb(totalBytes)} MB`;
    if (!withBar) return `${this.label}: ${percent.trim()} (${sizes}, ${rate})`;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
    return `${this.label} ${bar} ${percent} ${sizes} ${rate}`;
  }
}
