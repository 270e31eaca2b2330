import type { Admission, AdmissionRequest } from '../ingress/sip/index.js';
import type { RecognizerAdmission } from '../session/index.js';
import { SipRejection } from '../sip/dialog/index.js';

/** Seconds a refused caller is asked to wait before trying again (RFC 3261 §20.33). */
const RETRY_AFTER_S = '10';

/**
 * The ingress admission hook over a RecognizerAdmission: a call asks for one recognition stream
 * per audio stream, all or nothing. Sustained overload is refused up front rather than absorbed
 * by backlogs that would end in dropped audio: a plain call gets 503 + Retry-After, so the SBC
 * can route it elsewhere; a SIPREC session is still answered and recorded (losing the recording
 * is worse than losing its live transcript), and its call.started says `transcription: 'refused'`.
 */
export function admitByRecognizers(admission: RecognizerAdmission): (request: AdmissionRequest) => Admission {
  return (request) => {
    const lease = admission.tryAcquire(request.audioStreams);
    if (lease !== undefined) return { transcribe: true, release: () => lease.release() };
    if (request.siprec) return { transcribe: false };
    throw new SipRejection(503, 'Service Unavailable', [
      { name: 'Retry-After', value: RETRY_AFTER_S },
      { name: 'Warning', value: '399 voxbridge "all recognizers are busy"' },
    ]);
  };
}
