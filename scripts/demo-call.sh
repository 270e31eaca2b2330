#!/usr/bin/env bash
# Places one test call to a running gateway with SIPp: the sentence given is spoken by espeak-ng,
# sent as 8 kHz µ-law RTP, and shows up live in the dashboard and on /v1/events.
#   bash scripts/demo-call.sh [sentence] [host:port]     (default 127.0.0.1:5060)
set -euo pipefail
cd "$(dirname "$0")/.."
text=${1:-"Hello, I am calling about my order. It has not arrived yet."}
target=${2:-127.0.0.1:5060}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
espeak-ng -v en-us -s 150 -w "$work/speech.wav" "$text"
node --import tsx scripts/make-rtp-pcap.ts "$work/speech.pcap" "$work/speech.wav" >/dev/null
seconds=$(soxi -D "$work/speech.wav")
hold_ms=$(awk -v s="$seconds" 'BEGIN { printf "%d", s * 1000 + 2000 }')
sipp -sf test/fixtures/sipp/uac-pcmu.xml -key codec PCMU -key pt 0 -key pcap "$work/speech.pcap" \
  -set hold_ms "$hold_ms" -i 127.0.0.1 -m 1 -nostdin "$target"
