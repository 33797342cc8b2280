#!/usr/bin/env bash
# bench.sh — every benchmark behind one command; each prints its figures (copy them, with the
# command line, into bench/RESULTS.md). Modes:
#   micro                              engine microbenchmarks (bench/micro/*_bench)
#   load SCENARIO USERS SECONDS        point-concurrent | point-high-load against shopd, then drain
#                                      check + shopctl verify; prints shopd's peak RSS and CPU
#   max CONNECTIONS SECONDS [REQUEST]  trivial_server vs shopd, same generator, same run: ratio
#   orders CONNECTIONS SECONDS         orders end to end (cart add + intake + processing)
#   wrk CONNECTIONS SECONDS            wrk on GET /api/products/ (connection storm)
#   locust USERS SECONDS [CLASS]       the Locust file, headless, against shopd (default class
#                                      PointConcurrentUser, spawn 50/s; LOCUST_WORKERS=N: N workers)
#   locust-compare USERS SECONDS [CLASS]  the same Locust run against the legacy threads front end
#                                      and the event front end, back to back
#   hostile [SLOW BOMBS SECONDS USERS] slowloris (head+body) and header bombs beside normal users
#   login-storm [THREADS SECONDS]      failed-login storm from one address vs real logins from another
#   idle [CONNECTIONS SECONDS]         mostly idle keep-alive clients: HTTP-layer CPU per front end
# Environment: SHOPD_FLAGS (extra shopd flags), BENCH_OUT (output dir, default bench/out).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-}"; shift || true
out="${BENCH_OUT:-bench/out}"
mkdir -p "$out" var
bash scripts/install_deps.sh --bench
bash scripts/build.sh release >/dev/null
B=build/release
SHOPD_PID=""

fresh_db() {  # fresh_db PATH: full preset + 1000 load-test users with 50,000 points, and 100,000
  # more units of every product (the reference's perf setup gives its products 100,000 units)
  rm -f "$1" "$1-wal" "$1-shm"
  $B/cli/shopctl --db "$1" create-test-data --preset full --seed 1 >/dev/null
  $B/cli/shopctl --db "$1" create-load-test-users --count 1000 --points 50000 >/dev/null
  $B/cli/shopctl --db "$1" restock --all --amount 100000 >/dev/null
}

start_shopd() {  # start_shopd DB PORT [flags...]
  local db="$1" port="$2"; shift 2
  $B/server/shopd --db "$db" --port "$port" ${SHOPD_FLAGS:-} "$@" >"$out/shopd.out" 2>"$out/shopd.log" &
  SHOPD_PID=$!
  for _ in $(seq 1 100); do
    grep -q "listening on" "$out/shopd.out" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "shopd did not start" >&2; cat "$out/shopd.log" >&2; exit 1
}

shopd_usage() {  # prints peak RSS and CPU seconds of the running shopd
  local hwm ticks
  hwm=$(awk '/VmHWM/ {print $2}' /proc/$SHOPD_PID/status)
  ticks=$(awk '{print $14 + $15}' /proc/$SHOPD_PID/stat)
  echo "shopd: peak RSS $((hwm / 1024)) MiB, CPU $(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t / hz}') s"
}

stop_shopd() {
  [ -n "$SHOPD_PID" ] || return 0
  kill -TERM "$SHOPD_PID" 2>/dev/null || true
  wait "$SHOPD_PID" 2>/dev/null || true
  SHOPD_PID=""
}
trap stop_shopd EXIT

wait_drained() {  # wait_drained [PORT]: waits (<= 60 s) for the order queue to drain; shopctl verify
  local port="${1:-8000}"
  /usr/bin/python3 - "$port" <<'PY'
import json, sys, time, urllib.request
for _ in range(600):
    metrics = json.load(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics/"))
    m = metrics["orders"]
    if m["queue_depth"] == 0 and m["in_flight"] == 0 and m.get("retrying", 0) == 0:
        print(f"orders: accepted {m['accepted']}, confirmed {m['confirmed']}, failed {m['failed']}, drained")
        lat = (metrics.get("http") or {}).get("latency_ms")
        if lat:  # what shopd itself took per request (read -> written), beside the client's view
            print(f"shopd server-side latency over {lat['count']} requests: p50 {lat['p50']} ms, "
                  f"p95 {lat['p95']} ms, p99 {lat['p99']} ms, p99.9 {lat['p999']} ms, max {lat['max']} ms")
        break
    time.sleep(0.1)
else:
    print("orders: queue NOT drained after 60 s")
PY
  $B/cli/shopctl --db "$db" verify | tail -3 || echo "shopctl verify FAILED"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# run_locust USERS SECONDS CLASS CSV_PREFIX: headless Locust against shopd on :8000, spawn 50/s.
# LOCUST_WORKERS=N runs a master and N worker processes (when one Locust process is the limit).
# Prints Locust's summary, its own CPU use, and shopd's CPU use during the run.
run_locust() {
  local users="$1" secs="$2" cls="$3" csv="$4" workers="${LOCUST_WORKERS:-0}"
  local common=(-f bench/locust/point_load_test.py --headless -u "$users" -r 50 -t "${secs}s"
    --host http://127.0.0.1:8000 --csv "$csv" --only-summary)
  local t0 s0
  t0=$(date +%s.%N); s0=$(cpu_ticks "$SHOPD_PID")
  # Locust's CPU: resource usage of the child processes, read by a small Python wrapper.
  /usr/bin/python3 - "$workers" "$cls" "${common[@]}" <<'PY' 2>&1 | grep -v "^\[" | tail -40
import resource, subprocess, sys
workers, cls, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
loc = ["/usr/bin/python3", "-m", "locust"]
procs = []
if workers > 0:
    import os
    share = 1000 // workers  # each worker's own slice of the 1000 load-test accounts
    procs = [subprocess.Popen(loc + ["-f", args[1], "--worker", "--master-host", "127.0.0.1", cls],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=dict(os.environ, POINT_ACCOUNT_BASE=str(i * share),
                                       POINT_ACCOUNT_COUNT=str(share)))
             for i in range(workers)]
    main = loc + args + ["--master", "--expect-workers", str(workers), cls]
else:
    main = loc + args + [cls]
secs = int(args[args.index("-t") + 1].rstrip("s"))
try:  # bounded: a run that hangs (e.g. workers never connect) is ended, not waited for
    rc = subprocess.run(main, timeout=secs + 120).returncode
except subprocess.TimeoutExpired:
    rc = "timeout"
    for p in procs:
        p.kill()
for p in procs:
    p.wait()
r = resource.getrusage(resource.RUSAGE_CHILDREN)
shape = f"master + {workers} workers" if workers else "1 process"
print(f"locust: {shape}, CPU {r.ru_utime + r.ru_stime:.1f} s, exit {rc}")
PY
  local t1 s1 hz
  t1=$(date +%s.%N); s1=$(cpu_ticks "$SHOPD_PID"); hz=$(getconf CLK_TCK)
  awk -v a="$s0" -v b="$s1" -v hz="$hz" -v t0="$t0" -v t1="$t1" \
    'BEGIN {printf "shopd during the run: CPU %.1f s = %.0f %% of one core over %.0f s\n", (b-a)/hz, 100*(b-a)/hz/(t1-t0), t1-t0}'
  wait_drained
}

echo "# bench.sh $mode $* — $(date -u +%FT%TZ), nproc $(nproc), $(uname -r)"
case "$mode" in
  micro)
    for b in $B/bench/micro/*_bench; do echo "## $(basename "$b")"; "$b"; done ;;
  load)
    scenario="${1:?scenario}" users="${2:-1000}" secs="${3:-60}"
    db=var/bench-load.db; fresh_db $db; start_shopd $db 8100
    $B/bench/shop_loadgen --host http://127.0.0.1:8100 --scenario "$scenario" -u "$users" \
      -r 100 -t "${secs}s" --csv "$out/$scenario" --html "$out/$scenario.html" -q \
      --db $db --shopctl $B/cli/shopctl || echo "loadgen exit $?"
    shopd_usage ;;
  max)
    conns="${1:-64}" secs="${2:-20}" request="${3:-my-points}"
    db=var/bench-max.db; fresh_db $db
    echo "## baseline: trivial_server (same HTTP stack and settings, empty handler)"
    $B/bench/trivial_server --port 8101 >/dev/null 2>&1 & tp=$!
    sleep 0.5
    $B/bench/shop_loadgen --host http://127.0.0.1:8101 --scenario max -c "$conns" -t "${secs}s" \
      --path /api/points/my/ -q | tee "$out/max-trivial.txt" || true
    kill $tp; wait $tp 2>/dev/null || true
    echo "## shopd: $request"
    start_shopd $db 8100
    $B/bench/shop_loadgen --host http://127.0.0.1:8100 --scenario max -c "$conns" -t "${secs}s" \
      --request "$request" -q | tee "$out/max-shopd.txt" || true
    shopd_usage ;;
  orders)
    conns="${1:-64}" secs="${2:-30}"
    db=var/bench-orders.db; fresh_db $db; start_shopd $db 8100
    $B/bench/shop_loadgen --host http://127.0.0.1:8100 --scenario orders -c "$conns" \
      -u 1000 -t "${secs}s" -q --db $db --shopctl $B/cli/shopctl || echo "loadgen exit $?"
    shopd_usage ;;
  wrk)
    conns="${1:-1000}" secs="${2:-30}"
    db=var/bench-wrk.db; fresh_db $db; start_shopd $db 8100
    wrk -t2 -c"$conns" -d"${secs}s" --latency --timeout 10s "http://127.0.0.1:8100/api/products/"
    shopd_usage ;;
  locust)
    # The seed's client at the seed's scale: real Locust (Debian python3-locust), unchanged.
    users="${1:-1000}" secs="${2:-60}" cls="${3:-PointConcurrentUser}"
    db=var/bench-locust.db; fresh_db $db; start_shopd $db 8000
    run_locust "$users" "$secs" "$cls" "$out/locust"
    shopd_usage ;;
  locust-compare)
    # The same Locust run against both front ends, one after the other, in one invocation.
    users="${1:-1000}" secs="${2:-60}" cls="${3:-PointConcurrentUser}"
    for fe in threads event; do
      echo "## front end: $fe"
      flags=(--frontend "$fe")
      # The legacy front end as shopd ran it before (64 threads, 2 s keep-alive, 100 requests).
      [ "$fe" = threads ] && flags+=(--http-threads 64 --keep-alive-timeout 2 --keep-alive-max 100)
      db=var/bench-locust.db; fresh_db $db; start_shopd $db 8000 "${flags[@]}"
      run_locust "$users" "$secs" "$cls" "$out/locust-$fe"
      shopd_usage
      stop_shopd
    done ;;
  idle)
    # Mostly idle keep-alive clients (think 1-3 s) against trivial_server on each front end:
    # what 1000 Locust-like connections cost the HTTP layer itself.
    conns="${1:-1000}" secs="${2:-20}"
    for fe in "threads --http-threads 1024 --keep-alive-timeout 60 --keep-alive-max 100000" \
              "threads --http-threads 64 --keep-alive-timeout 2 --keep-alive-max 100" "event"; do
      echo "## trivial_server --frontend $fe"
      # shellcheck disable=SC2086
      $B/bench/trivial_server --port 8101 --frontend $fe >/dev/null 2>&1 & tp=$!
      sleep 0.5
      /usr/bin/python3 bench/hostile/idle_keepalive.py --port 8101 --pid $tp --connections "$conns" \
        --seconds "$secs"
      kill $tp; wait $tp 2>/dev/null || true
    done ;;
  login-storm)
    # 40 threads of failed logins (unknown users: a full-cost dummy check each) from 127.0.0.2
    # while a real user logs in from 127.0.0.3: without and with the per-address limits.
    threads="${1:-40}" secs="${2:-20}"
    for limits in off on; do
      echo "## per-address login limits: $limits"
      flags=()
      [ "$limits" = off ] && flags=(--login-failure-burst 0 --login-checks-per-address 0)
      db=var/bench-login.db; rm -f $db $db-wal $db-shm
      $B/cli/shopctl --db $db create-test-data --preset full --seed 1 >/dev/null
      start_shopd $db 8000 "${flags[@]}"
      /usr/bin/python3 bench/hostile/login_storm.py --port 8000 --threads "$threads" --seconds "$secs"
      shopd_usage
      stop_shopd
    done ;;
  hostile)
    # Slowloris (head and body variants) and header bombs, with normal users beside them.
    slow="${1:-1000}" bombs="${2:-4}" secs="${3:-40}" normal="${4:-200}"
    db=var/bench-hostile.db; fresh_db $db; start_shopd $db 8000
    /usr/bin/python3 bench/hostile/hostile_clients.py --port 8000 --slow "$slow" --bombs "$bombs" \
      --seconds "$secs" --pid "$SHOPD_PID" >"$out/hostile.txt" & hp=$!
    sleep 5  # let every attacker connect first
    echo "## normal traffic: point-concurrent, $normal users, during the attack"
    $B/bench/shop_loadgen --host http://127.0.0.1:8000 --scenario point-concurrent -u "$normal" \
      -r 50 -t "$((secs - 10))s" --csv "$out/hostile-normal" -q || echo "loadgen exit $?"
    wait $hp; cat "$out/hostile.txt"
    wait_drained
    shopd_usage ;;
  *)
    sed -n '2,12p' "$0"; exit 2 ;;
esac
