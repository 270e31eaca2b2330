#!/usr/bin/env bash
# Regenerates the G.711 golden vectors in test/fixtures/g711/ with sox, an independent
# implementation, so our tables are checked against a tool we did not write. Run once; the
# outputs are committed and the tests only read them.
#
#   pcm16-all.raw     all 65,536 int16 values, little-endian, in order -32768, -32767, ..., 32767
#   codes-all.raw     all 256 code words, in order 0x00, 0x01, ..., 0xff
#   mulaw-encoded.raw sox µ-law encode of pcm16-all.raw   (65,536 bytes, same order)
#   alaw-encoded.raw  sox A-law encode of pcm16-all.raw   (65,536 bytes, same order)
#   mulaw-decoded.raw sox µ-law decode of codes-all.raw   (256 int16 LE, same order)
#   alaw-decoded.raw  sox A-law decode of codes-all.raw   (256 int16 LE, same order)
#
# -D turns off sox's dither, which would otherwise add noise on the 16-bit to 8-bit path and
# make the output depend on a random seed.
set -euo pipefail
cd "$(dirname "$0")/../test/fixtures/g711"

node -e '
const fs = require("node:fs");
const pcm = new Int16Array(65536);
for (let i = 0; i < 65536; i++) pcm[i] = i - 32768;
fs.writeFileSync("pcm16-all.raw", Buffer.from(pcm.buffer));
const codes = new Uint8Array(256);
for (let i = 0; i < 256; i++) codes[i] = i;
fs.writeFileSync("codes-all.raw", codes);
'

PCM_IN=(-t raw -e signed-integer -b 16 -L -r 8000 -c 1)
sox -D "${PCM_IN[@]}" pcm16-all.raw -t raw -e mu-law -b 8 -r 8000 -c 1 mulaw-encoded.raw
sox -D "${PCM_IN[@]}" pcm16-all.raw -t raw -e a-law -b 8 -r 8000 -c 1 alaw-encoded.raw
sox -D -t raw -e mu-law -b 8 -r 8000 -c 1 codes-all.raw -t raw -e signed-integer -b 16 -L -r 8000 -c 1 mulaw-decoded.raw
sox -D -t raw -e a-law -b 8 -r 8000 -c 1 codes-all.raw -t raw -e signed-integer -b 16 -L -r 8000 -c 1 alaw-decoded.raw

sox --version
ls -l
