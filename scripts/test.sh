#!/usr/bin/env bash
# README command 2: builds and runs every test — release build, then ASan+UBSan, then TSan on the
# concurrency suites (queue, workers, store, ledger races, HTTP front end, login limiter). Ends with one "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
export SHOP_BUILD_JOBS="${SHOP_BUILD_JOBS:-$(nproc)}"
logs=$(mktemp -d)
passed=0
failed=0

# Runs ctest in a build dir, tees its output, and adds its counts to the totals.
run_ctest() {
  local dir="$1"; shift
  local log="$logs/$(basename "$dir").log"
  set +e
  (cd "$dir" && env "$@" ctest --output-on-failure -j2 --timeout 900) 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  local line total bad
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1 || true)
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  bad=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$line")
  if [ -z "$line" ]; then total=0; bad=1; fi
  passed=$((passed + total - bad))
  failed=$((failed + bad))
  return $rc
}

status=0
echo "== release build + tests"
bash scripts/build.sh release
run_ctest build/release || status=1

echo "== ASan + UBSan build + tests"
bash scripts/build.sh asan shopd shopctl shop_tests
run_ctest build/asan ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 || status=1

echo "== TSan build + concurrency tests"
bash scripts/build.sh tsan shopd shopctl shop_tests
set +e
(cd build/tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/../../scripts/tsan.supp" \
  ./tests/shop_tests --test-suite='*concurrency*,store,auth limits') 2>&1 | tee "$logs/tsan.log"
rc=${PIPESTATUS[0]}
set -e
tsan_line=$(grep -E "^\[doctest\] test cases:" "$logs/tsan.log" | tail -1 || true)
tsan_pass=$(sed -E 's/.*\| *([0-9]+) passed.*/\1/' <<<"$tsan_line")
tsan_fail=$(sed -E 's/.*\| *([0-9]+) failed.*/\1/' <<<"$tsan_line")
[ -n "$tsan_line" ] || { tsan_pass=0; tsan_fail=1; }
[ "$rc" -eq 0 ] || { status=1; [ "$tsan_fail" -gt 0 ] || tsan_fail=1; }
passed=$((passed + tsan_pass))
failed=$((failed + tsan_fail))

echo "== test stages finished in $(( $(date +%s) - start )) s (release, asan+ubsan, tsan)"
echo "$passed passed, $failed failed"
exit $status
