import { VoxError } from '../../core/index.js';

/** No block of contiguous free RTP/RTCP port pairs is left in the pool's range. */
export class RtpPortsExhaustedError extends VoxError {
  constructor(message: string) {
    super('RTP_PORTS_EXHAUSTED', message);
    this.name = 'RtpPortsExhaustedError';
  }
}

/** `RtpPacer.play` was called while another play was still running. */
export class RtpPacerBusyError extends VoxError {
  constructor() {
    super('RTP_PACER_BUSY', 'the pacer is already playing; stop it or wait for the play to finish');
    this.name = 'RtpPacerBusyError';
  }
}
