import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DestinationStream } from 'pino';
import { createLogger, redactPaths, REDACT_DEPTH, REDACTED_KEYS } from '../../../src/observability/index.js';
import type { CallEvent } from '../../../src/session/index.js';

/** Collects the JSON lines a logger writes. */
function capture(): {
  destination: DestinationStream;
  lines: () => Record<string, unknown>[];
  text: () => string;
} {
  const chunks: string[] = [];
  return {
    destination: { write: (chunk: string) => void chunks.push(chunk) },
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const CALLER = '+14155550123';
const SPOKEN = 'my card number is four one one one';

const final: CallEvent = {
  type: 'transcript.final',
  callId: 'c1',
  sipCallId: 'abc@pbx',
  legId: 'c1-1',
  role: 'caller',
  text: SPOKEN,
  startMs: 1000,
  endMs: 2500,
  timestamp: '2025-01-01T00:00:03.000Z',
  confidence: 0.9,
};

describe('createLogger', () => {
  it('redacts transcript text and the caller number but keeps the keys', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', redact: true, destination: out.destination });
    logger.info({ event: final, from: `sip:${CALLER}@pbx.example`, callId: 'c1' }, 'final emitted');
    const text = out.text();
    assert.ok(!text.includes(CALLER), text);
    assert.ok(!text.includes('four one one'), text);
    const [line] = out.lines();
    assert.equal(line?.['msg'], 'final emitted');
    assert.equal(line?.['from'], '[REDACTED]');
    assert.equal(line?.['callId'], 'c1', 'ids are not personal data');
    const event = line?.['event'] as Record<string, unknown>;
    assert.equal(event['text'], '[REDACTED]');
    assert.equal(event['legId'], 'c1-1');
    assert.equal(event['endMs'], 2500);
  });

  it('redacts every listed key, nested, in arrays and in child bindings', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', redact: true, destination: out.destination });
    logger.child({ to: 'sip:agent-7@cc.example' }).info(
      {
        dtmf: { digit: '7', digits: '1234' },
        leg: { participant: { aor: 'sip:+4930123@x', name: 'Erika Mustermann' } },
        transcript: [{ text: 'hello' }],
        segments: [{ text: 'one' }, { text: 'two' }],
        a: { b: { c: { d: { text: 'deep' } } } },
      },
      'leg stats',
    );
    const [line] = out.lines();
    assert.ok(line !== undefined);
    assert.equal(line['to'], '[REDACTED]');
    assert.deepEqual(line['dtmf'], { digit: '[REDACTED]', digits: '[REDACTED]' });
    assert.deepEqual(line['leg'], { participant: { aor: '[REDACTED]', name: '[REDACTED]' } });
    assert.equal(line['transcript'], '[REDACTED]');
    assert.deepEqual(line['segments'], [{ text: '[REDACTED]' }, { text: '[REDACTED]' }]);
    assert.deepEqual(line['a'], { b: { c: { d: { text: '[REDACTED]' } } } });
    for (const secret of ['agent-7', '1234', '4930123', 'Erika', 'hello', 'deep']) {
      assert.ok(!out.text().includes(secret), secret);
    }
  });

  it('writes fields as given when redaction is off', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', redact: false, destination: out.destination });
    logger.info({ event: final, from: CALLER }, 'final emitted');
    const [line] = out.lines();
    assert.equal(line?.['from'], CALLER);
    assert.equal((line?.['event'] as Record<string, unknown>)['text'], SPOKEN);
  });

  it('honours the level and binds the service name without it being redacted', () => {
    const out = capture();
    const logger = createLogger({
      level: 'warn',
      redact: true,
      destination: out.destination,
      service: 'voxbridge',
    });
    logger.info('not written');
    logger.warn('written');
    const lines = out.lines();
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.['msg'], 'written');
    assert.equal(lines[0]?.['service'], 'voxbridge');
    assert.equal(lines[0]?.['level'], 40);
    assert.match(String(lines[0]?.['time']), /^\d{4}-\d\d-\d\dT/);
  });

  it('lists each key at every depth', () => {
    const paths = redactPaths();
    assert.equal(paths.length, REDACTED_KEYS.length * (REDACT_DEPTH + 1));
    assert.ok(paths.includes('text'));
    assert.ok(paths.includes('*.*.*.*.participant.*'));
  });
});
