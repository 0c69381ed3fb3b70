#!/usr/bin/env bash
# Every test, from a fresh clone: installs what is missing, builds, then runs the C tests, the
# TypeScript unit tests and the end-to-end tests against the simulated board on a PTY.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

echo "== agent: C unit tests and golden vectors"
make -s -C device-agent test
echo "== agent: the core cross-compiled for riscv64, the K230's CPU"
make -s -C device-agent cross-check
echo "== agent: C tests under ASan+UBSan, then each libFuzzer target for 20 s"
make -s -C device-agent test-sanitizers
make -s -C device-agent fuzz FUZZ_ARGS=-seed=1 # the same inputs every run: CI repeatable
echo "== TypeScript: unit tests and golden vectors"
npm run -s test:unit
echo "== end to end: agent on a PTY, host over serialport, files checked by ffprobe"
npm run -s test:integration
echo "== browser: the player in headless Chromium, fed live by the simulated board"
npm run -s test:browser
echo "== VS Code: the packaged extension in code-server, driven by Playwright"
node --import tsx --test --test-concurrency=1 test/vscode/*.test.ts
echo "== all tests passed"
