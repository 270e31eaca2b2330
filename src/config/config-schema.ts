import { z } from 'zod';
import { CALL_EVENT_TYPES } from '../session/index.js';
import { parseCidr } from './ip-allowlist.js';

/** Recognizers `serve` can run; `none` answers calls without transcribing. */
export const STT_CHOICES = ['pocketsphinx', 'sherpa', 'none'] as const;
export type SttChoice = (typeof STT_CHOICES)[number];

/** RTP latching policies (net/rtp RtpLatching); `address` refuses media from addresses no SDP named. */
export const RTP_LATCHING_CHOICES = ['address', 'strict', 'any'] as const;
export type RtpLatchingChoice = (typeof RTP_LATCHING_CHOICES)[number];

/** pino's levels; `silent` turns logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Every CallEvent type, in the order a call emits them; a webhook may subscribe to any subset. */
export const EVENT_TYPES = CALL_EVENT_TYPES;
export type ConfigEventType = (typeof EVENT_TYPES)[number];

/** HMAC-SHA256 keys shorter than this are guessable; 16 characters is what `openssl rand -hex 8` gives. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

/** How a value that failed a check is shown in a problem: strings quoted, the rest as JSON. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    // BigInt, or a YAML alias cycle.
    return typeof value;
  }
}

function integer(min: number, max: number | undefined, what: string): z.ZodNumber {
  const expected = max === undefined ? `${what} >= ${min}` : `${what} ${min}-${max}`;
  const error = (issue: { input: unknown }): string => `expected ${expected}, got ${showValue(issue.input)}`;
  const base = z.number({ error }).int({ error, abort: true }).min(min, { error, abort: true });
  return max === undefined ? base : base.max(max, { error });
}

const port = (): z.ZodNumber => integer(0, 65535, 'a port');

const host = (): z.ZodString =>
  z
    .string({ error: (issue) => `expected an address, got ${showValue(issue.input)}` })
    .regex(/^\S+$/, { error: (issue) => `${showValue(issue.input)} is not an address` });

const path = (): z.ZodString =>
  z
    .string({ error: (issue) => `expected a folder path, got ${showValue(issue.input)}` })
    .min(1, { error: 'expected a folder path, got an empty string' });

const file = (what: string): z.ZodString =>
  z
    .string({ error: (issue) => `expected ${what} path, got ${showValue(issue.input)}` })
    .min(1, { error: `expected ${what} path, got an empty string` });

const boolean = (): z.ZodBoolean =>
  z.boolean({ error: (issue) => `expected true or false, got ${showValue(issue.input)}` });

function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
): z.ZodEnum<{ [K in T[number]]: K }> {
  return z.enum(values, {
    error: (issue) => `expected one of ${values.join(', ')}, got ${showValue(issue.input)}`,
  });
}

/** Lowest RTP port: below 1024 needs root, and SIP lives at 5060 anyway. */
const MIN_RTP_PORT = 1024;
/** Each call takes an even/odd RTP+RTCP pair; fewer than two pairs is never what anyone meant. */
const MIN_RTP_PORTS = 4;

const portRangeObject = z.strictObject({
  min: z.number().int().min(0).max(65535),
  max: z.number().int().min(0).max(65535),
});

/** `rtp.ports`: `"20000-29999"` or `{ min, max }` in a file; always `{ min, max }` once parsed. */
const portRange = z
  .union(
    [
      z
        .string()
        .regex(/^\s*\d+\s*-\s*\d+\s*$/, {
          error: (issue) => `${showValue(issue.input)} is not a port range like 20000-29999`,
        })
        .transform((text) => {
          const [min = '', max = ''] = text.split('-');
          return { min: Number(min), max: Number(max) };
        }),
      portRangeObject,
    ],
    {
      error: (issue) =>
        `expected a port range like "20000-29999" or { min, max }, got ${showValue(issue.input)}`,
    },
  )
  .check((ctx) => {
    const { min, max } = ctx.value;
    if (min < MIN_RTP_PORT || max > 65535 || max - min + 1 < MIN_RTP_PORTS) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message:
          `expected a range within ${MIN_RTP_PORT}-65535 of at least ${MIN_RTP_PORTS} ports, ` +
          `got ${min}-${max}`,
      });
    }
  })
  .describe('RTP/RTCP port range, "min-max" (inclusive)');

const cidr = z
  .string({ error: (issue) => `expected a CIDR like 10.0.0.0/8, got ${showValue(issue.input)}` })
  .refine((text) => parseCidr(text) !== undefined, {
    error: (issue) => `${showValue(issue.input)} is not a CIDR`,
  });

// RFC 3261 §25.1 header names are tokens.
const sipHeaderName = z.string({ error: 'expected a SIP header name' }).regex(/^[A-Za-z0-9!%*_+`'~.-]+$/, {
  error: (issue) => `${showValue(issue.input)} is not a SIP header name`,
});

// Keys are secrets: problems never echo their value.
const apiKey = z
  .string({ error: 'expected an API key string' })
  .regex(/^[\x21-\x7e]+$/, { error: 'an API key must be printable ASCII without spaces or commas' })
  .refine((key) => !key.includes(','), {
    error: 'an API key must be printable ASCII without spaces or commas',
  });

const webhook = z
  .strictObject({
    url: z
      .url({
        protocol: /^https?$/,
        error: 'expected an absolute http:// or https:// URL',
      })
      .describe('Where events are POSTed'),
    secret: z
      .string({ error: 'expected a secret string' })
      .min(MIN_WEBHOOK_SECRET_LENGTH, {
        error: `a webhook secret must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters`,
      })
      .describe('HMAC-SHA256 key for the X-Voxbridge-Signature header'),
    events: z
      .array(oneOf(EVENT_TYPES))
      .min(1, { error: 'expected at least one event type (leave `events` out for the default set)' })
      .optional()
      .describe('Event types to deliver; default: call.started, transcript.final, dtmf, call.ended'),
  })
  .describe('One webhook target');

/**
 * The whole configuration. Defaults live here so the exported JSON Schema shows them; paths are
 * still relative here and resolved against the working directory by loadConfig.
 */
export const configSchema = z
  .strictObject({
    http: z
      .strictObject({
        // Loopback by default: the API serves transcripts, so reaching it from the network is a
        // decision the operator makes (http.host 0.0.0.0, ideally with http.tlsCert/tlsKey).
        host: host().default('127.0.0.1').describe('Address the REST/WebSocket API and dashboard listen on'),
        port: port().default(8080).describe('HTTP port (0: any free port)'),
        tlsCert: file('a certificate file')
          .optional()
          .describe('PEM certificate (chain) file: serve HTTPS and WSS instead of HTTP; needs tlsKey'),
        tlsKey: file('a key file').optional().describe('PEM private key file of tlsCert'),
      })
      .check((ctx) => {
        if ((ctx.value.tlsCert === undefined) !== (ctx.value.tlsKey === undefined)) {
          ctx.issues.push({
            code: 'custom',
            input: ctx.value,
            path: [ctx.value.tlsCert === undefined ? 'tlsCert' : 'tlsKey'],
            message: 'http.tlsCert and http.tlsKey go together: set both or neither',
          });
        }
      })
      .prefault({}),
    dataDir: path()
      .default('./data')
      .describe('Where the SQLite database lives (relative to the working directory)'),
    sip: z
      .strictObject({
        host: host().default('0.0.0.0').describe('Address for SIP (UDP and TCP) and RTP'),
        port: port().default(5060).describe('SIP port (0: any free port)'),
        allowCidrs: z
          .array(cidr)
          .min(1, { error: 'expected at least one CIDR (0.0.0.0/0 and ::/0 allow everyone)' })
          .default(['0.0.0.0/0', '::/0'])
          .describe('SIP sources allowed; datagrams from others are dropped unanswered, TCP refused'),
      })
      .prefault({}),
    rtp: z
      .strictObject({
        ports: portRange.prefault('20000-29999'),
        mediaAddress: host()
          .optional()
          .describe('Address written into SDP answers; default the SIP host or the first external IPv4'),
        latching: oneOf(RTP_LATCHING_CHOICES)
          .default('address')
          .describe(
            'Which sources may send media: the SDP address (any port), the exact SDP address and port, or any',
          ),
      })
      .prefault({}),
    stt: oneOf(STT_CHOICES).default('pocketsphinx').describe('Recognizer for every leg'),
    pocketsphinxFinalPass: oneOf(['utterance', 'live'])
      .default('utterance')
      .describe(
        'pocketsphinx on 8 kHz calls: finals from a whole-utterance pass (accurate from the first utterance, but about 1.7 s after speech ends and twice the CPU) or from the live decoder (about 0.6 s, but the first utterance of a call is recognized poorly)',
      ),
    recordDir: path().optional().describe('Record every leg as a µ-law WAV in this folder'),
    modelsDir: path().optional().describe('Where downloaded models live; default the user cache'),
    maxCalls: integer(1, undefined, 'a whole number')
      .default(1000)
      .describe('Concurrent calls admitted; more get 503'),
    answerDelayMs: integer(0, undefined, 'a whole number of ms')
      .default(0)
      .describe('Ring this long (180 Ringing) before answering'),
    rtpTimeoutSec: integer(0, undefined, 'a whole number of seconds')
      .default(30)
      .describe('No RTP on any leg for this long ends the call with a BYE (media-timeout); 0 never'),
    rtpHoldTimeoutSec: integer(0, undefined, 'a whole number of seconds')
      .default(300)
      .describe('The same while every stream is on hold or inactive; 0 never'),
    maxAudioStreams: integer(1, undefined, 'a whole number')
      .default(4)
      .describe('Audio m-lines one call may offer; more get 488'),
    maxRecognizerStreams: integer(0, undefined, 'a whole number')
      .optional()
      .describe(
        "Recognition streams at once; a plain call beyond it gets 503, a SIPREC session is recorded without live transcripts. Default: derived from the cores and the engine's measured speed",
      ),
    maxUnackedPerSource: integer(1, undefined, 'a whole number')
      .default(32)
      .describe('Calls one SIP source may have awaiting the ACK; more get 503'),
    siprec: z
      .strictObject({
        agentAorPrefix: z
          .string()
          .min(1, { error: 'expected a non-empty AoR prefix' })
          .optional()
          .describe('SIPREC participants whose AoR starts with this are agents, e.g. sip:agent- or 4'),
        agentDomain: z
          .string()
          .min(1, { error: 'expected a domain' })
          .optional()
          .describe('SIPREC participants whose AoR host is this domain or a subdomain are agents'),
        agentPattern: z
          .string()
          .min(1, { error: 'expected a regular expression' })
          .refine(
            (value) => {
              try {
                new RegExp(value, 'i');
                return true;
              } catch {
                return false;
              }
            },
            { error: 'expected a JavaScript regular expression' },
          )
          .optional()
          .describe(
            'SIPREC participants whose AoR matches this regular expression (case-insensitive) are agents',
          ),
        recordedFromHeaders: z
          .array(sipHeaderName)
          .default([])
          .describe(
            "Headers of the recording INVITE in which the SRC passes the recorded call's From (first present wins)",
          ),
        recordedToHeaders: z.array(sipHeaderName).default([]).describe("The same for the recorded call's To"),
      })
      .prefault({}),
    auth: z
      .strictObject({
        apiKeys: z
          .array(apiKey)
          .default([])
          .describe('Bearer keys accepted by the API, WebSocket and dashboard'),
        allowNoAuth: boolean()
          .default(false)
          .describe('Run the API without keys (development only); otherwise no keys is an error at start'),
        publicMetrics: boolean()
          .default(false)
          .describe('Serve /metrics without a key, for a Prometheus on a trusted network'),
      })
      .prefault({}),
    retentionDays: integer(0, undefined, 'a whole number of days')
      .default(30)
      .describe('Calls older than this are purged; 0 keeps them forever'),
    webhooks: z.array(webhook).default([]).describe('Targets that receive events by HTTP POST'),
    log: z
      .strictObject({
        level: oneOf(LOG_LEVELS).default('info').describe('Lowest level written'),
        redact: boolean()
          .default(true)
          .describe('Replace transcripts, digits, numbers and names in structured log fields by [REDACTED]'),
      })
      .prefault({}),
  })
  .describe('voxbridge configuration');

export interface WebhookTarget {
  readonly url: string;
  readonly secret: string;
  /** Absent: the webhook dispatcher's default (call.started, transcript.final, dtmf, call.ended). */
  readonly events?: readonly ConfigEventType[];
}

/** Validated configuration; folder paths are absolute. */
export interface Config {
  readonly http: {
    readonly host: string;
    readonly port: number;
    /** Absolute paths once loaded; both or neither. */
    readonly tlsCert?: string;
    readonly tlsKey?: string;
  };
  readonly dataDir: string;
  readonly sip: { readonly host: string; readonly port: number; readonly allowCidrs: readonly string[] };
  readonly rtp: {
    readonly ports: { readonly min: number; readonly max: number };
    readonly mediaAddress?: string;
    readonly latching: RtpLatchingChoice;
  };
  readonly stt: SttChoice;
  readonly pocketsphinxFinalPass: 'utterance' | 'live';
  readonly recordDir?: string;
  readonly modelsDir?: string;
  readonly maxCalls: number;
  readonly answerDelayMs: number;
  readonly rtpTimeoutSec: number;
  readonly rtpHoldTimeoutSec: number;
  readonly maxAudioStreams: number;
  readonly maxRecognizerStreams?: number;
  readonly maxUnackedPerSource: number;
  /** Agent AoR patterns: the role rule's configuration step (docs/siprec-interop.md). */
  readonly siprec: {
    readonly agentAorPrefix?: string;
    readonly agentDomain?: string;
    readonly agentPattern?: string;
    readonly recordedFromHeaders: readonly string[];
    readonly recordedToHeaders: readonly string[];
  };
  readonly auth: {
    readonly apiKeys: readonly string[];
    readonly allowNoAuth: boolean;
    readonly publicMetrics: boolean;
  };
  readonly retentionDays: number;
  readonly webhooks: readonly WebhookTarget[];
  readonly log: { readonly level: LogLevel; readonly redact: boolean };
}

// The schema and the interface must describe the same thing; this line fails to compile otherwise.
const _schemaMatchesConfig: (parsed: z.output<typeof configSchema>) => Config = (parsed) => parsed;
