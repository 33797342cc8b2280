#!/usr/bin/env bash
# README command 1: build (if needed) and run shopd on its embedded default: var/shop.db (created
# with demo data on first start) on http://127.0.0.1:8000. Extra arguments go to shopd.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh release shopd shopctl
mkdir -p var
exec build/release/server/shopd --db var/shop.db --host 127.0.0.1 --port 8000 --demo-data "$@"
