#!/usr/bin/env bash
# The README's first command: sets up a fresh Debian machine and runs the extension in a real
# VS Code (code-server) on the demo workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
exec node scripts/demo.mjs
