import type { Clock } from '../core/index.js';
import { systemClock } from '../core/index.js';
import type { TtsCapabilities, TtsEngine, TtsRequest, TtsSynthesisOptions } from '../engines/spi/index.js';
import { abortedError } from '../engines/spi/index.js';
import type { AudioFrame } from '../media/audio/index.js';
import { bytesToFrames } from './frame-bytes.js';
import { SharedSynthesis } from './shared-synthesis.js';
import { ttsCacheKey } from './tts-cache-key.js';
import type { TtsCacheStore, TtsCacheStoreStats } from './tts-cache-store.js';

/** Synthesis options of a cached engine: the engine's own, plus a per-request cache switch. */
export interface CachedSynthesisOptions extends TtsSynthesisOptions {
  /**
   * Do not cache this request: the cache is neither read nor written and the request does not
   * join another request's synthesis; it goes straight to the inner engine. For audio that must
   * not be kept (personal data read back to the caller, one-off prompts).
   */
  readonly noCache?: boolean;
}

export interface CachedTtsOptions {
  /** Monotonic time for measuring how long a synthesis took (the time each later hit saves). */
  readonly clock?: Clock;
  /** Duration of the frames a hit yields. */
  readonly frameMs?: number;
  /**
   * Told about cache faults (index locked past its busy timeout, disk full, unreadable file).
   * They never fail a synthesis: a read fault becomes a miss, a write fault an unstored result.
   */
  readonly onCacheError?: (error: unknown, operation: 'read' | 'write') => void;
}

export interface PrewarmOptions {
  /** How many missing prompts synthesize at once; 1 (one after the other) by default. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

export interface PrewarmResult {
  readonly alreadyCached: number;
  readonly synthesized: number;
  readonly failed: readonly { readonly request: TtsRequest; readonly error: unknown }[];
}

export interface TtsCacheStats extends TtsCacheStoreStats {
  /** Requests served from disk. */
  readonly hits: number;
  /** Requests that started a synthesis. */
  readonly misses: number;
  /** Requests that joined a synthesis already running for the same key. */
  readonly coalesced: number;
  /** Requests with `noCache`. */
  readonly bypassed: number;
  /** Synthesis time the hits avoided: the sum of the original synthesis time of each entry hit. */
  readonly savedMs: number;
  /** Completed syntheses that could not be written (disk full, permissions); they still played. */
  readonly writeErrors: number;
  /** Lookups that failed and were served by the engine instead. */
  readonly readErrors: number;
}

/**
 * A TtsEngine decorator that keeps synthesized audio in a TtsCacheStore. A hit streams the stored
 * bytes back as frames straight away; a miss passes the inner engine's frames through as they
 * come and stores the audio once the synthesis completes (never a cancelled or failed one).
 * Concurrent requests for the same key share one synthesis.
 *
 * `close()` waits for pending writes and closes the inner engine; the store belongs to whoever
 * opened it (several engines may share one).
 */
export class CachedTts implements TtsEngine {
  readonly name: string;
  readonly model: string;
  readonly capabilities: TtsCapabilities;
  private readonly inner: TtsEngine;
  private readonly store: TtsCacheStore;
  private readonly clock: Clock;
  private readonly frameMs: number;
  private readonly flights = new Map<string, SharedSynthesis>();
  private readonly pending = new Set<Promise<void>>();
  private hits = 0;
  private misses = 0;
  private coalesced = 0;
  private bypassed = 0;
  private savedMs = 0;
  private writeErrors = 0;
  private readErrors = 0;
  private readonly onCacheError: (error: unknown, operation: 'read' | 'write') => void;

  constructor(inner: TtsEngine, store: TtsCacheStore, options: CachedTtsOptions = {}) {
    this.inner = inner;
    this.store = store;
    this.name = inner.name;
    this.model = inner.model;
    this.capabilities = inner.capabilities;
    this.clock = options.clock ?? systemClock;
    this.frameMs = options.frameMs ?? 20;
    this.onCacheError = options.onCacheError ?? (() => undefined);
  }

  /** The cache key of a request on this engine. */
  keyOf(request: TtsRequest): string {
    return ttsCacheKey(this.inner, request);
  }

  async *synthesize(request: TtsRequest, options: CachedSynthesisOptions = {}): AsyncGenerator<AudioFrame> {
    const { signal } = options;
    if (signal?.aborted) throw abortedError(this.name, signal);
    if (options.noCache === true) {
      this.bypassed++;
      yield* this.inner.synthesize(request, signal === undefined ? {} : { signal });
      return;
    }
    const key = this.keyOf(request);
    const audio = this.flights.has(key) ? undefined : await this.readCached(key);
    if (audio !== undefined) {
      for (const frame of bytesToFrames(request.format, audio, this.frameMs)) {
        if (signal?.aborted) throw abortedError(this.name, signal);
        yield frame;
      }
      return;
    }
    yield* this.join(key, request).subscribe(signal);
  }

  /** Deletes every cached entry (of every engine sharing the store). */
  purge(): number {
    return this.store.purge();
  }

  stats(): TtsCacheStats {
    return {
      ...this.store.stats(),
      hits: this.hits,
      misses: this.misses,
      coalesced: this.coalesced,
      bypassed: this.bypassed,
      savedMs: this.savedMs,
      writeErrors: this.writeErrors,
      readErrors: this.readErrors,
    };
  }

  /**
   * Synthesizes and stores whichever of `requests` is not cached yet, a few at a time, so the
   * first callers hear cached prompts. A failing prompt is reported, never thrown: one bad prompt
   * must not keep the others out of the cache.
   */
  async prewarm(requests: readonly TtsRequest[], options: PrewarmOptions = {}): Promise<PrewarmResult> {
    let alreadyCached = 0;
    let synthesized = 0;
    const failed: { request: TtsRequest; error: unknown }[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let request = requests[next++]; request !== undefined; request = requests[next++]) {
        if (options.signal?.aborted) return;
        try {
          if (this.store.lookup(this.keyOf(request)) !== undefined) {
            alreadyCached++;
            continue;
          }
          const stream = this.synthesize(
            request,
            options.signal === undefined ? {} : { signal: options.signal },
          );
          for await (const _ of stream);
          synthesized++;
        } catch (error) {
          failed.push({ request, error });
        }
      }
    };
    const workers = Math.max(1, Math.min(options.concurrency ?? 1, requests.length));
    await Promise.all(Array.from({ length: workers }, worker));
    await this.flush();
    return { alreadyCached, synthesized, failed };
  }

  /** Resolves once every completed synthesis has been written (or failed to be). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.inner.close();
  }

  /**
   * The stored audio for `key`, counted as a hit, or undefined. A row whose file has vanished
   * (another process evicted it after our lookup) is a miss. So is a cache that fails to read:
   * the caller must still hear the prompt, so the error goes to `onCacheError` and the engine
   * synthesizes.
   */
  private async readCached(key: string): Promise<Uint8Array | undefined> {
    try {
      const entry = this.store.lookup(key);
      if (entry === undefined) return undefined;
      const audio = await this.store.readAudio(entry);
      if (audio === undefined) return undefined;
      this.hits++;
      this.savedMs += entry.synthesisMs;
      this.store.touch(key);
      return audio;
    } catch (error) {
      this.readErrors++;
      this.onCacheError(error, 'read');
      return undefined;
    }
  }

  /** The running synthesis for `key`, or a new one this request leads. */
  private join(key: string, request: TtsRequest): SharedSynthesis {
    const running = this.flights.get(key);
    if (running !== undefined && running.joinable) {
      this.coalesced++;
      return running;
    }
    this.misses++;
    const synthesis = new SharedSynthesis({
      engineName: this.name,
      format: request.format,
      clock: this.clock,
      start: (signal) => this.inner.synthesize(request, { signal }),
      onAbandoned: () => this.forgetFlight(key, synthesis),
    });
    const settled = synthesis.outcome.then(async (outcome) => {
      try {
        if (outcome.kind === 'completed' && outcome.formatMatched) {
          await this.store.put(
            {
              key,
              engine: this.inner.name,
              model: this.inner.model,
              format: request.format,
              synthesisMs: outcome.synthesisMs,
            },
            outcome.audio,
          );
        }
      } catch (error) {
        // A cache that cannot write still played the audio; the counter makes the fault visible.
        this.writeErrors++;
        this.onCacheError(error, 'write');
      } finally {
        // Kept until written, so a request arriving in between replays from memory instead of
        // synthesizing again.
        this.forgetFlight(key, synthesis);
        this.pending.delete(settled);
      }
    });
    this.pending.add(settled);
    this.flights.set(key, synthesis);
    return synthesis;
  }

  private forgetFlight(key: string, synthesis: SharedSynthesis): void {
    if (this.flights.get(key) === synthesis) this.flights.delete(key);
  }
}
