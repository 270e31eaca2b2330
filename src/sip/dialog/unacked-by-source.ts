import type { SipDestination } from '../transport/index.js';

/**
 * Dialogs not yet confirmed by an ACK (ringing, being answered, or answered and awaiting the
 * ACK), counted per source. Each holds RTP ports and a 2xx retransmitted for 32 s (RFC 3261
 * §13.3.1.4), so a source, whose address is spoofable over UDP, may hold only so many.
 */
export class UnackedBySource<Dialog extends object> {
  readonly #max: number;
  readonly #sourceOf = new Map<Dialog, string>();
  readonly #count = new Map<string, number>();

  constructor(max: number) {
    this.#max = max;
  }

  /** Dialogs counted, of every source. */
  get size(): number {
    return this.#sourceOf.size;
  }

  /** False when the source already has the most allowed; else counts the dialog against it. */
  admit(dialog: Dialog, source: SipDestination): boolean {
    const key = sourceKey(source);
    const count = this.#count.get(key) ?? 0;
    if (count >= this.#max) return false;
    this.#sourceOf.set(dialog, key);
    this.#count.set(key, count + 1);
    return true;
  }

  /** The dialog was ACKed or ended: it no longer counts. Idempotent. */
  release(dialog: Dialog): void {
    const key = this.#sourceOf.get(dialog);
    if (key === undefined) return;
    this.#sourceOf.delete(dialog);
    const left = (this.#count.get(key) ?? 1) - 1;
    if (left <= 0) this.#count.delete(key);
    else this.#count.set(key, left);
  }
}

/**
 * The sender's address over UDP (any port of it), the connection over TCP, whose peer address
 * the transport does not hand up.
 */
function sourceKey(source: SipDestination): string {
  if ('connectionId' in source) return `tcp:${source.connectionId}`;
  return `${source.transport}:${source.address}`;
}
