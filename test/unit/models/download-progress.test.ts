import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DownloadProgress } from '../../../src/models/index.js';

/** ANSI erase-to-end-of-line, which the bar writes before each redraw. */
const CLEAR_LINE = '\u001b[K';

function sink(isTTY: boolean): { isTTY: boolean; text: string; write(t: string): void } {
  return {
    isTTY,
    text: '',
    write(t: string) {
      this.text += t;
    },
  };
}

describe('DownloadProgress', () => {
  it('prints one plain line per 10 % when the stream is not a terminal', () => {
    const out = sink(false);
    let now = 0;
    const progress = new DownloadProgress({ stream: out, label: 'voice', nowMs: () => now });
    const total = 50_000_000;
    for (let received = 0; received <= total; received += 1_000_000) {
      progress.update({ receivedBytes: received, totalBytes: total, resumedFromBytes: 0 });
      now += 100;
    }
    progress.finish();
    const lines = out.text.trimEnd().split('\n');
    assert.equal(lines.length, 11);
    assert.equal(lines[0], 'voice: 0% (0.0/50.0 MB, 0.0 MB/s)');
    assert.equal(lines[5], 'voice: 50% (25.0/50.0 MB, 10.0 MB/s)');
    assert.equal(lines[10], 'voice: 100% (50.0/50.0 MB, 10.0 MB/s)');
    assert.ok(!out.text.includes('\r') && !out.text.includes(CLEAR_LINE));
  });

  it('prints a line per 10 MB when the size is unknown', () => {
    const out = sink(false);
    const progress = new DownloadProgress({ stream: out, label: 'x', nowMs: () => 1000 });
    for (let received = 0; received <= 25_000_000; received += 500_000) {
      progress.update({ receivedBytes: received, totalBytes: undefined, resumedFromBytes: 0 });
    }
    assert.equal(out.text.trimEnd().split('\n').length, 3);
  });

  it('redraws a bar with percent, MB and rate on a terminal, counting only new bytes for the rate', () => {
    const out = sink(true);
    let now = 0;
    const progress = new DownloadProgress({ stream: out, label: 'voice', nowMs: () => now });
    now = 2000;
    progress.update({ receivedBytes: 30_000_000, totalBytes: 40_000_000, resumedFromBytes: 20_000_000 });
    // Within the redraw interval: nothing new is drawn.
    now = 2050;
    progress.update({ receivedBytes: 31_000_000, totalBytes: 40_000_000, resumedFromBytes: 20_000_000 });
    assert.equal(out.text.split('\r').length - 1, 1);
    assert.equal(
      out.text,
      `\r${CLEAR_LINE}voice [${'#'.repeat(18)}${'-'.repeat(6)}]  75% 30.0/40.0 MB 5.0 MB/s`,
    );
    progress.finish();
    assert.ok(out.text.endsWith('\n'));
    assert.match(out.text, /77% 31\.0\/40\.0 MB/);
  });
});
