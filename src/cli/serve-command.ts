import { Command, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import { mkdir } from 'node:fs/promises';
import { startGateway, STT_ENGINE_NAMES } from '../app/index.js';
import type { SttEngineName } from '../app/index.js';
import { agentMatcherOption, recordedCallHeadersOption } from '../app/index.js';
import type { EngineProcessEvent } from '../engines/worker/index.js';
import type { CallEvent } from '../session/index.js';

interface ServeOptions {
  sipHost: string;
  sipPort: number;
  rtpPorts: { min: number; max: number };
  mediaAddress?: string;
  stt: SttEngineName | 'none';
  json: boolean;
  recordDir?: string;
  maxCalls: number;
  answerDelayMs: number;
  rtpTimeoutSec: number;
  rtpHoldTimeoutSec: number;
  maxAudioStreams: number;
  maxUnackedPerSource: number;
  maxRecognizerStreams?: number;
  pocketsphinxFinalPass?: 'utterance' | 'live';
  modelsDir?: string;
  siprecAgentAorPrefix?: string;
  siprecAgentDomain?: string;
  siprecAgentPattern?: RegExp;
  siprecRecordedFromHeaders?: string[];
  siprecRecordedToHeaders?: string[];
}

function parseList(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function parsePattern(value: string): RegExp {
  try {
    return new RegExp(value, 'i');
  } catch (error) {
    throw new CommanderArgumentError(
      `"${value}" is not a regular expression: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CommanderArgumentError(`"${value}" is not a port number (0-65535)`);
  }
  return port;
}

function parseRange(value: string): { min: number; max: number } {
  const match = /^(\d+)-(\d+)$/.exec(value.trim());
  const min = Number(match?.[1]);
  const max = Number(match?.[2]);
  if (match === null || min < 1024 || max > 65535 || max - min < 3) {
    throw new CommanderArgumentError(
      `"${value}" is not a port range like 20000-29999 (1024-65535, at least 4 ports)`,
    );
  }
  return { min, max };
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CommanderArgumentError(`"${value}" is not a positive integer`);
  return n;
}

function parseCount0(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new CommanderArgumentError(`"${value}" is not a whole number of ms`);
  return n;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new CommanderArgumentError(`"${value}" is not a whole number of seconds`);
  return n;
}

/**
 * A human-readable line per event. Transcript text is what the operator asked to see on their
 * own terminal; it never goes into log messages.
 */
function humanLine(event: CallEvent): string {
  switch (event.type) {
    case 'call.started':
      return `[${event.callId}] call started (${event.kind}) Call-ID ${event.sipCallId}`;
    case 'leg.added':
      return `[${event.callId}] leg ${event.legId} ${event.role} ${event.codec}`;
    case 'transcript.partial':
      return `[${event.callId}] ${event.role} … ${event.text}`;
    case 'transcript.final':
      return `[${event.callId}] ${event.role}: ${event.text} (${event.startMs}-${event.endMs} ms)`;
    case 'transcript.gap':
      return `[${event.callId}] ${event.role}: audio not recognized ${event.startMs}-${event.endMs} ms (${event.reason})`;
    case 'dtmf':
      return `[${event.callId}] ${event.role} DTMF ${event.digit} (${event.source})`;
    case 'call.ended':
      return `[${event.callId}] call ended: ${event.reason} after ${Math.round(event.durationMs / 1000)} s`;
  }
}

/**
 * A line per engine-process event on stderr: which process serves which recognition stream (in
 * the order legs start), and every crash with what it cost. No transcript text.
 */
function engineProcessLine(event: EngineProcessEvent): string {
  switch (event.type) {
    case 'started':
      return `voxbridge: ${event.engine} engine process ${event.pid ?? '?'} started (slot ${event.slot})`;
    case 'stream-opened':
      return `voxbridge: ${event.engine} stream ${event.streamId} on engine process ${event.pid ?? '(restarting)'} (${event.streams} there)`;
    case 'crashed': {
      const how = event.signal !== null ? `killed by ${event.signal}` : `exited with code ${event.exitCode}`;
      return (
        `voxbridge: ${event.engine} engine process ${event.pid ?? '?'} ${how}; ${event.streams} stream(s) reopened ` +
        `on a new process, slot ${event.slot} restarts in ${event.restartInMs} ms`
      );
    }
  }
}

async function serve(options: ServeOptions): Promise<void> {
  if (options.recordDir !== undefined) await mkdir(options.recordDir, { recursive: true });
  const write = (event: CallEvent): void => {
    process.stdout.write(options.json ? `${JSON.stringify(event)}\n` : `${humanLine(event)}\n`);
  };
  const gateway = await startGateway({
    sipHost: options.sipHost,
    sipPort: options.sipPort,
    rtpPorts: options.rtpPorts,
    ...(options.mediaAddress === undefined ? {} : { mediaAddress: options.mediaAddress }),
    stt: options.stt,
    ...(options.modelsDir === undefined ? {} : { modelsDir: options.modelsDir }),
    ...(options.pocketsphinxFinalPass === undefined
      ? {}
      : { pocketsphinxFinalPass: options.pocketsphinxFinalPass }),
    ...(options.recordDir === undefined ? {} : { recordDir: options.recordDir }),
    maxCalls: options.maxCalls,
    answerDelayMs: options.answerDelayMs,
    rtpTimeoutSec: options.rtpTimeoutSec,
    rtpHoldTimeoutSec: options.rtpHoldTimeoutSec,
    maxAudioStreams: options.maxAudioStreams,
    maxUnackedPerSource: options.maxUnackedPerSource,
    ...(options.maxRecognizerStreams === undefined
      ? {}
      : { maxRecognizerStreams: options.maxRecognizerStreams }),
    ...recordedCallHeadersOption(options.siprecRecordedFromHeaders, options.siprecRecordedToHeaders),
    ...agentMatcherOption({
      aorPrefix: options.siprecAgentAorPrefix,
      domain: options.siprecAgentDomain,
      pattern: options.siprecAgentPattern,
    }),
    onEvent: write,
    onError: (error) => {
      process.stderr.write(`voxbridge: ${error instanceof Error ? error.message : String(error)}\n`);
    },
    onEngineProcess: (event) => process.stderr.write(`${engineProcessLine(event)}\n`),
  });
  // The addresses the sockets report, not the configured ones, so the line never hides a
  // wildcard bind. `udp/<port>` stays the first token that test harnesses read the port from.
  const { udp, tcp } = gateway.sipAddresses;
  const at = (bound: { address: string; port: number } | undefined, transport: string): string =>
    bound === undefined ? `${transport}/-` : `${transport}/${bound.port} on ${bound.address}`;
  process.stderr.write(
    `voxbridge: SIP ${at(udp, 'udp')}, ${at(tcp, 'tcp')}, ` +
      `RTP ${options.rtpPorts.min}-${options.rtpPorts.max} advertised as ${gateway.mediaAddress}, stt ${options.stt}\n`,
  );

  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals === 1) {
        // Drain: new calls get 503, running calls finish on their own, then we exit.
        process.stderr.write(
          `voxbridge: ${signal}: draining ${gateway.userAgent.activeCalls} call(s); signal again to hang up\n`,
        );
        gateway.drain();
        void gateway.idle().then(resolve);
      } else {
        process.stderr.write(`voxbridge: ${signal}: hanging up every call\n`);
        resolve();
      }
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  await gateway.close();
  // The same count as /metrics' voxbridge_engine_process_crashes_total of `voxbridge start`.
  const crashes = Object.entries(gateway.counts.engineProcessCrashes ?? {})
    .map(([engine, n]) => `${engine} ${n}`)
    .join(', ');
  process.stderr.write(
    `voxbridge: stopped${crashes === '' ? '' : ` (engine process crashes: ${crashes})`}\n`,
  );
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('Answer SIP and SIPREC calls and transcribe every leg live')
    .option('--sip-host <address>', 'address for SIP (UDP and TCP) and RTP', '0.0.0.0')
    .option('--sip-port <port>', 'SIP port (0: any free port)', parsePort, 5060)
    .option('--rtp-ports <range>', 'RTP/RTCP port range', parseRange, { min: 20000, max: 29999 })
    .option(
      '--media-address <address>',
      'address written into SDP answers (default: the SIP host or the first external IPv4)',
    )
    .addOption(
      new Option('--stt <engine>', 'recognizer for every leg')
        .choices([...STT_ENGINE_NAMES, 'none'])
        .default('pocketsphinx'),
    )
    .option('--json', 'print one JSON event per line on stdout', false)
    .option('--record-dir <dir>', 'record every leg as a µ-law WAV in this folder')
    .option('--max-calls <n>', 'concurrent calls admitted; more get 503', parseCount, 1000)
    .option('--answer-delay-ms <ms>', 'ring this long (180 Ringing) before answering', parseCount0, 0)
    .option('--rtp-timeout-sec <s>', 'end a call after this long without RTP (0: never)', parseSeconds, 30)
    .option('--rtp-hold-timeout-sec <s>', 'the same while the call is on hold (0: never)', parseSeconds, 300)
    .option('--max-audio-streams <n>', 'audio m-lines a call may offer; more get 488', parseCount, 4)
    .option('--max-unacked-per-source <n>', 'calls one source may have awaiting the ACK', parseCount, 32)
    .addOption(
      new Option(
        '--pocketsphinx-final-pass <mode>',
        'pocketsphinx on 8 kHz calls: whole-utterance finals (default; accurate, ~1.7 s, 2x CPU) or live ones (~0.6 s, weak first utterance)',
      ).choices(['utterance', 'live']),
    )
    .option(
      '--max-recognizer-streams <n>',
      'recognition streams at once; beyond, plain calls get 503 (default: from cores and engine speed)',
      parseCount,
    )
    .option('--models-dir <dir>', 'where downloaded models live')
    .option('--siprec-agent-aor-prefix <prefix>', 'SIPREC participants whose AoR starts with this are agents')
    .option(
      '--siprec-agent-domain <domain>',
      'SIPREC participants in this domain (or a subdomain) are agents',
    )
    .option(
      '--siprec-agent-pattern <regexp>',
      'SIPREC participants whose AoR matches this (case-insensitive) are agents',
      parsePattern,
    )
    .option(
      '--siprec-recorded-from-headers <names>',
      "comma-separated headers in which the SRC passes the recorded call's From",
      parseList,
    )
    .option(
      '--siprec-recorded-to-headers <names>',
      "comma-separated headers in which the SRC passes the recorded call's To",
      parseList,
    )
    .action(async (options: ServeOptions) => {
      await serve(options);
    });
}
