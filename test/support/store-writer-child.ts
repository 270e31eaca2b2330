/**
 * Writes call events into a Store until it is killed, for test/integration/store-kill.test.ts.
 * Usage: node --import tsx store-writer-child.ts <dataDir> <runTag>
 *
 * After each transcript.final's recordEvent returns it prints `final <seq> <callId> <text>`
 * (stdout to a pipe is synchronous on Linux, so a printed line was written after the commit).
 * Calls run several at once, with partials and DTMF between finals, and end now and then.
 */
import { Store } from '../../src/store/index.js';
import type { CallEvent } from '../../src/api/contract/index.js';

const [dataDir, runTag = 'run'] = process.argv.slice(2);
if (dataDir === undefined) throw new Error('usage: store-writer-child.ts <dataDir> <runTag>');

const store = Store.open({ dataDir });
const CONCURRENT_CALLS = 4;
const FINALS_PER_CALL = 25;

interface LiveCall {
  readonly id: string;
  finals: number;
  atMs: number;
}

let callCounter = 0;
const live: LiveCall[] = [];

function base(call: LiveCall): { callId: string; sipCallId: string } {
  return { callId: call.id, sipCallId: `${call.id}@kill.test` };
}

function startCall(): LiveCall {
  const call: LiveCall = { id: `${runTag}-call-${callCounter++}`, finals: 0, atMs: 0 };
  const timestamp = new Date().toISOString();
  store.recordEvent({ type: 'call.started', ...base(call), kind: 'siprec', timestamp });
  for (const [legId, role] of [
    ['leg-1', 'caller'],
    ['leg-2', 'agent'],
  ] as const) {
    store.recordEvent({
      type: 'leg.added',
      ...base(call),
      legId,
      role,
      codec: 'PCMU/8000',
      participant: { aor: `sip:${role}@kill.test`, name: role },
    });
  }
  return call;
}

function step(call: LiveCall): void {
  const legId = call.finals % 2 === 0 ? 'leg-1' : 'leg-2';
  const role = legId === 'leg-1' ? 'caller' : 'agent';
  const text = `segment ${call.finals} of ${call.id}`;
  const timestamp = new Date().toISOString();
  const common = { ...base(call), legId, role, timestamp } as const;
  store.recordEvent({
    type: 'transcript.partial',
    ...common,
    text: 'segment',
    startMs: call.atMs,
    endMs: call.atMs + 300,
  });
  const final: CallEvent = {
    type: 'transcript.final',
    ...common,
    text,
    startMs: call.atMs,
    endMs: call.atMs + 900,
    confidence: 0.8,
  };
  const { seq } = store.recordEvent(final);
  process.stdout.write(`final ${seq} ${call.id} ${text}\n`);
  if (call.finals % 7 === 3) {
    store.recordEvent({
      type: 'dtmf',
      ...common,
      digit: '7',
      durationMs: 100,
      source: 'rfc4733',
      atMs: call.atMs + 950,
    });
  }
  call.finals++;
  call.atMs += 1000;
}

function tick(): void {
  while (live.length < CONCURRENT_CALLS) live.push(startCall());
  for (const call of [...live]) {
    step(call);
    if (call.finals >= FINALS_PER_CALL) {
      store.recordEvent({
        type: 'call.ended',
        ...base(call),
        reason: 'bye',
        durationMs: call.atMs,
        timestamp: new Date().toISOString(),
      });
      live.splice(live.indexOf(call), 1);
    }
  }
  // Yield between rounds, as the gateway does between packets, so the kill can land anywhere.
  setImmediate(tick);
}

process.stdout.write('ready\n');
tick();
