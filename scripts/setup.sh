#!/usr/bin/env bash
# Installs what K230 Live needs on a fresh Debian/Ubuntu machine, then builds everything.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/clean-env.sh

# build-essential + pkg-config: the agent; libx264/libx265: the simulator's encoders; libnuma-dev: the static
# libnuma that x265 needs in the packaged simulator (`make -C device-agent dist`, docs/packaging.md);
# ffmpeg: the tests' independent check of every MP4 we write; python3: the tests' foreign-port helper;
# chromium: the browser the player is tested in (driven by playwright-core, which downloads nothing).
# gcc-riscv64-linux-gnu: `make -C device-agent cross-check`, the agent's core built for the K230's CPU;
# valgrind: the benchmark's instruction count of the agent's live path;
# clang + libclang-rt-14-dev: libFuzzer and the ASan/UBSan runtime for the agent's fuzz and sanitizer runs;
# gstreamer1.0-tools/-plugins-good/-libav and python3-opencv: real clients of the stream server (RTSP, HTTP);
# gstreamer1.0-plugins-bad (h264parse), vlc-bin + vlc-plugin-base (cvlc): the README's client recipes;
# strace: the two-window test's count of every open of the port by the window that must leave it alone;
# fonts-dejavu-core: the simulated stock board's image module draws text in DejaVu Sans.
APT_PACKAGES=(build-essential pkg-config libx264-dev libx265-dev libnuma-dev ffmpeg python3 chromium gcc-riscv64-linux-gnu valgrind
  clang libclang-rt-14-dev gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-libav python3-opencv strace
  gstreamer1.0-plugins-bad vlc-bin vlc-plugin-base fonts-dejavu-core)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run -s build
npm run -s package
