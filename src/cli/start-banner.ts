import type { Service } from '../app/index.js';
import type { Config } from '../config/index.js';

/** CIDRs that let every IPv4 or IPv6 address send SIP. */
const EVERYONE = new Set(['0.0.0.0/0', '::/0']);

/** `127.0.0.1:5060`, `[::1]:5060`. */
function hostPort(bound: { readonly address: string; readonly port: number }): string {
  return bound.address.includes(':') ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`;
}

/**
 * What `voxbridge start` tells the operator once it listens. Every address is the one the socket
 * reports, never the configured one: a banner that says 127.0.0.1 while the socket is bound to
 * 0.0.0.0 hides an exposed service. The API key is shown only on the start that generated it;
 * later starts say where it is kept, so it does not end up in every log collector.
 */
export function startBanner(
  service: Pick<Service, 'listening' | 'apiKeys' | 'apiKeyGenerated'>,
  config: Pick<Config, 'dataDir' | 'sip' | 'auth'>,
): string[] {
  const { udp, tcp } = service.listening.sip;
  const sip = [
    ...(udp === undefined ? [] : [`udp ${hostPort(udp)}`]),
    ...(tcp === undefined ? [] : [`tcp ${hostPort(tcp)}`]),
  ];
  const lines = [
    `SIP on ${sip.length === 0 ? 'no socket' : sip.join(' and ')}`,
    `dashboard and API on ${service.listening.http.url}, data in ${config.dataDir}`,
  ];
  if (config.sip.allowCidrs.some((cidr) => EVERYONE.has(cidr))) {
    lines.push(
      `warning: SIP accepts requests from any address (sip.allowCidrs ${config.sip.allowCidrs.join(',')}); ` +
        'set --sip-allow-cidrs to the networks of your SBC or PBX',
    );
  }
  if (config.auth.apiKeys.length === 0 && !config.auth.allowNoAuth) {
    lines.push(
      service.apiKeyGenerated
        ? `API key (generated now, kept in ${config.dataDir}/api-key; shown only this once): ${service.apiKeys[0]}`
        : `API key in ${config.dataDir}/api-key`,
    );
  }
  return lines.map((line) => `voxbridge: ${line}\n`);
}
