import type { SdpAttribute, SdpBandwidth, SdpConnection, SdpMedia, SdpSession } from './sdp-session.js';

/** `address[/ttl[/count]]` as RFC 4566 §5.7 writes a connection address. */
export function formatConnectionAddress(c: SdpConnection): string {
  let text = `${c.netType} ${c.addrType} ${c.address}`;
  if (c.ttl !== null) text += `/${c.ttl}`;
  if (c.addressCount !== null) text += `/${c.addressCount}`;
  return text;
}

/** The text after `a=` for one attribute. */
export function formatSdpAttribute(a: SdpAttribute): string {
  switch (a.kind) {
    case 'rtpmap': {
      const params = a.encodingParameters === null ? '' : `/${a.encodingParameters}`;
      return `rtpmap:${a.payloadType} ${a.encodingName}/${a.clockRateHz}${params}`;
    }
    case 'fmtp':
      return a.parameters === '' ? `fmtp:${a.format}` : `fmtp:${a.format} ${a.parameters}`;
    case 'ptime':
      return `ptime:${a.ptimeMs}`;
    case 'maxptime':
      return `maxptime:${a.maxptimeMs}`;
    case 'direction':
      return a.direction;
    case 'rtcp':
      return a.connection === null
        ? `rtcp:${a.port}`
        : `rtcp:${a.port} ${formatConnectionAddress(a.connection)}`;
    case 'label':
      return `label:${a.label}`;
    case 'mid':
      return `mid:${a.mid}`;
    case 'other':
      return a.value === null ? a.name : `${a.name}:${a.value}`;
  }
}

function pushCommon(
  out: string[],
  section: {
    readonly bandwidths: readonly SdpBandwidth[];
    readonly key: string | null;
    readonly attributes: readonly SdpAttribute[];
  },
  beforeKey: (out: string[]) => void,
): void {
  for (const b of section.bandwidths) out.push(`b=${b.type}:${b.value}`);
  beforeKey(out);
  if (section.key !== null) out.push(`k=${section.key}`);
  for (const a of section.attributes) out.push(`a=${formatSdpAttribute(a)}`);
}

function pushMedia(out: string[], m: SdpMedia): void {
  const port = m.portCount === null ? `${m.port}` : `${m.port}/${m.portCount}`;
  out.push(`m=${m.media} ${port} ${m.proto} ${m.formats.join(' ')}`);
  if (m.information !== null) out.push(`i=${m.information}`);
  if (m.connection !== null) out.push(`c=${formatConnectionAddress(m.connection)}`);
  pushCommon(out, m, () => undefined);
}

/**
 * Writes a session description in RFC 4566 §5 order with CRLF line ends. For a description in
 * that canonical form, `serializeSdp(parseSdp(text)) === text`.
 */
export function serializeSdp(session: SdpSession): string {
  const o = session.origin;
  const out: string[] = [
    'v=0',
    `o=${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} ${o.addrType} ${o.address}`,
    // RFC 4566 §5.3: a session without a meaningful name is written "s= ".
    `s=${session.sessionName === '' ? ' ' : session.sessionName}`,
  ];
  if (session.information !== null) out.push(`i=${session.information}`);
  if (session.uri !== null) out.push(`u=${session.uri}`);
  for (const e of session.emails) out.push(`e=${e}`);
  for (const p of session.phones) out.push(`p=${p}`);
  if (session.connection !== null) out.push(`c=${formatConnectionAddress(session.connection)}`);
  pushCommon(out, session, (lines) => {
    for (const t of session.timings) {
      lines.push(`t=${t.startTime} ${t.stopTime}`);
      for (const r of t.repeats) lines.push(`r=${r}`);
    }
    if (session.timeZones !== null) lines.push(`z=${session.timeZones}`);
  });
  for (const m of session.media) pushMedia(out, m);
  return out.join('\r\n') + '\r\n';
}
