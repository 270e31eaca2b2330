export { parseMessage } from './parse-message.js';
export { serializeMessage } from './serialize-message.js';
export type { SipMessage, SipRequest, SipResponse, SipHeader } from './sip-message.js';
export { SIP_MAX_MESSAGE_BYTES, SIP_MAX_HEADER_LINES, SIP_MAX_HEADER_LINE_BYTES } from './sip-message.js';
export {
  getHeader,
  getHeaders,
  getCallId,
  getCseq,
  getFrom,
  getTo,
  getVias,
  getContacts,
  getRoutes,
  getContentLength,
  getContentType,
  getMaxForwards,
  getExpires,
  splitList,
} from './sip-headers.js';
export type { SipCseq, SipContentType, SipContact } from './sip-headers.js';
export type { SipVia } from './via-header.js';
export type { NameAddr } from './name-addr.js';
export { serializeNameAddr } from './name-addr.js';
export { parseUri, parseSipUri, serializeUri, isSipUri } from './sip-uri.js';
export type { SipUri, AbsoluteUri } from './sip-uri.js';
export type { SipParam } from './sip-syntax.js';
export { paramValue } from './sip-syntax.js';
export { headerKey } from './header-names.js';
export { createResponse } from './create-response.js';
export type { CreateResponseExtra } from './create-response.js';
export { badRequestFor } from './bad-request-for.js';
export type { BadRequestOptions } from './bad-request-for.js';
export { quotedText, warningHeader } from './warning-header.js';
export { requestProblem } from './request-problem.js';
export type { RequestProblem } from './request-problem.js';
export { reasonPhrase } from './reason-phrases.js';
