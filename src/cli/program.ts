import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { audioCommand } from './audio-command.js';
import { modelsCommand } from './models-command.js';
import { sayCommand } from './say-command.js';
import { serveCommand } from './serve-command.js';
import { startCommand } from './start-command.js';
import { transcribeCommand } from './transcribe-command.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('voxbridge')
    .description('Telephony speech gateway: SIP/SIPREC in, G.711 to PCM, live transcripts out.')
    .version(packageVersion())
    .showHelpAfterError();
  program.addCommand(audioCommand());
  program.addCommand(transcribeCommand());
  program.addCommand(sayCommand());
  program.addCommand(modelsCommand());
  program.addCommand(serveCommand());
  program.addCommand(startCommand());
  return program;
}
