#!/usr/bin/env bash
# The main job: a simulated board on a PTY, and a 5-second recording from it through the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

node dist/cli.js sim > /tmp/k230live-demo.port &
sim=$!
trap 'kill $sim 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s /tmp/k230live-demo.port ] && break; sleep 0.1; done
port=$(head -n1 /tmp/k230live-demo.port)
mkdir -p recordings
node dist/cli.js record --port "$port" --seconds 5 --out recordings/demo.mp4
ffprobe -v error -show_entries stream=codec_name,width,height,nb_frames -of compact recordings/demo.mp4
