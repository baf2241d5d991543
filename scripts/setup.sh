#!/usr/bin/env bash
# Sets up everything the project needs on a fresh Debian/Ubuntu machine, idempotently:
# system packages (as root; otherwise prints the exact sudo command), npm packages, the build.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

# --- Node.js -------------------------------------------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  log "Node.js 20.9+ with npm is required: install it (Debian: apt-get install nodejs npm) and run this again."
  exit 1
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=9)?0:1)' || {
  log "Node.js $(node --version) is too old: 20.9 or newer is required."
  exit 1
}

# --- system packages ----------------------------------------------------------------------
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' scripts/apt-packages.txt | grep -v '^$')
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null 2>&1; then
    log "missing system packages (${missing[*]}) and no apt-get: install them with your package manager."
    exit 1
  fi
  if [[ $(id -u) -ne 0 ]]; then
    log "missing system packages; run this, then run the command again:"
    echo "sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
    exit 1
  fi
  log "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --- npm packages: npm ci when the lock file changed since the last install ----------------------
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.azaion-lock-hash
if [[ ! -f $stamp || $(cat "$stamp") != "$lock_hash" ]]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
  echo "$lock_hash" >"$stamp"
fi

# --- the libtorch addon: rebuilt when its sources or the libtorch found change -----------------
addon=native/torch/build/Release/azaion_torch.node
# One clear message (what to install) when no libtorch is found, before node-gyp's noise.
node native/torch/find-libtorch.mjs json >/dev/null || exit 1
addon_hash=$( (cat native/torch/binding.gyp native/torch/src/* && node native/torch/find-libtorch.mjs json) | sha256sum | cut -d' ' -f1)
addon_stamp=native/torch/build/.azaion-src-hash
if [[ ! -f $addon || ! -f $addon_stamp || $(cat "$addon_stamp") != "$addon_hash" ]]; then
  log "building the libtorch addon (native/torch, about 2 minutes)"
  (cd native/torch && node ../../node_modules/node-gyp/bin/node-gyp.js rebuild --nodedir=/usr -j "$(nproc)" >build.log 2>&1) || {
    tail -40 native/torch/build.log >&2
    log "the libtorch addon failed to build; the full log is native/torch/build.log"
    exit 1
  }
  echo "$addon_hash" >"$addon_stamp"
fi

# --- build ---------------------------------------------------------------------------------
log "building"
npm run --silent build
log "ready"
