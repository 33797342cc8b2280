#!/usr/bin/env python3
"""Hostile HTTP clients against a server on loopback, for a bounded time.

  * slowloris, head variant: send a request line, then one header byte every 2-4.5 s;
  * slowloris, body variant: send a complete head with Content-Length 10000, then one body byte
    every 2-4.5 s;
  * header bombs: send an endless header section (up to 100 MB per connection) as fast as the
    server reads it.
Each attacker reconnects as soon as the server closes it, so the pressure lasts the whole run.
Prints what happened to the attackers and the server's peak RSS (if --pid is given).

    hostile_clients.py --port 8000 --slow 1000 --bombs 4 --seconds 40 --pid $(pidof shopd)

Targets only 127.0.0.1. Standard library only (asyncio).
"""
import argparse
import asyncio
import random
import resource
import time

HOST = "127.0.0.1"


class Stats:
    def __init__(self):
        self.slow_connects = 0
        self.slow_closed_by_server = 0
        self.slow_408 = 0
        self.bomb_connects = 0
        self.bomb_431 = 0
        self.bomb_bytes = 0
        self.connect_errors = 0
        self.peak_rss_kib = 0


async def connect(port, stats):
    """A connection, or None after a short pause if the server would not take one."""
    try:
        return await asyncio.open_connection(HOST, port)
    except OSError:
        stats.connect_errors += 1
        await asyncio.sleep(0.5)
        return None


async def slowloris(port, body_variant, deadline, stats):
    while time.monotonic() < deadline:
        conn = await connect(port, stats)
        if conn is None:
            continue
        reader, writer = conn
        stats.slow_connects += 1
        try:
            if body_variant:
                writer.write(b"POST /api/auth/login/ HTTP/1.1\r\nHost: x\r\n"
                             b"Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n{")
            else:
                writer.write(b"GET /api/products/ HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            await writer.drain()
            while time.monotonic() < deadline:
                try:
                    data = await asyncio.wait_for(reader.read(4096), random.uniform(2.0, 4.5))
                except asyncio.TimeoutError:
                    writer.write(b"a")
                    await writer.drain()
                    continue
                if data.startswith(b"HTTP/1.1 408"):
                    stats.slow_408 += 1
                if not data or data.startswith(b"HTTP/"):
                    stats.slow_closed_by_server += 1
                    break
        except (ConnectionError, OSError):
            stats.slow_closed_by_server += 1
        finally:
            writer.close()


async def header_bomb(port, deadline, stats):
    line = b"X-Bomb: " + b"a" * 90 + b"\r\n"
    chunk = line * 640  # ~64 KiB
    while time.monotonic() < deadline:
        conn = await connect(port, stats)
        if conn is None:
            continue
        reader, writer = conn
        stats.bomb_connects += 1
        sent = 0
        try:
            writer.write(b"GET /health/ HTTP/1.1\r\nHost: x\r\n")
            while sent < 100 * 1024 * 1024 and time.monotonic() < deadline:
                writer.write(chunk)
                await writer.drain()
                sent += len(chunk)
                try:
                    data = await asyncio.wait_for(reader.read(4096), 0.0001)
                    if data.startswith(b"HTTP/1.1 431"):
                        stats.bomb_431 += 1
                        break
                    if not data:
                        break
                except asyncio.TimeoutError:
                    pass
        except (ConnectionError, OSError):
            pass
        finally:
            stats.bomb_bytes += sent
            writer.close()


async def watch_rss(pid, deadline, stats):
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        stats.peak_rss_kib = max(stats.peak_rss_kib, int(line.split()[1]))
        except OSError:
            return
        await asyncio.sleep(0.2)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--slow", type=int, default=1000, help="slowloris connections (half head, half body)")
    ap.add_argument("--bombs", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=40)
    ap.add_argument("--pid", type=int, default=0, help="server pid, for its RSS")
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, a.slow + 256)), hard))
    stats = Stats()
    deadline = time.monotonic() + a.seconds
    tasks = [slowloris(a.port, i % 2 == 1, deadline, stats) for i in range(a.slow)]
    tasks += [header_bomb(a.port, deadline, stats) for _ in range(a.bombs)]
    if a.pid:
        tasks.append(watch_rss(a.pid, deadline, stats))
    await asyncio.gather(*tasks, return_exceptions=True)
    print(f"hostile: {a.slow} slowloris connections held for {a.seconds:.0f} s: "
          f"{stats.slow_connects} connects, {stats.slow_closed_by_server} closed by the server "
          f"({stats.slow_408} with 408); {a.bombs} header bombs: {stats.bomb_connects} connects, "
          f"{stats.bomb_431} answered 431, {stats.bomb_bytes / 1e6:.0f} MB sent; "
          f"connect errors {stats.connect_errors}")
    if a.pid:
        print(f"hostile: server peak RSS during the attack {stats.peak_rss_kib / 1024:.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
