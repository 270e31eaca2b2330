import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Store } from '../../src/store/index.js';
import { ROOT } from '../support/paths.js';

const WRITER = fileURLToPath(new URL('../support/store-writer-child.ts', import.meta.url));
const ROUNDS = 5;

interface PrintedFinal {
  readonly seq: number;
  readonly callId: string;
  readonly text: string;
}

/**
 * Runs the writer until it has printed at least `killAfter` finals, SIGKILLs it, and returns
 * every final it printed (complete lines only).
 */
async function runAndKill(dataDir: string, tag: string, killAfter: number): Promise<PrintedFinal[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir, tag], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let finals = 0;
  let killed = false;
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    finals = stdout.match(/^final /gm)?.length ?? 0;
    if (!killed && finals >= killAfter) {
      killed = true;
      child.kill('SIGKILL');
    }
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  assert.equal(signal, 'SIGKILL', `writer ended by itself (code ${code}): ${stderr}`);
  const lines = stdout.split('\n').slice(0, -1); // the last piece has no newline yet
  assert.equal(lines[0], 'ready', stderr);
  return lines
    .filter((l) => l.startsWith('final '))
    .map((l) => {
      const [, seq, callId, ...text] = l.split(' ');
      return { seq: Number(seq), callId: callId ?? '', text: text.join(' ') };
    });
}

describe('Store under kill -9', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'voxbridge-store-kill-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps every final printed before the kill, an intact database, and seq rising across kills', async () => {
    let highestSeq = 0;
    let totalFinals = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const killAfter = 5 + Math.floor(Math.random() * 400);
      const where = `round ${round}, kill after ${killAfter} finals`;
      const printed = await runAndKill(dataDir, `r${round}`, killAfter);
      assert.ok(printed.length >= killAfter, where);
      totalFinals += printed.length;

      const db = new Database(join(dataDir, 'voxbridge.db'));
      try {
        assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }], where);
        assert.deepEqual(db.pragma('foreign_key_check'), [], where);
      } finally {
        db.close();
      }

      const store = Store.open({ dataDir });
      try {
        const segments = new Map<number, string>();
        for (const callId of new Set(printed.map((p) => p.callId))) {
          for (const s of store.getCall(callId)?.transcript ?? []) segments.set(s.seq, s.text);
        }
        for (const p of printed) {
          assert.equal(segments.get(p.seq), p.text, `${where}: final seq ${p.seq} of ${p.callId}`);
        }
        const replayed = new Set(
          store
            .eventsSince(highestSeq, undefined, 10_000)
            .filter((e) => e.type === 'transcript.final')
            .map((e) => e.seq),
        );
        for (const p of printed) assert.ok(replayed.has(p.seq), `${where}: seq ${p.seq} replays`);
        const seqs = printed.map((p) => p.seq);
        assert.ok(Math.min(...seqs) > highestSeq, `${where}: numbering continues above ${highestSeq}`);
        highestSeq = Math.max(highestSeq, ...seqs);
        // A partial handed out now (never written) must also stay below the next run's numbers.
        const probe = store.recordEvent({
          type: 'transcript.partial',
          callId: printed[0]?.callId ?? 'none',
          sipCallId: 'probe',
          legId: 'leg-1',
          role: 'caller',
          text: 'probe',
          startMs: 0,
          endMs: 1,
          timestamp: new Date().toISOString(),
        });
        assert.ok(probe.seq > highestSeq, where);
        highestSeq = probe.seq;
      } finally {
        store.close();
      }
    }
    assert.ok(totalFinals >= ROUNDS * 5);
  });
});
