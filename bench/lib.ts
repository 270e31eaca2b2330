/** Small timing helpers shared by the benchmarks: median of repeated timed batches. */
import { performance } from 'node:perf_hooks';

export interface Timing {
  /** Median nanoseconds per operation over the repetitions. */
  nsPerOp: number;
  /** Operations timed per repetition. */
  opsPerRep: number;
}

/**
 * Runs `fn(n)` (which performs n operations) with n grown until one batch takes ≥ minBatchMs, then
 * times `reps` batches and returns the median per-operation cost. Warm-up batches let the JIT settle.
 */
export function timeOps(
  fn: (n: number) => void,
  options: { minBatchMs?: number; reps?: number } = {},
): Timing {
  const minBatchMs = options.minBatchMs ?? 200;
  const reps = options.reps ?? 7;
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    fn(n);
    const dt = performance.now() - t0;
    if (dt >= minBatchMs) break;
    n = Math.max(n * 2, Math.ceil((n * minBatchMs) / Math.max(dt, 0.01)));
  }
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn(n);
    samples.push(((performance.now() - t0) * 1e6) / n);
  }
  samples.sort((a, b) => a - b);
  return { nsPerOp: samples[Math.floor(samples.length / 2)]!, opsPerRep: n };
}

/** Prints rows as a Markdown table (so the output can be pasted into docs/benchmarks.md). */
export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n### ${title}\n`);
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of cells.slice(1)) console.log(line(r));
}

export function fmt(value: number, digits = 2): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
