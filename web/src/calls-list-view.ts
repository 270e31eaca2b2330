import type { CallSummary } from '@voxbridge/contract';
import type { DownloadHandler } from './call-view.js';
import { downloadButtons } from './call-view.js';
import { el } from './dom.js';
import { formatDuration, formatTimestamp } from './format.js';
import type { LiveCall } from './live-calls.js';

export function callHref(callId: string): string {
  return `#/calls/${encodeURIComponent(callId)}`;
}

/** The live calls, newest first; the open call is marked. */
export function renderLiveCalls(
  list: HTMLElement,
  calls: readonly LiveCall[],
  openCallId: string | null,
): void {
  list.replaceChildren(
    ...calls.map((call) =>
      el(
        'li',
        {
          className: call.id === openCallId ? 'row open' : 'row',
          testId: 'call-row',
          attrs: { 'data-call-id': call.id, 'data-sip-call-id': call.sipCallId },
        },
        el(
          'a',
          { attrs: { href: callHref(call.id) } },
          el('span', { className: 'when', text: formatTimestamp(call.startedAt) }),
          el('span', { className: 'kind', text: call.kind === 'siprec' ? 'SIPREC' : 'SIP' }),
          el('span', { className: 'who', text: call.from ?? call.sipCallId }),
          el('span', { className: 'legs', text: `${call.legs} leg${call.legs === 1 ? '' : 's'}` }),
        ),
      ),
    ),
  );
  if (calls.length === 0) list.append(el('li', { className: 'empty', text: 'No live calls.' }));
}

/** Search results: each links to its call view and offers the transcript downloads. */
export function renderSearchResults(
  list: HTMLElement,
  calls: readonly CallSummary[],
  onDownload: DownloadHandler,
): void {
  list.replaceChildren(
    ...calls.map((call) => {
      const state =
        call.endedAt === null
          ? 'live'
          : `${formatDuration(call.durationMs ?? 0)}${call.endReason === null ? '' : `, ${call.endReason}`}`;
      return el(
        'li',
        {
          className: 'row',
          testId: 'search-result',
          attrs: { 'data-call-id': call.id, 'data-sip-call-id': call.sipCallId },
        },
        el(
          'a',
          { attrs: { href: callHref(call.id) } },
          el('span', { className: 'when', text: formatTimestamp(call.startedAt) }),
          el('span', { className: 'who', text: call.from ?? call.sipCallId }),
          el('span', { className: 'state', text: state }),
        ),
        downloadButtons(call.id, onDownload),
      );
    }),
  );
  if (calls.length === 0) list.append(el('li', { className: 'empty', text: 'No calls found.' }));
}
