export { writeRtpPcap, wavToG711, DTMF_PAYLOAD_TYPE, PCAP_BASE_PORT } from './rtp-pcap.js';
export type { PcapDtmfEvent, PcapRtpStream, RtpPcapOptions, RtpPcapSummary } from './rtp-pcap.js';
export { runSipp, parseSippStats } from './run-sipp.js';
export type { RunSippOptions, SippResult, SippStats } from './run-sipp.js';
export { freeUdpPort, freeUdpPortRange } from './free-port.js';
export { sendSipDatagrams, sipOptionsRequest } from './send-sip-datagrams.js';
export type { SentDatagram } from './send-sip-datagrams.js';
export { sippScenario } from './scenarios.js';
export { spawnSippCall } from './spawn-sipp-call.js';
