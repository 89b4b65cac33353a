#!/usr/bin/env bash
# npm run setup: everything a fresh Debian machine with Node.js 20 needs to build and test
# cedar-store. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

required="20.19.0"
current="$(node --version 2>/dev/null | sed 's/^v//')" || current=""
if [ -z "$current" ]; then
  echo "Node.js is not installed: install Node.js ${required} or newer, then run npm run setup again." >&2
  exit 1
fi
if [ "$(printf '%s\n%s\n' "$required" "$current" | sort -V | head -n1)" != "$required" ]; then
  echo "Node.js ${current} is too old: cedar-store needs ${required} or newer." >&2
  exit 1
fi

bash scripts/install-system-packages.sh
npm ci --no-audit --no-fund
npm run build
# npm ci links the packages' bins only when their files exist, and dist/ exists only now:
# link cedar-store and cedar-store-agent into node_modules/.bin so `npx cedar-store` works.
npm rebuild --ignore-scripts --no-audit --no-fund >/dev/null
# man cedar-store and man cedar-store-agent: for every user (/usr/local/share/man) when run
# as root, else for this user (~/.local/share/man, which man finds when ~/.local/bin is on PATH).
node scripts/man-pages.mjs --install
echo "setup done: try 'npm run demo', then 'npm test' to check everything works."
