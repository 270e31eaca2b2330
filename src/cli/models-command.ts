import { Command } from 'commander';
import type { ModelEntry, ProgressStream } from '../models/index.js';
import { MODEL_CATALOG, findModel, pullModel, requireModelDir, resolveModelDir } from '../models/index.js';

/** What the command writes to and reads from; tests replace these, the CLI uses the process's. */
export interface ModelsCommandDeps {
  readonly catalog?: readonly ModelEntry[];
  readonly env?: NodeJS.ProcessEnv;
  readonly stdout?: { write(text: string): unknown };
  readonly stderr?: ProgressStream;
  readonly fetch?: typeof fetch;
  readonly retryDelayMs?: number;
}

interface DirOption {
  modelsDir?: string;
}

/** A `files` entry is verified file by file (ModelEntry.parts); the others by one sha256. */
function hasChecksums(entry: ModelEntry): boolean {
  return entry.archive === 'files' ? (entry.parts?.length ?? 0) > 0 : entry.sha256 !== undefined;
}

function sizeText(entry: ModelEntry): string {
  return entry.sizeBytes === undefined ? '?' : `${(entry.sizeBytes / 1_000_000).toFixed(1)} MB`;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const MODELS_DIR_HELP = 'models folder (default: $VOXBRIDGE_MODELS_DIR, else ~/.cache/voxbridge/models)';

export function modelsCommand(deps: ModelsCommandDeps = {}): Command {
  const catalog = deps.catalog ?? MODEL_CATALOG;
  const env = deps.env ?? process.env;
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const models = new Command('models').description('download and locate speech models (VAD, STT, TTS)');

  models
    .command('list')
    .description('show the model catalog and which models are installed')
    .option('--models-dir <dir>', MODELS_DIR_HELP)
    .option('--json', 'print one JSON array')
    .action(async (opts: DirOption & { json?: boolean }) => {
      const rows = await Promise.all(
        catalog.map(async (entry) => ({
          entry,
          installedDir: await resolveModelDir(entry.name, { catalog, env, modelsDir: opts.modelsDir }),
        })),
      );
      if (opts.json) {
        const out = rows.map(({ entry, installedDir }) => ({
          name: entry.name,
          kind: entry.kind,
          description: entry.description,
          url: entry.url,
          sha256: entry.sha256 ?? null,
          sizeBytes: entry.sizeBytes ?? null,
          installedDir: installedDir ?? null,
        }));
        stdout.write(`${JSON.stringify(out)}\n`);
        return;
      }
      const lines = [
        ['NAME', 'KIND', 'SIZE', 'SHA256', 'INSTALLED'],
        ...rows.map(({ entry, installedDir }) => [
          entry.name,
          entry.kind,
          sizeText(entry),
          hasChecksums(entry) ? 'verified' : 'unknown',
          installedDir ?? '-',
        ]),
      ];
      stdout.write(`${table(lines)}\n`);
    });

  models
    .command('pull')
    .description('download, verify and install a model from the catalog')
    .argument('<name>', 'model name (see `voxbridge models list`)')
    .option('--models-dir <dir>', MODELS_DIR_HELP)
    .option('--allow-unverified', 'install a model whose catalog entry has no sha256 yet')
    .option('--force', 'download and install again even if the model is already installed')
    .action(async (name: string, opts: DirOption & { allowUnverified?: boolean; force?: boolean }) => {
      const entry = findModel(name, catalog);
      const result = await pullModel(name, {
        catalog,
        env,
        modelsDir: opts.modelsDir,
        allowUnverified: opts.allowUnverified ?? false,
        force: opts.force ?? false,
        progress: stderr,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        ...(deps.retryDelayMs !== undefined ? { retryDelayMs: deps.retryDelayMs } : {}),
      });
      if (!result.downloaded) {
        stdout.write(`${name} is already installed in ${result.dir} (--force installs it again)\n`);
        return;
      }
      stdout.write(`installed ${name} in ${result.dir}\n`);
      if (result.verified && result.sha256 === undefined) {
        stdout.write(`sha256 of each of its ${entry.files.length} files matches the catalog\n`);
      } else if (result.verified) {
        stdout.write(`sha256 ${result.sha256} (matches the catalog)\n`);
      } else {
        stdout.write(
          `sha256 ${result.sha256} (NOT verified: the catalog has no checksum for ${entry.name})\n`,
        );
        stderr.write(
          `voxbridge: compare this sha256 with the upstream release, then add it to the catalog ` +
            `entry for ${entry.name} (src/models/catalog.ts)\n`,
        );
      }
    });

  models
    .command('path')
    .description('print the folder an installed model is in')
    .argument('<name>', 'model name')
    .option('--models-dir <dir>', MODELS_DIR_HELP)
    .action(async (name: string, opts: DirOption) => {
      stdout.write(`${await requireModelDir(name, { catalog, env, modelsDir: opts.modelsDir })}\n`);
    });

  return models;
}
