#!/usr/bin/env bash
# Installs the Debian packages cedar-store drives, when any is missing:
#   xorriso      ISO build, burn, blank, status (xorriso and virtual backends)
#   fuseiso      read-only mount for verify where the kernel has no iso9660 module
#   genisoimage  mkisofs for the cdrecord backend's image and estimates
#   wodim        cdrecord, the CD burner
#   growisofs    the DVD burner (package growisofs)
#   eject        media refresh after write and blank
#   openssl      self-signed certificates for the tests of TLS between controller and agent
#   prometheus   promtool, with which the tests check /metrics and deploy/prometheus/alerts.yml
#   zsh fish     the shells the tests load `cedar-store completion zsh|fish` into (bash is there)
#   man-db       man (and groff), which renders the man pages set-up installs, in the tests too
#   chromium     the browser the dashboard's tests drive with playwright-core (no browser download)
# and, when the commands are missing, the compiler better-sqlite3 is built with on install
# (no prebuilt binary can be downloaded where only npm and Debian are reachable):
#   make g++ python3
# Plain bash on purpose: it runs before node_modules exists.
set -euo pipefail

packages=(xorriso fuseiso genisoimage wodim growisofs eject openssl prometheus zsh fish man-db chromium)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
for command in make g++ python3; do
  if ! command -v "$command" >/dev/null 2>&1; then
    missing+=("$command")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present (${packages[*]})"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1; then
  run=(sudo)
else
  echo "system packages missing: ${missing[*]}" >&2
  echo "install them as root: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: installed ${missing[*]}"
