#!/usr/bin/env bash
# prepare_load_test.sh [--fresh] [DB] — the seed's prepare script, working (contract §4, D24):
#   1. builds shopd, shopctl and shop_loadgen (release) if needed;
#   2. fills DB (default var/loadtest.db) with the `full` test-data preset;
#   3. creates load_test_user_0..999 (password testpass123, TEST-ONLY cheap hash) with 50,000
#      points each, as one ledger lot expiring in a year (existing accounts are kept as they are);
#   4. checks every invariant, and prints the exact commands to start shopd and run the load test.
# --fresh deletes DB first. Environment: LOADTEST_USERS (1000), LOADTEST_POINTS (50000),
# LOADTEST_PORT (8000).
set -euo pipefail
cd "$(dirname "$0")/.."

fresh=0
db=var/loadtest.db
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) echo "prepare_load_test.sh: unknown option $arg" >&2; exit 2 ;;
    *) db="$arg" ;;
  esac
done
users="${LOADTEST_USERS:-1000}"
points="${LOADTEST_POINTS:-50000}"
port="${LOADTEST_PORT:-8000}"

bash scripts/build.sh release shopd shopctl shop_loadgen
shopctl=build/release/cli/shopctl

mkdir -p "$(dirname "$db")"
if [ "$fresh" = 1 ]; then rm -f "$db" "$db-wal" "$db-shm"; fi

echo "== test data (preset full) into $db"
"$shopctl" --db "$db" create-test-data --preset full --clear --seed 42
echo "== $users load-test users with $points points"
"$shopctl" --db "$db" create-load-test-users --count "$users" --points "$points" | sed -n '1,3p'
echo "== invariants"
"$shopctl" --db "$db" verify
"$shopctl" --db "$db" stats

cat <<MSG

Ready. In one terminal start shopd:

  build/release/server/shopd --db $db --host 127.0.0.1 --port $port --workers 2

In another run the load test, natively (checks 'shopctl verify' after the run):

  build/release/bench/shop_loadgen --scenario point-concurrent --users $users --spawn-rate 100 \\
      --run-time 60s --host http://127.0.0.1:$port --db $db --shopctl $shopctl

or with Locust (Debian's python3-locust):

  /usr/bin/python3 -m locust -f bench/locust/point_load_test.py --headless -u $users -r 100 -t 60s \\
      --host http://127.0.0.1:$port

Afterwards: $shopctl --db $db stats; $shopctl --db $db verify
MSG
