import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeUdpPortRange } from '../sipp/index.js';

export interface RunBaresipOptions {
  /** `sip:user@127.0.0.1:PORT`; the rig never dials anywhere else. */
  dial: string;
  /** The "microphone": an 8 kHz mono WAV (baresip's aufile does not resample). */
  sourceWav: string;
  /** baresip quits (hanging up) after this many seconds; it also hangs up when the WAV ends. */
  durationS: number;
  /** Where sndfile writes its WAVs; a new temporary directory when omitted (the caller removes it). */
  recordDir?: string;
  signal?: AbortSignal;
}

export interface BaresipResult {
  /**
   * sndfile's recordings, sorted: `dump-<time>-dec.wav` is what the far end sent (decoded),
   * `dump-<time>-enc.wav` what baresip sent.
   */
  recordedWavs: string[];
  recordDir: string;
  log: string;
  exitCode: number | null;
  killedBy: 'timeout' | 'abort' | undefined;
}

/** Where Debian's baresip-core puts its modules (the first that holds g711.so is used). */
const MODULE_DIRS = [
  '/usr/lib/baresip/modules',
  '/usr/lib/x86_64-linux-gnu/baresip/modules',
  '/usr/local/lib/baresip/modules',
];
const MAX_LOG_CHARS = 128 * 1024;

export function baresipModuleDir(): string {
  const dir = MODULE_DIRS.find((d) => existsSync(join(d, 'g711.so')));
  if (dir === undefined) throw new Error(`baresip modules not found in ${MODULE_DIRS.join(', ')}`);
  return dir;
}

/**
 * Places one call with baresip as a headless phone: the WAV is its microphone, what it hears is
 * recorded to WAV, everything on 127.0.0.1. The config folder is generated and removed afterwards;
 * baresip is killed if it outlives `durationS` by 10 s or the signal aborts.
 */
export async function runBaresip(options: RunBaresipOptions): Promise<BaresipResult> {
  if (!/^sip:[^@\s]+@127\.0\.0\.1(:\d+)?$/.test(options.dial)) {
    throw new Error(`the rig only dials sip:user@127.0.0.1[:port], not ${options.dial}`);
  }
  const recordDir = options.recordDir ?? mkdtempSync(join(tmpdir(), 'vox-baresip-rec-'));
  mkdirSync(recordDir, { recursive: true });
  const configDir = mkdtempSync(join(tmpdir(), 'vox-baresip-'));
  try {
    const rtpBase = await freeUdpPortRange();
    writeFileSync(
      join(configDir, 'config'),
      baresipConfig(resolve(options.sourceWav), resolve(recordDir), rtpBase),
    );
    // regint=0: no registration, the account only gives the UA an identity to call from.
    writeFileSync(
      join(configDir, 'accounts'),
      '<sip:rig@127.0.0.1>;regint=0;audio_codecs=PCMU/8000/1,PCMA/8000/1\n',
    );
    writeFileSync(join(configDir, 'contacts'), '');
    const args = [
      '-f',
      configDir,
      '-e',
      `/dial ${options.dial}`,
      '-t',
      String(Math.max(1, Math.ceil(options.durationS))),
    ];
    const run = await spawnBaresip(args, (options.durationS + 10) * 1000, options.signal);
    const recordedWavs = readdirSync(recordDir)
      .filter((f) => f.endsWith('.wav'))
      .sort()
      .map((f) => join(recordDir, f));
    return { ...run, recordedWavs, recordDir };
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
}

function baresipConfig(sourceWav: string, recordDir: string, rtpBase: number): string {
  const lines: [string, string][] = [
    ['poll_method', 'epoll'],
    ['sip_listen', '127.0.0.1:0'],
    ['sip_trans_def', 'udp'],
    // The interface name `lo` is refused; the address works (TEST-RIG.md).
    ['net_interface', '127.0.0.1'],
    ['rtp_ports', `${rtpBase}-${rtpBase + 3}`],
    ['audio_source', `aufile,${sourceWav}`],
    ['audio_player', 'sndfile,default'],
    ['audio_alert', 'sndfile,default'],
    ['audio_srate', '8000'],
    ['audio_channels', '1'],
    ['ausrc_srate', '8000'],
    ['auplay_srate', '8000'],
    ['module_path', baresipModuleDir()],
    ['module', 'g711.so'],
    ['module', 'aufile.so'],
    ['module', 'sndfile.so'],
    ['module_app', 'account.so'],
    ['module_app', 'menu.so'],
    ['snd_path', recordDir],
  ];
  return lines.map(([k, v]) => `${k}\t\t${v}`).join('\n') + '\n';
}

function spawnBaresip(
  args: string[],
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Pick<BaresipResult, 'log' | 'exitCode' | 'killedBy'>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('baresip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    let killedBy: BaresipResult['killedBy'];
    const append = (s: string): void => {
      log = (log + s).slice(-MAX_LOG_CHARS);
    };
    child.stdout.setEncoding('utf8').on('data', append);
    child.stderr.setEncoding('utf8').on('data', append);
    let hardKill: NodeJS.Timeout | undefined;
    const stop = (why: 'timeout' | 'abort'): void => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killedBy ??= why;
      child.kill('SIGTERM');
      hardKill ??= setTimeout(() => child.kill('SIGKILL'), 1000);
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onAbort = (): void => stop('abort');
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted === true) stop('abort');
    const cleanup = (): void => {
      clearTimeout(timer);
      if (hardKill !== undefined) clearTimeout(hardKill);
      signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (error) => {
      cleanup();
      reject(error);
    });
    child.once('close', (code) => {
      cleanup();
      resolvePromise({ log, exitCode: code, killedBy });
    });
  });
}
