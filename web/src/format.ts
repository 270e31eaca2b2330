/** `mm:ss.mmm` (or `h:mm:ss.mmm` past an hour) for an offset from the start of a call. */
export function formatOffset(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const millis = total % 1000;
  const seconds = Math.floor(total / 1000) % 60;
  const minutes = Math.floor(total / 60_000) % 60;
  const hours = Math.floor(total / 3_600_000);
  const mmss = `${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(millis, 3)}`;
  return hours > 0 ? `${hours}:${mmss}` : mmss;
}

/** `1 min 05 s`, `42 s`: a call duration for people. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${pad(seconds % 60, 2)} s`;
}

/** Local date and time of an ISO 8601 timestamp; the input itself when it does not parse. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
