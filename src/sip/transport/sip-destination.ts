/** Where a message goes: a UDP address, or a TCP connection that the transport holds open. */
export type SipDestination =
  | { readonly transport: 'udp'; readonly address: string; readonly port: number }
  | { readonly transport: 'tcp'; readonly connectionId: string }
  /**
   * RFC 3261 §18.2.2: a TCP connection to open because the request's one is closed. The
   * transport does not open outbound connections yet, so `send` refuses this destination.
   */
  | { readonly transport: 'tcp'; readonly address: string; readonly port: number };

/** Where a message came from. */
export interface SipSource {
  readonly transport: 'udp' | 'tcp';
  readonly address: string;
  readonly port: number;
}
