import { Command } from 'commander';
import { startService } from '../app/index.js';
import { ConfigError, configForLog, flagsFromCommand, loadConfig } from '../config/index.js';
import { createLogger } from '../observability/index.js';
import { startBanner } from './start-banner.js';

/**
 * `voxbridge start`: the whole gateway service. Every option is also a config-file key and a
 * VOXBRIDGE_* environment variable (docs/configuration.md); flags win over both.
 */
export function startCommand(): Command {
  const command = new Command('start')
    .description(
      'Run the gateway: SIP/SIPREC in, live transcripts out over REST, WebSocket, webhooks and the dashboard',
    )
    .option('--config <file>', 'YAML or JSON configuration file')
    .option('--http-host <address>', 'HTTP address (default 127.0.0.1; 0.0.0.0 exposes the API)')
    .option('--http-port <port>', 'HTTP port (default 8080; 0: any free port)')
    .option('--http-tls-cert <file>', 'PEM certificate: serve HTTPS and WSS (with --http-tls-key)')
    .option('--http-tls-key <file>', 'PEM private key of --http-tls-cert')
    .option('--data-dir <dir>', 'database, API key and state (default ./data)')
    .option('--sip-host <address>', 'SIP and RTP address (default 0.0.0.0)')
    .option('--sip-port <port>', 'SIP port, UDP and TCP (default 5060)')
    .option('--sip-allow-cidrs <list>', 'comma-separated CIDRs allowed to send SIP (default all)')
    .option('--rtp-ports <range>', 'RTP/RTCP port range (default 20000-29999)')
    .option('--media-address <address>', 'address written into SDP answers')
    .option('--stt <engine>', 'pocketsphinx, sherpa or none (default pocketsphinx)')
    .option('--record-dir <dir>', 'record every leg as a µ-law WAV here')
    .option('--models-dir <dir>', 'where downloaded models live')
    .option('--max-calls <n>', 'concurrent calls admitted (default 1000)')
    .option('--answer-delay-ms <ms>', 'ring this long before answering (default 0)')
    .option('--rtp-timeout-sec <s>', 'end a call after this long without RTP (default 30; 0 never)')
    .option('--rtp-hold-timeout-sec <s>', 'the same while the call is on hold (default 300; 0 never)')
    .option('--max-audio-streams <n>', 'audio m-lines a call may offer; more get 488 (default 4)')
    .option(
      '--pocketsphinx-final-pass <mode>',
      'pocketsphinx on 8 kHz calls: utterance (default; accurate, final ~1.7 s after speech, 2x CPU) or live (~0.6 s, weak first utterance)',
    )
    .option(
      '--max-recognizer-streams <n>',
      'recognition streams at once; beyond, plain calls get 503 (default: from cores and engine speed)',
    )
    .option('--max-unacked-per-source <n>', 'calls one source may have awaiting the ACK (default 32)')
    .option('--siprec-agent-aor-prefix <prefix>', 'SIPREC participants whose AoR starts with this are agents')
    .option(
      '--siprec-agent-domain <domain>',
      'SIPREC participants in this domain (or a subdomain) are agents',
    )
    .option('--siprec-agent-pattern <regexp>', 'SIPREC participants whose AoR matches this regexp are agents')
    .option(
      '--siprec-recorded-from-headers <names>',
      "headers carrying the recorded call's From (comma-separated)",
    )
    .option(
      '--siprec-recorded-to-headers <names>',
      "headers carrying the recorded call's To (comma-separated)",
    )
    .option('--allow-no-auth', 'serve the API without API keys (never on a shared network)')
    .option('--public-metrics', 'serve /metrics without an API key')
    .option('--retention-days <days>', 'delete calls older than this (default 30; 0 keeps all)')
    .option('--log-level <level>', 'trace, debug, info, warn, error or fatal (default info)')
    .option('--no-log-redact', 'log transcript text, digits and numbers in structured fields')
    .option('--json', 'also print every event as one JSON line on stdout');
  return command.action(async (options: { json?: boolean }) => {
    let config;
    try {
      config = loadConfig({ flags: flagsFromCommand(command), env: process.env, cwd: process.cwd() });
    } catch (error) {
      if (error instanceof ConfigError)
        throw new Error(`invalid configuration:\n  ${error.problems.join('\n  ')}`);
      throw error;
    }
    const logger = createLogger({ level: config.log.level, redact: config.log.redact });
    logger.info({ config: configForLog(config) }, 'starting');
    const service = await startService({
      config,
      logger,
      ...(options.json === true
        ? { onEvent: (event) => process.stdout.write(`${JSON.stringify(event)}\n`) }
        : {}),
    });
    process.stderr.write(startBanner(service, config).join(''));
    await new Promise<void>((resolve) => {
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals): void => {
        signals++;
        if (signals === 1) {
          logger.info({ signal, calls: service.gateway.userAgent.activeCalls }, 'draining');
          service.drain();
          void service.idle().then(resolve);
        } else {
          logger.info({ signal }, 'hanging up every call');
          resolve();
        }
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
    await service.close();
    logger.info('stopped');
  });
}
