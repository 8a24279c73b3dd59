#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs every test: type-check, unit and integration tests
# against real nix/cpio/zstd, then the editor suite in a real VS Code (code-server + Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
mark=$start
phase() { local now; now=$(date +%s); echo "test-all: $1 $(( now - mark )) s"; mark=$now; }
bash scripts/setup-system.sh chromium
phase "system packages"
[ -d node_modules ] || npm ci --no-audit --no-fund
phase "npm packages"
npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
npm run --silent deadcode
npm run --silent build
phase "type-check, lint, format check, dead exports and build"
status=0
node scripts/run-tests.mjs || status=1
phase "unit and integration tests"
node test/e2e/run.mjs all || status=1
phase "editor tests (with Node 24 + code-server set-up)"
echo "test-all: $(( $(date +%s) - start )) s"
exit $status
