// Writes an RTP pcap for SIPp's play_pcap_audio from WAV files, one stream per WAV.
// Usage: node --import tsx scripts/make-rtp-pcap.ts out.pcap [--alaw] a.wav [b.wav ...]
// Stream n is sent to base port + 2n (see test/fixtures/sipp/README.md).
import { wavToG711, writeRtpPcap } from '../test/support/sipp/index.js';

const args = process.argv.slice(2);
const alaw = args.includes('--alaw');
const [out, ...wavs] = args.filter((a) => a !== '--alaw');
if (out === undefined || wavs.length === 0) {
  process.stderr.write('usage: make-rtp-pcap.ts out.pcap [--alaw] a.wav [b.wav ...]\n');
  process.exit(2);
}
const summary = writeRtpPcap(out, {
  streams: wavs.map((wav, i) => ({
    payload: wavToG711(wav, alaw ? 'alaw' : 'mulaw'),
    payloadType: alaw ? 8 : 0,
    dstPortOffset: 2 * i,
  })),
  ptimeMs: 20,
});
process.stdout.write(`${out}: ${summary.packets.join('+')} packets, ${summary.durationMs} ms\n`);
