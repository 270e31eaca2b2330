import type { TranscriptFormat } from '@voxbridge/contract';
import type { CallModel, LegColumn } from './call-model.js';
import { el } from './dom.js';
import { formatDuration, formatOffset, formatTimestamp } from './format.js';

export type DownloadHandler = (callId: string, format: TranscriptFormat) => void;

const ROLE_TITLES: Readonly<Record<string, string>> = {
  caller: 'Caller',
  agent: 'Agent',
  mixed: 'Both parties (mixed)',
  unknown: 'Unknown speaker',
};

/** Buttons that fetch a transcript export (with the key) and save it. */
export function downloadButtons(callId: string, onDownload: DownloadHandler): HTMLElement {
  const formats: [TranscriptFormat, string][] = [
    ['json', 'JSON'],
    ['text', 'Text'],
    ['vtt', 'WebVTT'],
  ];
  return el(
    'span',
    { className: 'downloads' },
    el('span', { text: 'Transcript: ' }),
    ...formats.map(([format, label]) => {
      const button = el('button', { text: label, testId: `download-${format}`, attrs: { type: 'button' } });
      button.addEventListener('click', () => onDownload(callId, format));
      return button;
    }),
  );
}

/** Replaces the container's content with the call: status, DTMF, one column per speaker. */
export function renderCallView(container: HTMLElement, model: CallModel, onDownload: DownloadHandler): void {
  container.dataset['callId'] = model.callId;
  const status = el('p', {
    className: `status ${model.ended === null ? 'live' : 'ended'}`,
    testId: 'call-status',
    text: statusText(model),
    attrs: { 'data-state': model.ended === null ? 'live' : 'ended' },
  });
  const header = el(
    'header',
    { className: 'call-header' },
    el('h2', { text: `Call ${model.sipCallId || model.callId}` }),
    status,
    downloadButtons(model.callId, onDownload),
  );
  const digits = el(
    'p',
    { className: 'dtmf', testId: 'dtmf' },
    el('span', { className: 'label', text: 'DTMF ' }),
    ...model.dtmf.map((d) =>
      el('span', {
        className: 'digit',
        testId: 'dtmf-digit',
        text: d.digit,
        attrs: { title: `${d.role} at ${formatOffset(d.atMs)}`, 'data-role': d.role },
      }),
    ),
  );
  if (model.dtmf.length === 0) digits.append(el('span', { className: 'none', text: 'none' }));
  const columns = model.columns();
  const legs = el('div', { className: 'legs' }, ...columns.map(renderColumn));
  if (columns.length === 0) legs.append(el('p', { className: 'empty', text: 'No audio legs yet.' }));
  container.replaceChildren(header, digits, legs);
}

function renderColumn(column: LegColumn): HTMLElement {
  const title = ROLE_TITLES[column.role] ?? column.role;
  const meta = [column.label === null ? null : `label ${column.label}`, column.codec, column.participant]
    .filter((part): part is string => part !== null)
    .join(' · ');
  const lines = el(
    'ol',
    { className: 'lines' },
    ...column.finals.map((line) =>
      el(
        'li',
        { className: 'final', testId: 'final-line', attrs: { 'data-seq': String(line.seq) } },
        el('time', { text: formatOffset(line.startMs) }),
        el('span', { className: 'text', text: line.text }),
      ),
    ),
  );
  if (column.partial !== null) {
    lines.append(
      el(
        'li',
        { className: 'partial', testId: 'partial-line' },
        el('time', { text: formatOffset(column.partial.startMs) }),
        el('span', { className: 'text', text: column.partial.text }),
      ),
    );
  }
  return el(
    'section',
    {
      className: `leg ${column.role}`,
      testId: 'leg-column',
      attrs: { 'data-role': column.role, 'data-leg-id': column.legId },
    },
    el('h3', { text: title }),
    el('p', { className: 'meta', text: meta }),
    lines,
  );
}

function statusText(model: CallModel): string {
  const started = model.startedAt === '' ? '' : ` · started ${formatTimestamp(model.startedAt)}`;
  if (model.ended === null) return `Live${started}`;
  const duration = model.ended.durationMs === null ? '' : ` after ${formatDuration(model.ended.durationMs)}`;
  const reason = model.ended.reason === null ? '' : ` (${model.ended.reason})`;
  return `Ended${reason}${duration}${started}`;
}
