import type { CallDetail, SequencedEvent, TranscriptFormat } from '@voxbridge/contract';
import { ApiClient, UnauthorizedError } from './api-client.js';
import { browserSchedule, browserSocket } from './browser-socket.js';
import { CallModel } from './call-model.js';
import { renderCallView } from './call-view.js';
import { renderLiveCalls, renderSearchResults } from './calls-list-view.js';
import { el, required } from './dom.js';
import { EventStream } from './event-stream.js';
import type { StreamStatus } from './event-stream.js';
import { LiveCalls } from './live-calls.js';

const KEY_STORAGE = 'voxbridge.apiKey';
const LIVE_LIST_LIMIT = 200;
const SEARCH_LIMIT = 50;

/** The call open in the view; events for it wait in `pending` until its detail has loaded. */
interface OpenCall {
  readonly callId: string;
  model: CallModel | null;
  readonly pending: SequencedEvent[];
}

const EXTENSIONS: Readonly<Record<TranscriptFormat, string>> = { json: 'json', text: 'txt', vtt: 'vtt' };

/**
 * The page's controller: login, the event stream, the live list, search and the call view
 * (`#/calls/<id>`). The key lives in sessionStorage only, so it is gone with the tab.
 */
export class Dashboard {
  private client: ApiClient | null = null;
  private stream: EventStream | null = null;
  private liveCalls = new LiveCalls();
  private open: OpenCall | null = null;
  private readonly ui;

  constructor(
    private readonly doc: Document,
    private readonly storage: Storage,
  ) {
    this.ui = {
      login: required<HTMLElement>(doc, '#login'),
      loginForm: required<HTMLFormElement>(doc, '#login-form'),
      keyInput: required<HTMLInputElement>(doc, '#api-key'),
      loginError: required<HTMLElement>(doc, '#login-error'),
      app: required<HTMLElement>(doc, '#app'),
      logout: required<HTMLButtonElement>(doc, '#logout'),
      connection: required<HTMLElement>(doc, '#connection'),
      error: required<HTMLElement>(doc, '#error'),
      liveList: required<HTMLElement>(doc, '#live-calls'),
      searchForm: required<HTMLFormElement>(doc, '#search-form'),
      searchInput: required<HTMLInputElement>(doc, '#search-input'),
      searchResults: required<HTMLElement>(doc, '#search-results'),
      callView: required<HTMLElement>(doc, '#call-view'),
    };
  }

  start(): void {
    this.ui.loginForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const key = this.ui.keyInput.value.trim();
      if (key !== '') this.enter(key);
    });
    this.ui.logout.addEventListener('click', () => this.leave(''));
    this.ui.searchForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.search(this.ui.searchInput.value.trim());
    });
    window.addEventListener('hashchange', () => this.route());
    const saved = this.storage.getItem(KEY_STORAGE);
    if (saved === null || saved === '') this.leave('');
    else this.enter(saved);
  }

  private enter(key: string): void {
    this.storage.setItem(KEY_STORAGE, key);
    this.ui.keyInput.value = '';
    this.ui.login.hidden = true;
    this.ui.app.hidden = false;
    this.ui.logout.hidden = false;
    const client = new ApiClient(key);
    this.client = client;
    this.liveCalls = new LiveCalls();
    renderLiveCalls(this.ui.liveList, [], null);
    this.stream = new EventStream({
      url: client.eventsUrl(),
      onEvent: (event) => this.onEvent(event),
      onSubscribed: () => void this.refreshLiveCalls(),
      onStatus: (status) => this.showStatus(status),
      connect: browserSocket,
      schedule: browserSchedule,
    });
    this.stream.start();
    // The WebSocket cannot tell a refused key from a network failure (both end the handshake);
    // this request can, and a 401 brings the login form back.
    void this.refreshLiveCalls();
    this.route();
  }

  private leave(message: string): void {
    this.stream?.stop();
    this.stream = null;
    this.client = null;
    this.open = null;
    this.storage.removeItem(KEY_STORAGE);
    this.ui.app.hidden = true;
    this.ui.logout.hidden = true;
    this.ui.login.hidden = false;
    this.ui.loginError.textContent = message;
    this.ui.keyInput.focus();
  }

  private onEvent(event: SequencedEvent): void {
    if (this.liveCalls.apply(event)) this.renderLive();
    const open = this.open;
    if (open === null || open.callId !== event.callId) return;
    if (open.model === null) open.pending.push(event);
    else if (open.model.apply(event)) this.renderOpen();
  }

  private async refreshLiveCalls(): Promise<void> {
    const client = this.client;
    if (client === null) return;
    const result = await this.guard(() => client.listCalls({ active: true, limit: LIVE_LIST_LIMIT }));
    if (result === undefined || client !== this.client) return;
    this.liveCalls.seed(result.calls);
    this.renderLive();
  }

  private async search(q: string): Promise<void> {
    const client = this.client;
    if (client === null) return;
    const result = await this.guard(() => client.listCalls({ q, limit: SEARCH_LIMIT }));
    if (result === undefined || client !== this.client) return;
    this.ui.searchResults.dataset['query'] = q;
    renderSearchResults(this.ui.searchResults, result.calls, (id, format) => void this.download(id, format));
  }

  private route(): void {
    const match = /^#\/calls\/([^/]+)$/.exec(window.location.hash);
    const callId = match?.[1] === undefined ? null : decodeURIComponent(match[1]);
    if (callId === null) {
      this.open = null;
      delete this.ui.callView.dataset['callId'];
      this.ui.callView.replaceChildren(
        el('p', { className: 'placeholder', text: 'Pick a live call, or search for a past one.' }),
      );
    } else if (this.open?.callId !== callId) {
      void this.openCall(callId);
    }
    this.renderLive();
  }

  private async openCall(callId: string): Promise<void> {
    const client = this.client;
    if (client === null) return;
    const open: OpenCall = { callId, model: null, pending: [] };
    this.open = open;
    this.ui.callView.dataset['callId'] = callId;
    this.ui.callView.replaceChildren(el('p', { className: 'placeholder', text: 'Loading…' }));
    const detail = await this.guard(
      async (): Promise<CallDetail | null> => (await client.getCall(callId)) ?? null,
    );
    if (this.open !== open) return;
    if (detail === undefined) return;
    if (detail === null) {
      this.ui.callView.replaceChildren(el('p', { className: 'placeholder', text: 'No such call.' }));
      return;
    }
    open.model = CallModel.fromDetail(detail);
    for (const event of open.pending.splice(0)) open.model.apply(event);
    this.renderOpen();
  }

  private async download(callId: string, format: TranscriptFormat): Promise<void> {
    const client = this.client;
    if (client === null) return;
    const blob = await this.guard(() => client.transcript(callId, format));
    if (blob === undefined) return;
    const url = URL.createObjectURL(blob);
    const link = el('a', { attrs: { href: url, download: `${callId}.${EXTENSIONS[format]}` } });
    this.doc.body.append(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** Runs a request: a refused key logs out, any other failure is shown; both give undefined. */
  private async guard<T>(request: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await request();
      this.ui.error.textContent = '';
      return result;
    } catch (error) {
      if (error instanceof UnauthorizedError) this.leave('That API key was refused.');
      else this.ui.error.textContent = error instanceof Error ? error.message : String(error);
      return undefined;
    }
  }

  private renderLive(): void {
    renderLiveCalls(this.ui.liveList, this.liveCalls.list(), this.open?.callId ?? null);
  }

  private renderOpen(): void {
    const model = this.open?.model;
    if (model) renderCallView(this.ui.callView, model, (id, format) => void this.download(id, format));
  }

  private showStatus(status: StreamStatus): void {
    this.ui.connection.dataset['status'] = status;
    this.ui.connection.textContent =
      status === 'live' ? 'live' : status === 'connecting' ? 'connecting…' : 'offline';
  }
}
