#!/usr/bin/env bash
# Regenerates the WAV fixtures in test/fixtures/wav/ with sox (see the README there). Run once;
# the files are committed and the tests assert their fields. -D turns off dither so the sample
# values are reproducible.
set -euo pipefail
cd "$(dirname "$0")/../test/fixtures/wav"

sine=(sine 440 vol 0.5)
sox -D -n -r 8000 -c 1 -b 16 -e signed-integer pcm16-mono.wav synth 0.01 "${sine[@]}"
sox -D -n -r 16000 -c 2 -b 16 -e signed-integer pcm16-stereo.wav synth 0.005 sine 440 sine 1000 vol 0.5
sox -D -n -r 8000 -c 3 -b 16 -e signed-integer pcm16-3ch.wav synth 0.005 sine 440 sine 1000 sine 2000 vol 0.5
sox -D -n -r 8000 -c 1 -b 8 -e unsigned-integer u8-mono.wav synth 0.005 "${sine[@]}"
sox -D -n -r 8000 -c 1 -b 8 -e unsigned-integer u8-odd.wav synth 0.005125 "${sine[@]}"
sox -D -n -r 8000 -c 1 -b 24 -e signed-integer pcm24-mono.wav synth 0.005 "${sine[@]}"
sox -D -n -r 8000 -c 1 -b 24 -e signed-integer -t wavpcm pcm24-mono-wavpcm.wav synth 0.005 "${sine[@]}"
sox -D -n -r 8000 -c 1 -b 32 -e signed-integer pcm32-mono.wav synth 0.005 "${sine[@]}"
sox -D -n -r 8000 -c 1 -b 32 -e floating-point float32-mono.wav synth 0.005 "${sine[@]}"
sox -D -n -r 8000 -c 1 -b 64 -e floating-point float64-mono.wav synth 0.005 "${sine[@]}"
sox -D -n -r 8000 -c 1 -e a-law alaw-mono.wav synth 0.01 "${sine[@]}"
sox -D -n -r 8000 -c 1 -e mu-law mulaw-mono.wav synth 0.01 "${sine[@]}"
sox -D -n -r 8000 -c 2 -e mu-law mulaw-stereo.wav synth 0.005 sine 440 sine 1000 vol 0.5

# sox 14.4.2 writes no LIST chunk for WAV, so this one is pcm16-mono.wav with a LIST/INFO chunk
# of odd size (plus its RIFF pad byte) and a JUNK chunk inserted between fmt and data.
node -e '
const fs = require("node:fs");
const src = fs.readFileSync("pcm16-mono.wav");
const chunk = (id, body) => {
  const head = Buffer.alloc(8);
  head.write(id, 0, "latin1");
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, Buffer.alloc(body.length & 1)]);
};
const icmt = chunk("ICMT", Buffer.from("voxbridge\0", "latin1"));
const list = chunk("LIST", Buffer.concat([Buffer.from("INFO"), icmt, Buffer.from("x")]));
const junk = chunk("JUNK", Buffer.alloc(4));
const out = Buffer.concat([src.subarray(0, 36), list, junk, src.subarray(36)]);
out.writeUInt32LE(out.length - 8, 4);
fs.writeFileSync("pcm16-list.wav", out);
'

# sox's own conversion of the wider formats to 16-bit PCM: parseWav must produce the same samples.
for f in u8-mono pcm24-mono pcm32-mono float32-mono float64-mono; do
  sox -D "$f.wav" -t raw -e signed-integer -b 16 -L "$f.s16.raw"
done

# sox's reading of each file, for the README.
for f in *.wav; do printf '%-24s %s\n' "$f" "$(soxi "$f" | grep -E "Channels|Sample Rate|Precision|Encoding|Duration" | tr -s ' ' | tr '\n' ';')"; done
