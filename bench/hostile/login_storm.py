#!/usr/bin/env python3
"""A failed-login storm from one address beside real logins from another, for a bounded time.

Attackers: THREADS threads on 127.0.0.2 post logins with unknown usernames as fast as they are
answered (each unknown username costs the server a dummy password check at the full default
cost). Real users: one thread on 127.0.0.3 logs in as test_user1..20 (the demo accounts) in turn.
Prints the status counts of both and the real logins' latency percentiles.

    login_storm.py --port 8000 --threads 40 --seconds 20
"""
import argparse
import collections
import http.client
import json
import threading
import time


def post_login(conn, username, password):
    body = json.dumps({"username": username, "password": password})
    conn.request("POST", "/api/auth/login/", body, {"Content-Type": "application/json"})
    resp = conn.getresponse()
    resp.read()
    return resp.status


def worker(port, source, deadline, counts, latencies, real):
    conn = None
    i = 0
    while time.monotonic() < deadline:
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                              source_address=(source, 0))
        i += 1
        user = f"test_user{i % 20 + 1}" if real else f"no_such_user_{threading.get_ident()}_{i}"
        t0 = time.monotonic()
        try:
            status = post_login(conn, user, "testpass123!" if real else "wrong-password")
        except (OSError, http.client.HTTPException) as e:
            status = type(e).__name__
            conn.close()
            conn = None
        counts[status] += 1
        if real:
            latencies.append(time.monotonic() - t0)
            time.sleep(0.05)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--threads", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=20)
    a = ap.parse_args()
    deadline = time.monotonic() + a.seconds
    attack, real = collections.Counter(), collections.Counter()
    latencies = []
    threads = [threading.Thread(target=worker, args=(a.port, "127.0.0.2", deadline, attack, [], False))
               for _ in range(a.threads)]
    threads.append(threading.Thread(target=worker,
                                    args=(a.port, "127.0.0.3", deadline, real, latencies, True)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0
    print(f"login storm: attacker (127.0.0.2, {a.threads} threads): {dict(attack)}")
    print(f"login storm: real user (127.0.0.3): {dict(real)}; latency p50 {pct(0.5):.0f} ms, "
          f"p95 {pct(0.95):.0f} ms, p99 {pct(0.99):.0f} ms, max {pct(1.0):.0f} ms")


if __name__ == "__main__":
    main()
