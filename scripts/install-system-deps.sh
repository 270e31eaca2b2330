#!/usr/bin/env bash
# Installs the Debian packages voxbridge and its tests use, only those that are missing, without
# prompts. Needs root (or sudo) when something is missing; prints what it installs.
# `--runtime`: only what the gateway itself needs (used by `npm start`), not the test peers.
set -euo pipefail

# command-or-file-to-check:debian-package
needs=(
  # better-sqlite3 builds its native addon from source when no prebuilt binary can be fetched.
  "g++:g++"
  "make:make"
  "python3:python3"
  "sox:sox"
  "soxi:sox"
  "bzip2:bzip2"
  "flite:flite"
  "espeak-ng:espeak-ng"
  "pocketsphinx_continuous:pocketsphinx"
  "/usr/share/pocketsphinx/model/en-us/en-us:pocketsphinx-en-us"
  "/usr/include/pocketsphinx/pocketsphinx.h:libpocketsphinx-dev"
  "/usr/share/pocketsphinx/test/data:pocketsphinx-testdata"
  # ---- test-only from here on ----
  "--test-only--:"
  # Real SIP peers for the ingress tests: SIPp, baresip, a real-time RTP sender, and tshark.
  "sipp:sip-tester"
  "baresip:baresip-core"
  "gst-launch-1.0:gstreamer1.0-tools"
  "/usr/lib/x86_64-linux-gnu/gstreamer-1.0/libgstrtp.so:gstreamer1.0-plugins-good"
  "tshark:tshark"
  # Headless browser for the dashboard's end-to-end test (driven by playwright-core).
  "chromium:chromium"
)

runtime_only=false
[ "${1-}" = "--runtime" ] && runtime_only=true

missing=()
for pair in "${needs[@]}"; do
  cmd=${pair%%:*}
  if [ "$cmd" = "--test-only--" ]; then
    if $runtime_only; then break; else continue; fi
  fi
  pkg=${pair#*:}
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -e "$cmd" ]; then
    case " ${missing[*]-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "error: missing Debian packages (${missing[*]}) and not root; install them with apt-get" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo 'wireshark-common wireshark-common/install-setuid boolean false' | $sudo debconf-set-selections
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
