const encoder = new TextEncoder();

/** A canonical OPTIONS request; `via` replaces the top Via value. */
export function optionsRequest(
  options: { via?: string; callId?: string; body?: string; contentLength?: boolean } = {},
): Uint8Array {
  const body = options.body ?? '';
  const lines = [
    'OPTIONS sip:bot@127.0.0.1 SIP/2.0',
    `Via: ${options.via ?? 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776asdhds'}`,
    'Max-Forwards: 70',
    'To: <sip:bot@127.0.0.1>',
    'From: <sip:alice@127.0.0.1>;tag=1928301774',
    `Call-ID: ${options.callId ?? 'a84b4c76e66710@pc33'}`,
    'CSeq: 63104 OPTIONS',
    ...(body ? ['Content-Type: text/plain'] : []),
    ...((options.contentLength ?? true) ? [`Content-Length: ${encoder.encode(body).length}`] : []),
  ];
  return encoder.encode(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** A 200 response carrying the given top Via. */
export function okResponse(via: string): Uint8Array {
  return encoder.encode(
    [
      'SIP/2.0 200 OK',
      `Via: ${via}`,
      'To: <sip:bot@127.0.0.1>;tag=xyz',
      'From: <sip:alice@127.0.0.1>;tag=1928301774',
      'Call-ID: a84b4c76e66710@pc33',
      'CSeq: 63104 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
export const bytesOf = (s: string): Uint8Array => encoder.encode(s);
