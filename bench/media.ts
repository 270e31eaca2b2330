/**
 * Media benchmark: G.711 throughput against the npm package `alawmulaw` and against sox on the
 * same data, and the per-packet cost of the receive path (RTP parse + jitter buffer + G.711 decode
 * + 8→16 kHz resample). Run: `npm run bench -- media`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import alawmulaw from 'alawmulaw';
import { g711Decode, g711Encode } from '../src/media/codecs/index.js';
import { fmt, printTable, timeOps } from './lib.js';
import { receivePathBench } from './receive-path.js';

/** Speech-like test signal: noise with a slowly varying envelope, so every G.711 segment is used. */
export function speechLikePcm(samples: number, seed = 1): Int16Array {
  const out = new Int16Array(samples);
  let s = seed >>> 0;
  for (let i = 0; i < samples; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const noise = s / 0x100000000 - 0.5;
    const envelope = 0.05 + 0.95 * Math.abs(Math.sin((i / 8000) * Math.PI * 1.3));
    out[i] = Math.round(noise * 2 * 32767 * envelope);
  }
  return out;
}

/** Median wall time of a sox command over `reps` runs, minus the same command on a tiny input. */
function soxNsPerSample(
  dir: string,
  args: (input: string, output: string) => string[],
  input: Uint8Array,
  samples: number,
): number | undefined {
  const big = join(dir, 'in.raw');
  const tiny = join(dir, 'tiny.raw');
  writeFileSync(big, input);
  writeFileSync(tiny, input.subarray(0, 160));
  const timeOnce = (file: string): number => {
    const t0 = performance.now();
    const r = spawnSync('sox', args(file, join(dir, 'out.raw')));
    if (r.error || r.status !== 0) throw new Error(`sox failed: ${r.error?.message ?? r.stderr.toString()}`);
    return performance.now() - t0;
  };
  try {
    timeOnce(tiny);
  } catch {
    return undefined;
  }
  const median = (file: string): number => {
    const t = Array.from({ length: 5 }, () => timeOnce(file)).sort((a, b) => a - b);
    return t[2]!;
  };
  const net = median(big) - median(tiny);
  return (net * 1e6) / samples;
}

export async function runMediaBench(): Promise<void> {
  const samples = 8000 * 300; // five minutes of 8 kHz audio
  const pcm = speechLikePcm(samples);
  const dir = mkdtempSync(join(tmpdir(), 'vox-bench-'));
  const rows: (string | number)[][] = [];
  try {
    for (const law of ['mulaw', 'alaw'] as const) {
      const codes = g711Encode(law, pcm);
      const outPcm = new Int16Array(samples);
      const outCodes = new Uint8Array(samples);
      const peer = law === 'mulaw' ? alawmulaw.mulaw : alawmulaw.alaw;
      const soxEnc = law === 'mulaw' ? 'mu-law' : 'a-law';

      const oursDec =
        timeOps((n) => {
          for (let i = 0; i < n; i++) g711Decode(law, codes, outPcm);
        }).nsPerOp / samples;
      const peerDec =
        timeOps((n) => {
          for (let i = 0; i < n; i++) peer.decode(codes);
        }).nsPerOp / samples;
      const soxDec = soxNsPerSample(
        dir,
        (i, o) => [
          '-D',
          '-t',
          'raw',
          '-e',
          soxEnc,
          '-b',
          '8',
          '-r',
          '8000',
          '-c',
          '1',
          i,
          '-t',
          'raw',
          '-e',
          'signed',
          '-b',
          '16',
          o,
        ],
        codes,
        samples,
      );
      const oursEnc =
        timeOps((n) => {
          for (let i = 0; i < n; i++) g711Encode(law, pcm, outCodes);
        }).nsPerOp / samples;
      const peerEnc =
        timeOps((n) => {
          for (let i = 0; i < n; i++) peer.encode(pcm);
        }).nsPerOp / samples;
      const soxEncNs = soxNsPerSample(
        dir,
        (i, o) => [
          '-D',
          '-t',
          'raw',
          '-e',
          'signed',
          '-b',
          '16',
          '-r',
          '8000',
          '-c',
          '1',
          i,
          '-t',
          'raw',
          '-e',
          soxEnc,
          '-b',
          '8',
          o,
        ],
        new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength),
        samples,
      );
      const msps = (ns: number): string => fmt(1000 / ns, 1);
      const soxCell = (ns: number | undefined): string =>
        ns === undefined ? 'sox not installed' : `${msps(ns)}`;
      const soxRatio = (ours: number, ns: number | undefined): string =>
        ns === undefined ? '–' : `${fmt(ns / ours, 1)}×`;
      rows.push([
        `${law} decode`,
        msps(oursDec),
        msps(peerDec),
        soxCell(soxDec),
        `${fmt(peerDec / oursDec, 1)}×`,
        soxRatio(oursDec, soxDec),
      ]);
      rows.push([
        `${law} encode`,
        msps(oursEnc),
        msps(peerEnc),
        soxCell(soxEncNs),
        `${fmt(peerEnc / oursEnc, 1)}×`,
        soxRatio(oursEnc, soxEncNs),
      ]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(
    `G.711 throughput, Msamples/s (${samples.toLocaleString('en-US')} samples; sox: whole process minus its start-up)`,
    ['operation', 'voxbridge', 'alawmulaw 6.0.0', 'sox -D', 'vs alawmulaw', 'vs sox'],
    rows,
  );

  await receivePathBench();
}
