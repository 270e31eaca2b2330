import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import { CONFIG_FILE_ENV, CONFIG_KEYS, convertText, flagName } from './config-keys.js';
import { configSchema } from './config-schema.js';
import type { Config } from './config-schema.js';

export interface LoadConfigOptions {
  /** Commander's parsed options (camelCase: `httpPort`); keys that are not settings are ignored. */
  readonly flags?: Readonly<Record<string, unknown>>;
  /** Default `process.env`; tests pass their own. */
  readonly env?: NodeJS.ProcessEnv;
  /** YAML (`.yaml`, `.yml`) or JSON (`.json`); default the `config` flag, else $VOXBRIDGE_CONFIG. */
  readonly configFile?: string;
  /** Relative folders and the config file are resolved against this; default `process.cwd()`. */
  readonly cwd?: string;
  /** Told about things that are ignored but probably a mistake (an unknown VOXBRIDGE_ variable). */
  readonly onWarning?: (message: string) => void;
}

type Segment = string | number;

type Source =
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'flag'; readonly name: string };

/** `['sip', 'allowCidrs', 1]` → `sip.allowCidrs[1]`. */
function displayPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An own property even for `__proto__`, so a file with that key gets "unknown key" instead of
 * swapping the prototype of the object being validated.
 */
function define(node: Record<string, unknown>, key: Segment, value: unknown): void {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The merged raw settings plus, for every path a layer wrote, which layer wrote it, so a schema
 * problem can name the file, variable or flag to fix.
 */
class Layers {
  readonly raw: Record<string, unknown> = {};
  private readonly sources = new Map<string, Source>();

  set(path: readonly Segment[], value: unknown, source: Source): void {
    let node = this.raw;
    for (const segment of path.slice(0, -1)) {
      const next = node[segment];
      // A higher layer setting `http.port` over a file whose `http` is not a mapping replaces it.
      if (!isPlainObject(next)) define(node, segment, {});
      node = node[segment] as Record<string, unknown>;
    }
    const last = path[path.length - 1];
    if (last === undefined) return;
    define(node, last, value);
    this.forget(displayPath(path));
    this.record(path, value, source);
  }

  /** The layer that wrote the path or its nearest ancestor. */
  sourceOf(path: readonly PropertyKey[]): Source | undefined {
    for (let length = path.length; length > 0; length--) {
      const source = this.sources.get(displayPath(path.slice(0, length)));
      if (source !== undefined) return source;
    }
    return undefined;
  }

  private record(path: readonly Segment[], value: unknown, source: Source): void {
    this.sources.set(displayPath(path), source);
    if (Array.isArray(value)) value.forEach((item, index) => this.record([...path, index], item, source));
    else if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) this.record([...path, key], item, source);
    }
  }

  /** Drops what a lower layer recorded under a path that a higher layer has replaced. */
  private forget(prefix: string): void {
    for (const key of [...this.sources.keys()]) {
      if (key === prefix || key.startsWith(`${prefix}.`) || key.startsWith(`${prefix}[`))
        this.sources.delete(key);
    }
  }
}

function describe(source: Source | undefined, path: readonly PropertyKey[], message: string): string {
  const where = displayPath(path);
  switch (source?.kind) {
    case 'file':
      return `file ${source.file}${where === '' ? '' : ` ${where}`}: ${message}`;
    case 'env':
      return `env ${source.name} (${where}): ${message}`;
    case 'flag':
      return `flag ${flagName(source.name)} (${where}): ${message}`;
    case undefined:
      return `${where === '' ? 'config' : where}: ${message}`;
  }
}

function readConfigFile(file: string, cwd: string): { value?: Record<string, unknown>; problem?: string } {
  const extension = extname(file).toLowerCase();
  if (extension !== '.yaml' && extension !== '.yml' && extension !== '.json') {
    return { problem: `file ${file}: expected a .yaml, .yml or .json file` };
  }
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { problem: `file ${file}: cannot be read (${code})` };
  }
  let parsed: unknown;
  try {
    parsed = extension === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { problem: `file ${file}: not valid ${extension === '.json' ? 'JSON' : 'YAML'}: ${detail}` };
  }
  // An empty YAML file is null: no settings, every default.
  if (parsed === null || parsed === undefined) return { value: {} };
  if (!isPlainObject(parsed)) return { problem: `file ${file}: expected a mapping of settings at the top` };
  // `$schema` points editors at the JSON Schema (configJsonSchema); it is not a setting.
  const { $schema: _editorHint, ...settings } = parsed;
  return { value: settings };
}

function problemsOf(error: z.ZodError, layers: Layers): string[] {
  const problems: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        problems.push(describe(layers.sourceOf(path), path, 'unknown key'));
      }
    } else {
      problems.push(describe(layers.sourceOf(issue.path), issue.path, issue.message));
    }
  }
  return problems;
}

/**
 * Reads the configuration once at start: flags over environment over file over defaults.
 * Every problem in every layer is collected and thrown as one ConfigError.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const flags = options.flags ?? {};
  const cwd = options.cwd ?? process.cwd();
  const layers = new Layers();
  const problems: string[] = [];

  const flagFile = typeof flags['config'] === 'string' ? flags['config'] : undefined;
  const envFile = env[CONFIG_FILE_ENV] === '' ? undefined : env[CONFIG_FILE_ENV];
  const configFile = options.configFile ?? flagFile ?? envFile;
  if (configFile !== undefined) {
    const { value, problem } = readConfigFile(configFile, cwd);
    if (problem !== undefined) problems.push(problem);
    const source: Source = { kind: 'file', file: configFile };
    for (const [key, item] of Object.entries(value ?? {})) layers.set([key], item, source);
  }

  const known = new Set([CONFIG_FILE_ENV, ...CONFIG_KEYS.map((key) => key.env)]);
  for (const name of Object.keys(env)) {
    if (name.startsWith('VOXBRIDGE_') && !known.has(name)) {
      options.onWarning?.(`env ${name}: not a voxbridge setting (ignored)`);
    }
  }

  for (const key of CONFIG_KEYS) {
    const text = env[key.env];
    // An empty variable is how shells and compose files say "unset".
    if (text === undefined || text.trim() === '') continue;
    const path = key.path.split('.');
    const source: Source = { kind: 'env', name: key.env };
    if (key.kind === 'json') {
      try {
        layers.set(path, JSON.parse(text), source);
      } catch {
        // The parser's message quotes the text, which may hold a secret.
        problems.push(describe(source, path, 'not valid JSON'));
      }
    } else {
      layers.set(path, convertText(key.kind, text), source);
    }
  }

  for (const key of CONFIG_KEYS) {
    if (key.flag === undefined) continue;
    const value = flags[key.flag];
    if (value === undefined) continue;
    layers.set(key.path.split('.'), convertText(key.kind, value), { kind: 'flag', name: key.flag });
  }

  const parsed = configSchema.safeParse(layers.raw);
  if (!parsed.success) problems.push(...problemsOf(parsed.error, layers));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const config = parsed.data;
  const { tlsCert, tlsKey } = config.http;
  return {
    ...config,
    http: {
      host: config.http.host,
      port: config.http.port,
      ...(tlsCert === undefined ? {} : { tlsCert: resolve(cwd, tlsCert) }),
      ...(tlsKey === undefined ? {} : { tlsKey: resolve(cwd, tlsKey) }),
    },
    dataDir: resolve(cwd, config.dataDir),
    ...(config.recordDir === undefined ? {} : { recordDir: resolve(cwd, config.recordDir) }),
    ...(config.modelsDir === undefined ? {} : { modelsDir: resolve(cwd, config.modelsDir) }),
  };
}
