export { SipIngress } from './sip-ingress.js';
export type { Admission, AdmissionRequest, SipIngressOptions } from './sip-ingress.js';
