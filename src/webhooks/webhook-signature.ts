import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256=';

/**
 * The `X-Voxbridge-Signature` value for a delivery: `sha256=` and the hex HMAC-SHA256, keyed with
 * the target's secret, of `<timestamp>.<body>`. Signing the timestamp with the body lets a
 * receiver refuse replays of an old delivery (compare `X-Voxbridge-Timestamp` with its clock).
 */
export function webhookSignature(secret: string, timestamp: string | number, body: string): string {
  return PREFIX + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * True when `header` is the signature of `<timestamp>.<body>` under `secret`. Compares in constant
 * time; any malformed header is simply false. `body` must be the exact bytes received, as text.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | number,
  body: string,
  header: string | undefined | null,
): boolean {
  if (typeof header !== 'string' || !header.startsWith(PREFIX)) return false;
  const hex = header.slice(PREFIX.length);
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}
