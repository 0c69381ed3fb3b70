#!/usr/bin/env bash
# Every test, from a fresh clone: installs what is missing, builds, then runs the C tests, the
# TypeScript unit tests and the end-to-end tests against the simulated board on a PTY.
# Each TypeScript test file runs in a process group of its own with a time limit
# (test/support/run-files.ts): whatever it starts is killed when it ends, however it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

echo "== agent: C unit tests and golden vectors"
timeout -k 10 300 make -s -C device-agent test
echo "== agent: the core cross-compiled for riscv64, the K230's CPU"
make -s -C device-agent cross-check
echo "== agent: C tests under ASan+UBSan, then each libFuzzer target for 20 s"
timeout -k 10 600 make -s -C device-agent test-sanitizers
timeout -k 10 300 make -s -C device-agent fuzz FUZZ_ARGS=-seed=1 # the same inputs every run: CI repeatable
echo "== TypeScript: unit tests and golden vectors"
npm run -s test:unit
echo "== end to end: agent on a PTY, host over serialport, files checked by ffprobe"
npm run -s test:integration
echo "== browser: the player in headless Chromium, fed live by the simulated board"
npm run -s test:browser
echo "== VS Code: the packaged extension in code-server, driven by Playwright"
node --import tsx test/support/run-files.ts --limit 900 test/vscode/*.test.ts
echo "== bench: BENCH_QUICK=1 npm run bench runs to its end and writes every figure (no timing asserted)"
node --import tsx test/support/run-files.ts --limit 1500 test/bench/*.test.ts
echo "== all tests passed"
