/*
 * RFC 4733 §7.1.1 fmtp for telephone-event, a list of event codes and ranges:
 *
 *   events = event-spec *( "," event-spec )
 *   event-spec = event-code [ "-" event-code ]      ; event-code = 0..255
 */

/** DTMF digits 0-9, *, #, A-D: the events voxbridge sends and understands (RFC 4733 §3.2). */
const SUPPORTED_EVENTS = 16;

function parseEvents(fmtp: string): Set<number> | null {
  const events = new Set<number>();
  for (const spec of fmtp.split(',')) {
    const m = /^\s*(\d{1,3})(?:-(\d{1,3}))?\s*$/.exec(spec);
    if (!m) return null;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > 255 || to > 255 || to < from) return null;
    // Only the events we support matter, so the set never grows past SUPPORTED_EVENTS entries.
    for (let e = from; e <= Math.min(to, SUPPORTED_EVENTS - 1); e++) events.add(e);
  }
  return events;
}

function formatEvents(events: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < events.length) {
    let j = i;
    while (j + 1 < events.length && events[j + 1] === events[j]! + 1) j++;
    parts.push(i === j ? `${events[i]}` : `${events[i]}-${events[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * The fmtp we answer for an offered telephone-event fmtp: the offered events we support, or null
 * when there are none. Without an fmtp, or with one we cannot read, RFC 4733 §7.1.1 lets us
 * assume the DTMF events 0-15.
 */
export function telephoneEvents(offeredFmtp: string | undefined): string | null {
  const offered = offeredFmtp === undefined ? null : parseEvents(offeredFmtp);
  const events =
    offered === null
      ? Array.from({ length: SUPPORTED_EVENTS }, (_, i) => i)
      : [...offered].sort((a, b) => a - b);
  return events.length === 0 ? null : formatEvents(events);
}
