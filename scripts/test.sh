#!/usr/bin/env bash
# README command 2: builds and runs every test — release build, then ASan+UBSan, then TSan on the
# concurrency suites (queue, workers, store, ledger races). Ends with ctest's summary lines.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
export SHOP_BUILD_JOBS="${SHOP_BUILD_JOBS:-$(nproc)}"

echo "== release build + tests"
bash scripts/build.sh release
(cd build/release && ctest --output-on-failure -j2 --timeout 600)

echo "== ASan + UBSan build + tests"
bash scripts/build.sh asan shopd shopctl shop_tests
(cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j2 --timeout 900)

echo "== TSan build + concurrency tests"
bash scripts/build.sh tsan shopd shop_tests
(cd build/tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  ./tests/shop_tests --test-suite='*concurrency*,store' )

echo "== all test stages passed in $(( $(date +%s) - start )) s"
