export { SipIngress } from './sip-ingress.js';
export type { SipIngressOptions } from './sip-ingress.js';
