#!/usr/bin/env python3
"""Many mostly idle keep-alive clients, and what they cost the server in CPU.

Opens N keep-alive connections to 127.0.0.1:PORT; each sends `GET PATH` and then thinks for
1-3 s (like a Locust user) before the next request on the same connection, for a bounded time.
Prints the requests answered and the server's CPU use (from /proc/PID/stat) over the run.

    idle_keepalive.py --port 8000 --pid $(pidof shopd) --connections 1000 --seconds 20
"""
import argparse
import asyncio
import os
import random
import resource
import time


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def client(port, path, deadline, counts):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        counts["connect_errors"] += 1
        return
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    await asyncio.sleep(random.uniform(0, 3))
    try:
        while time.monotonic() < deadline:
            writer.write(request)
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            counts["ok"] += 1
            if b"connection: close" in head.lower():
                counts["closed_by_server"] += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            await asyncio.sleep(random.uniform(1, 3))
    except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError) as e:
        counts["errors"] += 1
        counts["last_error"] = repr(e)
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--connections", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--path", default="/health/")
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, a.connections + 256)), hard))
    counts = {"ok": 0, "errors": 0, "connect_errors": 0, "closed_by_server": 0, "last_error": ""}
    c0, t0 = cpu_seconds(a.pid), time.monotonic()
    deadline = t0 + a.seconds
    await asyncio.gather(*[client(a.port, a.path, deadline, counts) for _ in range(a.connections)])
    c1, t1 = cpu_seconds(a.pid), time.monotonic()
    print(f"idle keep-alive: {a.connections} connections, {t1 - t0:.0f} s: {counts['ok']} responses "
          f"({counts['ok'] / (t1 - t0):.0f}/s), {counts['closed_by_server']} 'Connection: close', "
          f"{counts['errors']} errors {counts['last_error']}, {counts['connect_errors']} connect errors; "
          f"server CPU {c1 - c0:.1f} s = {100 * (c1 - c0) / (t1 - t0):.0f} % of one core")


if __name__ == "__main__":
    asyncio.run(main())
