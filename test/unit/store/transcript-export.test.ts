import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallDetail, LegRecord, TranscriptSegment } from '../../../src/api/contract/index.js';
import { transcriptText, transcriptVtt } from '../../../src/store/transcript-export.js';

function leg(id: string, role: LegRecord['role'], label: string | null): LegRecord {
  return { id, role, label, codec: 'PCMA/8000', participant: null };
}

function seg(
  seq: number,
  legId: string,
  role: TranscriptSegment['role'],
  text: string,
  startMs: number,
  endMs: number,
): TranscriptSegment {
  return { seq, legId, role, text, startMs, endMs, confidence: null, timestamp: '2024-03-01T10:00:00.000Z' };
}

function call(legs: LegRecord[], transcript: TranscriptSegment[]): CallDetail {
  return {
    id: 'c',
    sipCallId: 'c@x',
    kind: 'siprec',
    startedAt: '2024-03-01T10:00:00.000Z',
    endedAt: null,
    endReason: null,
    durationMs: null,
    legs,
    transcript,
    dtmf: [],
    metadata: null,
  };
}

describe('transcript export', () => {
  it('orders by start time, then seq, whatever the input order', () => {
    const c = call(
      [leg('a', 'caller', null), leg('b', 'agent', null)],
      [
        seg(9, 'b', 'agent', 'second', 2000, 2500),
        seg(3, 'a', 'caller', 'first', 1000, 1500),
        seg(2, 'a', 'caller', 'tie', 2000, 2100),
      ],
    );
    assert.equal(
      transcriptText(c),
      '[00:01.000] caller: first\n[00:02.000] caller: tie\n[00:02.000] agent: second\n',
    );
  });

  it('formats times past a minute and an hour', () => {
    const c = call(
      [leg('a', 'caller', null)],
      [
        seg(1, 'a', 'caller', 'late', 3_723_004, 3_725_000),
        seg(2, 'a', 'caller', 'minute', 61_999.6, 62_500),
      ],
    );
    assert.equal(transcriptText(c), '[01:02.000] caller: minute\n[1:02:03.004] caller: late\n');
    assert.match(transcriptVtt(c), /\n01:02:03\.004 --> 01:02:05\.000\n/);
  });

  it('tells legs that share a role apart by label, else leg id', () => {
    const c = call(
      [leg('l1', 'unknown', 'audio-1'), leg('l2', 'unknown', null), leg('l3', 'caller', 'x')],
      [
        seg(1, 'l1', 'unknown', 'one', 0, 1),
        seg(2, 'l2', 'unknown', 'two', 5, 6),
        seg(3, 'l3', 'caller', 'three', 7, 8),
      ],
    );
    assert.equal(
      transcriptText(c),
      '[00:00.000] unknown audio-1: one\n[00:00.005] unknown l2: two\n[00:00.007] caller: three\n',
    );
  });

  it('escapes WebVTT markup, keeps each cue on one line, and never ends a cue before it starts', () => {
    const c = call(
      [leg('a', 'caller', null)],
      [seg(4, 'a', 'caller', 'a <b> & c --> d\n\nnext line', 1000, 1000)],
    );
    assert.equal(
      transcriptVtt(c),
      'WEBVTT\n\n4\n00:00:01.000 --> 00:00:01.001\n<v caller>a &lt;b&gt; &amp; c --&gt; d next line</v>\n',
    );
    assert.equal(transcriptText(c), '[00:01.000] caller: a <b> & c --> d next line\n');
  });

  it('an empty transcript is a header-only WebVTT file and empty text', () => {
    const c = call([], []);
    assert.equal(transcriptVtt(c), 'WEBVTT\n');
    assert.equal(transcriptText(c), '');
  });
});
