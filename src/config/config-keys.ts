/**
 * How a setting is read from the environment or a command-line flag. Files carry typed values;
 * environment variables and flags are text, converted by kind before validation so the schema
 * sees numbers and booleans and its messages can show what the operator actually typed.
 */
export type ConfigKeyKind = 'string' | 'number' | 'boolean' | 'list' | 'json' | 'range';

export interface ConfigKey {
  /** Dotted path in the config file and in Config. */
  readonly path: string;
  readonly env: string;
  /** Commander's camelCase option name (`--http-port` → `httpPort`); none for secrets. */
  readonly flag?: string;
  readonly kind: ConfigKeyKind;
}

/**
 * Every setting that can come from the environment or a flag. Secrets (API keys, webhooks) have
 * no flag: a command line is visible to every user of the machine through `ps`.
 */
export const CONFIG_KEYS: readonly ConfigKey[] = [
  { path: 'http.host', env: 'VOXBRIDGE_HTTP_HOST', flag: 'httpHost', kind: 'string' },
  { path: 'http.port', env: 'VOXBRIDGE_HTTP_PORT', flag: 'httpPort', kind: 'number' },
  { path: 'http.tlsCert', env: 'VOXBRIDGE_HTTP_TLS_CERT', flag: 'httpTlsCert', kind: 'string' },
  { path: 'http.tlsKey', env: 'VOXBRIDGE_HTTP_TLS_KEY', flag: 'httpTlsKey', kind: 'string' },
  { path: 'dataDir', env: 'VOXBRIDGE_DATA_DIR', flag: 'dataDir', kind: 'string' },
  { path: 'sip.host', env: 'VOXBRIDGE_SIP_HOST', flag: 'sipHost', kind: 'string' },
  { path: 'sip.port', env: 'VOXBRIDGE_SIP_PORT', flag: 'sipPort', kind: 'number' },
  { path: 'sip.allowCidrs', env: 'VOXBRIDGE_SIP_ALLOW_CIDRS', flag: 'sipAllowCidrs', kind: 'list' },
  { path: 'rtp.ports', env: 'VOXBRIDGE_RTP_PORTS', flag: 'rtpPorts', kind: 'range' },
  { path: 'rtp.mediaAddress', env: 'VOXBRIDGE_MEDIA_ADDRESS', flag: 'mediaAddress', kind: 'string' },
  { path: 'rtp.latching', env: 'VOXBRIDGE_RTP_LATCHING', kind: 'string' },
  { path: 'stt', env: 'VOXBRIDGE_STT', flag: 'stt', kind: 'string' },
  { path: 'recordDir', env: 'VOXBRIDGE_RECORD_DIR', flag: 'recordDir', kind: 'string' },
  { path: 'modelsDir', env: 'VOXBRIDGE_MODELS_DIR', flag: 'modelsDir', kind: 'string' },
  { path: 'maxCalls', env: 'VOXBRIDGE_MAX_CALLS', flag: 'maxCalls', kind: 'number' },
  { path: 'answerDelayMs', env: 'VOXBRIDGE_ANSWER_DELAY_MS', flag: 'answerDelayMs', kind: 'number' },
  { path: 'rtpTimeoutSec', env: 'VOXBRIDGE_RTP_TIMEOUT_SEC', flag: 'rtpTimeoutSec', kind: 'number' },
  {
    path: 'rtpHoldTimeoutSec',
    env: 'VOXBRIDGE_RTP_HOLD_TIMEOUT_SEC',
    flag: 'rtpHoldTimeoutSec',
    kind: 'number',
  },
  {
    path: 'pocketsphinxFinalPass',
    env: 'VOXBRIDGE_POCKETSPHINX_FINAL_PASS',
    flag: 'pocketsphinxFinalPass',
    kind: 'string',
  },
  { path: 'maxAudioStreams', env: 'VOXBRIDGE_MAX_AUDIO_STREAMS', flag: 'maxAudioStreams', kind: 'number' },
  {
    path: 'maxRecognizerStreams',
    env: 'VOXBRIDGE_MAX_RECOGNIZER_STREAMS',
    flag: 'maxRecognizerStreams',
    kind: 'number',
  },
  {
    path: 'maxUnackedPerSource',
    env: 'VOXBRIDGE_MAX_UNACKED_PER_SOURCE',
    flag: 'maxUnackedPerSource',
    kind: 'number',
  },
  {
    path: 'siprec.agentAorPrefix',
    env: 'VOXBRIDGE_SIPREC_AGENT_AOR_PREFIX',
    flag: 'siprecAgentAorPrefix',
    kind: 'string',
  },
  {
    path: 'siprec.agentDomain',
    env: 'VOXBRIDGE_SIPREC_AGENT_DOMAIN',
    flag: 'siprecAgentDomain',
    kind: 'string',
  },
  {
    path: 'siprec.agentPattern',
    env: 'VOXBRIDGE_SIPREC_AGENT_PATTERN',
    flag: 'siprecAgentPattern',
    kind: 'string',
  },
  {
    path: 'siprec.recordedFromHeaders',
    env: 'VOXBRIDGE_SIPREC_RECORDED_FROM_HEADERS',
    flag: 'siprecRecordedFromHeaders',
    kind: 'list',
  },
  {
    path: 'siprec.recordedToHeaders',
    env: 'VOXBRIDGE_SIPREC_RECORDED_TO_HEADERS',
    flag: 'siprecRecordedToHeaders',
    kind: 'list',
  },
  { path: 'auth.apiKeys', env: 'VOXBRIDGE_API_KEYS', kind: 'list' },
  { path: 'auth.allowNoAuth', env: 'VOXBRIDGE_ALLOW_NO_AUTH', flag: 'allowNoAuth', kind: 'boolean' },
  { path: 'auth.publicMetrics', env: 'VOXBRIDGE_PUBLIC_METRICS', flag: 'publicMetrics', kind: 'boolean' },
  { path: 'retentionDays', env: 'VOXBRIDGE_RETENTION_DAYS', flag: 'retentionDays', kind: 'number' },
  { path: 'webhooks', env: 'VOXBRIDGE_WEBHOOKS', kind: 'json' },
  { path: 'log.level', env: 'VOXBRIDGE_LOG_LEVEL', flag: 'logLevel', kind: 'string' },
  { path: 'log.redact', env: 'VOXBRIDGE_LOG_REDACT', flag: 'logRedact', kind: 'boolean' },
];

/** Names the config file when neither `configFile` nor the `config` flag does. */
export const CONFIG_FILE_ENV = 'VOXBRIDGE_CONFIG';

/** `httpPort` → `--http-port`, as commander spells it. */
export function flagName(camel: string): string {
  return `--${camel.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/**
 * Text from the environment or a flag as the value its kind wants. Text that does not convert
 * is passed through unchanged, so the schema reports it as typed (`got "abc"`). Values that are
 * already typed (commander's own parsers, tests) pass through too.
 */
export function convertText(kind: ConfigKeyKind, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  switch (kind) {
    case 'string':
    case 'range':
      return text;
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : value;
    case 'boolean': {
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      return value;
    }
    case 'list':
      return text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    case 'json':
      // The caller parses JSON, since a syntax error is a problem of its own.
      return value;
  }
}
