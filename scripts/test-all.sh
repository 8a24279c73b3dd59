#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs every test: type-check, unit and integration tests
# against real nix/cpio/zstd, then the editor suite in a real VS Code (code-server + Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/setup-system.sh chromium
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent typecheck
npm run --silent build
status=0
node scripts/run-tests.mjs || status=1
node test/e2e/run.mjs all || status=1
echo "test-all: $(( $(date +%s) - start )) s"
exit $status
