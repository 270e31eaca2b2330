import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError, VoxError } from '../../src/core/index.js';

describe('ParseError', () => {
  it('names the byte offset in its message and keeps it as a field', () => {
    const e = new ParseError('RIFF chunk size exceeds file', 36);
    assert.equal(e.offset, 36);
    assert.equal(e.code, 'PARSE_ERROR');
    assert.match(e.message, /at byte offset 36/);
    assert.ok(e instanceof VoxError);
  });
});
