import type { CallDetail, LegRecord, TranscriptSegment } from '../api/contract/index.js';

/**
 * A call's final transcript as plain text, one line per segment in order of start time across
 * legs: `[00:01.250] caller: text` (hours are added in front once a call passes an hour).
 */
export function transcriptText(call: CallDetail): string {
  const speakers = speakerNames(call.legs);
  return sortedSegments(call.transcript)
    .map((s) => `[${clockText(s.startMs)}] ${speakers(s)}: ${oneLine(s.text)}\n`)
    .join('');
}

/**
 * A call's final transcript as WebVTT (W3C WebVTT §4): one cue per segment, identified by its
 * seq, timed from the start of the call, the speaker in a voice span (`<v caller>`).
 */
export function transcriptVtt(call: CallDetail): string {
  const speakers = speakerNames(call.legs);
  const cues = sortedSegments(call.transcript).map((s) => {
    // WebVTT §4.1: a cue's end time must be greater than its start time.
    const endMs = Math.max(s.endMs, s.startMs + 1);
    const voice = escapeVtt(speakers(s));
    return `${s.seq}\n${vttTime(s.startMs)} --> ${vttTime(endMs)}\n<v ${voice}>${escapeVtt(oneLine(s.text))}</v>\n`;
  });
  return ['WEBVTT\n', ...cues].join('\n');
}

/** Cues must be in order of start time (WebVTT §4.1); ties keep emission order. */
function sortedSegments(segments: readonly TranscriptSegment[]): TranscriptSegment[] {
  return [...segments].sort((a, b) => a.startMs - b.startMs || a.seq - b.seq);
}

/**
 * Speakers are named by role. When two legs share a role (SIPREC `unknown`, or two agents) the
 * label or leg id is added, so the reader can still tell them apart.
 */
function speakerNames(legs: readonly LegRecord[]): (segment: TranscriptSegment) => string {
  const perRole = new Map<string, number>();
  for (const leg of legs) perRole.set(leg.role, (perRole.get(leg.role) ?? 0) + 1);
  const labelOf = new Map(legs.map((leg) => [leg.id, leg.label ?? leg.id]));
  return (segment) =>
    (perRole.get(segment.role) ?? 0) > 1
      ? `${segment.role} ${labelOf.get(segment.legId) ?? segment.legId}`
      : segment.role;
}

/** `mm:ss.mmm`, or `h:mm:ss.mmm` past the first hour. */
function clockText(ms: number): string {
  const { h, m, s, milli } = split(ms);
  const rest = `${pad(m, 2)}:${pad(s, 2)}.${pad(milli, 3)}`;
  return h > 0 ? `${h}:${rest}` : rest;
}

/** WebVTT timestamps always carry hours here: `hh:mm:ss.ttt` (WebVTT §4.5). */
function vttTime(ms: number): string {
  const { h, m, s, milli } = split(ms);
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(milli, 3)}`;
}

function split(ms: number): { h: number; m: number; s: number; milli: number } {
  const total = Math.max(0, Math.round(ms));
  return {
    h: Math.floor(total / 3_600_000),
    m: Math.floor(total / 60_000) % 60,
    s: Math.floor(total / 1000) % 60,
    milli: total % 1000,
  };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** A blank line would end a cue (and a newline would break a text line), so text is one line. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** WebVTT §4.2.2: `&`, `<` and `>` in cue text are escaped (which also rules out `-->`). */
function escapeVtt(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
