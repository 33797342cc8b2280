#!/usr/bin/env bash
# build.sh [release|asan|tsan] [targets...] — configures and builds into build/<kind>.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-release}"; shift || true
case "$kind" in
  release) flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  # Sanitizer builds carry line tables only (-g1: reports keep file:line) and TSan runs at -O1
  # (its documented level): both compile much faster than full debug info at -O2.
  asan) flags=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-g1" -DSHOP_SANITIZE=address
               -DSHOP_BUILD_BENCH=OFF) ;;
  tsan) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
               -DSHOP_SANITIZE=thread -DSHOP_BUILD_BENCH=OFF) ;;
  *) echo "usage: build.sh [release|asan|tsan] [targets...]" >&2; exit 2 ;;
esac
bash scripts/install_deps.sh
dir="build/$kind"
if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S . -B "$dir" "${flags[@]}" >/dev/null
fi
jobs="${SHOP_BUILD_JOBS:-$(nproc)}"
if [ $# -gt 0 ]; then
  for t in "$@"; do cmake --build "$dir" -j"$jobs" --target "$t"; done
else
  cmake --build "$dir" -j"$jobs"
fi
