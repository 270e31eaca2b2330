// A second process for the shared-directory tests: opens the cache in the directory given, says
// "ready", waits for "go" on stdin, synthesizes every prompt through CachedTts, and prints its
// stats as one JSON line. Usage: node --import tsx cache-writer-process.ts <dir> <json prompts>
import { createInterface } from 'node:readline';
import type { TtsRequest } from '../../../src/engines/spi/index.js';
import { ScriptedTts, collect } from '../../../src/engines/spi/testing/index.js';
import { CachedTts, TtsCacheStore } from '../../../src/tts-cache/index.js';

const [dir, promptsJson, delayMs] = process.argv.slice(2);
if (dir === undefined || promptsJson === undefined)
  throw new Error('usage: cache-writer-process <dir> <prompts>');
const prompts = JSON.parse(promptsJson) as TtsRequest[];

const store = new TtsCacheStore(dir);
const inner = new ScriptedTts({ delayPerSentenceMs: Number(delayMs ?? 0) });
const cached = new CachedTts(inner, store);
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) {
  if (line.trim() === 'go') break;
}
lines.close();
for (const prompt of prompts) await collect(cached.synthesize(prompt));
await cached.close();
process.stdout.write(`${JSON.stringify({ ...cached.stats(), synthesized: inner.synthesized })}\n`);
store.close();
