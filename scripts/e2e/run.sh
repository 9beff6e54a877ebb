#!/usr/bin/env bash
# The end-to-end tests of the extension in a real VS Code (code-server + headless Chromium):
# builds the production bundles, packages the .vsix, bundles the extension-host suites, then runs
# test/e2e/run.ts (installs the .vsix, runs the extension-host suites in a trusted and an untrusted
# workspace, then the UI scenarios). Ends with `N passed, N failed`; exits non-zero on any failure.
# Usage: scripts/e2e/run.sh [--only ext|ui]     Env: STEPCRITIC_E2E_CACHE, STEPCRITIC_E2E_KEEP=1
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO="$PWD"

log() { printf '[e2e] %s\n' "$*"; }

CACHE="$(bash scripts/e2e/setup.sh | tail -n 1)"
# shellcheck source=/dev/null
source "$CACHE/env.sh"

OUT="$REPO/test-results/e2e"
BUILD="$(mktemp -d "${TMPDIR:-/tmp}/stepcritic-e2e-build.XXXXXX")"
PIDFILE="$BUILD/pids"
export STEPCRITIC_E2E_PIDFILE="$PIDFILE"
: > "$PIDFILE"

cleanup() {
  # run.ts stops what it started; this catches anything left if it was killed itself.
  while read -r pid; do
    [ -n "$pid" ] && kill -KILL -- "-$pid" 2>/dev/null || true
  done < "$PIDFILE"
  rm -rf "$BUILD"
}
trap cleanup EXIT

log "production build"
node scripts/build.mjs --production

VSIX="$BUILD/stepcritic.vsix"
log "packaging"
npx --no-install vsce package --no-dependencies --skip-license --allow-missing-repository --no-rewrite-relative-links --out "$VSIX" </dev/null >"$BUILD/vsce.log" 2>&1 || { cat "$BUILD/vsce.log"; echo "0 passed, 1 failed"; exit 1; }
SIZE=$(stat -c %s "$VSIX")
log "packaged $(basename "$VSIX"): $SIZE bytes ($(awk "BEGIN { printf \"%.2f\", $SIZE / 1048576 }") MiB), $(python3 -c "import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))" "$VSIX") entries"

log "bundling the extension-host suites"
node -e "
require('esbuild').build({
  entryPoints: { trusted: 'test/e2e/suite/trusted.ts', untrusted: 'test/e2e/suite/untrusted.ts' },
  outdir: process.argv[1], bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  external: ['vscode'], sourcemap: 'inline', logLevel: 'warning',
}).catch(() => process.exit(1));
" "$BUILD/suites"

mkdir -p "$OUT"
node --import tsx test/e2e/run.ts --vsix "$VSIX" --suites "$BUILD/suites" --out "$OUT" "$@"
