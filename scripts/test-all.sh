#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs every test: type-check, unit and integration tests
# against real nix/cpio/zstd, then the editor suite in a real VS Code (code-server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build
npm test
