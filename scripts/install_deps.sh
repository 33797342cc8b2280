#!/usr/bin/env bash
# Installs the Debian packages shopd needs to build, test and benchmark. Idempotent: installs only
# what is missing, and does nothing (no apt-get at all) when everything is present.
set -euo pipefail
PACKAGES=(g++ cmake make pkg-config libsqlitecpp-dev libsqlite3-dev libconcurrentqueue-dev
  libcpp-httplib-dev nlohmann-json3-dev doctest-dev libcli11-dev libssl-dev)
if [ "${1:-}" = "--bench" ]; then PACKAGES+=(wrk python3-locust); fi
missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install_deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when they are missing or a first install attempt fails.
if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
