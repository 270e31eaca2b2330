#!/usr/bin/env node
import { buildProgram } from './program.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    // One clear line and a non-zero exit code; stack traces only when asked for.
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`voxbridge: ${message}\n`);
    if (process.env['VOXBRIDGE_DEBUG'] && err instanceof Error && err.stack) {
      process.stderr.write(`${err.stack}\n`);
    }
    process.exitCode = 1;
  });
