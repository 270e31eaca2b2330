export { RtpPortPool } from './rtp-port-pool.js';
export type { RtpPortPoolOptions } from './rtp-port-pool.js';
export { RtpEndpoint } from './rtp-endpoint.js';
export type { RtpEndpointOptions, RtpRemote } from './rtp-endpoint.js';
export type { RtpEndpointStats, RtpLatching } from './rtp-receiver.js';
export { RTP_LATCHING_MODES } from './rtp-receiver.js';
export { RtpPacer } from './rtp-pacer.js';
export type { RtpPacerOptions, RtpPacerPlayOptions, RtpPacerStats } from './rtp-pacer.js';
export { RtpPortsExhaustedError, RtpPacerBusyError } from './rtp-net-errors.js';
