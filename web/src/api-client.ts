import type { CallDetail, ListCallsResponse, TranscriptFormat } from '@voxbridge/contract';

/** The API refused the key: the dashboard goes back to its login form. */
export class UnauthorizedError extends Error {
  constructor() {
    super('the API key was refused');
    this.name = 'UnauthorizedError';
  }
}

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

export interface CallsQuery {
  /** Words from the transcripts, a caller, or a SIP Call-ID. */
  readonly q?: string;
  readonly active?: boolean;
  readonly limit?: number;
  readonly before?: string;
}

/** REST calls with the key as Bearer (RFC 6750 §2.1), against the origin that served the page. */
export class ApiClient {
  constructor(
    private readonly apiKey: string,
    private readonly origin: string = window.location.origin,
    private readonly fetchImpl: typeof fetch = (input, init) => window.fetch(input, init),
  ) {}

  async listCalls(query: CallsQuery): Promise<ListCallsResponse> {
    const params = new URLSearchParams();
    if (query.q !== undefined && query.q !== '') params.set('q', query.q);
    if (query.active !== undefined) params.set('active', String(query.active));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.before !== undefined) params.set('before', query.before);
    const response = await this.request(`/v1/calls?${params.toString()}`);
    return (await response.json()) as ListCallsResponse;
  }

  /** undefined when the call does not exist (or was deleted). */
  async getCall(id: string): Promise<CallDetail | undefined> {
    const response = await this.request(`/v1/calls/${encodeURIComponent(id)}`, [404]);
    return response.status === 404 ? undefined : ((await response.json()) as CallDetail);
  }

  async transcript(id: string, format: TranscriptFormat): Promise<Blob> {
    const response = await this.request(`/v1/calls/${encodeURIComponent(id)}/transcript?format=${format}`);
    return response.blob();
  }

  /** The WebSocket URL; browsers cannot set headers on it, so the key goes as `token`. */
  eventsUrl(): string {
    const url = new URL('/v1/events', this.origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', this.apiKey);
    return url.toString();
  }

  private async request(path: string, allowed: readonly number[] = []): Promise<Response> {
    const response = await this.fetchImpl(new URL(path, this.origin), {
      headers: { Authorization: `Bearer ${this.apiKey}` },
    });
    if (response.status === 401) throw new UnauthorizedError();
    if (!response.ok && !allowed.includes(response.status)) {
      throw new ApiRequestError(response.status, `${path}: HTTP ${response.status}`);
    }
    return response;
  }
}
