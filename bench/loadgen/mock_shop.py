#!/usr/bin/env python3
"""mock_shop.py - a tiny stand-in for shopd to exercise shop_loadgen without the real server.

It speaks the load-test slice of the wire contract (login with top-level `access`, products,
points reads, cart add, asynchronous order intake with 202, cancel, /metrics/ with the order
queue) and injects the business failures the load generator must classify: out of stock,
insufficient points (bare JSON array), empty cart, and queue full (503 + Retry-After). The
products page is sent chunked so the client's chunked decoder is exercised.

    python3 bench/loadgen/mock_shop.py --port 18002
"""
import argparse
import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"next_order": 1, "carts": {}, "accepted_times": []}
PRODUCTS = [{"id": i, "name": f"P{i}", "price": "13000", "stock": 0 if i % 5 == 0 else 100}
            for i in range(1, 41)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status, body, headers=None, chunked=False):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(data), 1000):
                part = data[i:i + 1000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def _user(self):
        auth = self.headers.get("Authorization", "")
        return auth[len("Bearer tok-"):] if auth.startswith("Bearer tok-") else None

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return None

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/slow/":  # for exercising client timeouts
            time.sleep(2)
            return self._send(200, {})
        if path == "/metrics/":
            with LOCK:
                now = time.time()
                backlog = sum(1 for t in STATE["accepted_times"] if now - t < 1.5)
            return self._send(200, {"orders": {"queue_depth": max(0, backlog - 2),
                                               "in_flight": min(2, backlog)}})
        if path == "/api/products/":
            cookie = {} if "sessionid=" in self.headers.get("Cookie", "") else {
                "Set-Cookie": "sessionid=s%d; HttpOnly; Path=/" % random.randint(1, 1 << 30)}
            return self._send(200, {"count": len(PRODUCTS), "next": None, "previous": None,
                                    "results": PRODUCTS}, cookie, chunked=True)
        if not self._user():
            return self._send(401, {"detail": "Authentication credentials were not provided."})
        if path == "/api/points/my/":
            return self._send(200, {"point_info": {"points": 50000}, "recent_histories": []})
        if path == "/api/points/history/":
            return self._send(200, {"count": 0, "page": 1, "page_size": 20, "summary": {},
                                    "results": []})
        if path == "/api/points/expiring/":
            return self._send(200, {"total_expiring": 0, "days": 30, "monthly_summary": [],
                                    "histories": []})
        return self._send(404, {"detail": "Not found."})

    def do_POST(self):
        path = self.path
        body = self._body()
        if body is None:
            return self._send(400, {"detail": "JSON parse error"})
        if path == "/api/auth/login/":
            if body.get("password") != "testpass123":
                return self._send(400, {"non_field_errors": ["bad credentials"]})
            time.sleep(0.002)  # a cheap KDF
            return self._send(200, {"access": "tok-" + body["username"], "user": {"id": 1}},
                              {"Set-Cookie": "refresh_token=r; HttpOnly; Max-Age=604800"})
        user = self._user()
        if not user:
            return self._send(401, {"detail": "Authentication credentials were not provided."})
        if path == "/api/points/check/":
            return self._send(200, {"available_points": 50000, "can_use": True,
                                    "max_usable": 50000, "message": "ok"})
        if path == "/api/cart-items/":
            if random.random() < 0.05:
                return self._send(400, {"error": "재고가 부족합니다.", "code": "INSUFFICIENT_STOCK"})
            with LOCK:
                STATE["carts"][user] = STATE["carts"].get(user, 0) + 1
            return self._send(201, {"id": 1, "product_id": body.get("product_id"), "quantity": 1})
        if path == "/api/orders/":
            with LOCK:
                lines = STATE["carts"].pop(user, 0)
            if lines == 0:
                return self._send(400, {"non_field_errors": ["장바구니가 비어있습니다."]})
            r = random.random()
            if body.get("use_points", 0) > 0 and r < 0.05:
                return self._send(400, ["포인트가 부족합니다. (insufficient points)"])
            if r > 0.97:
                return self._send(503, {"detail": "order queue full"}, {"Retry-After": "1"})
            with LOCK:
                oid = STATE["next_order"]
                STATE["next_order"] += 1
                STATE["accepted_times"].append(time.time())
                del STATE["accepted_times"][:-5000]
            return self._send(202, {"order_id": oid, "order_number": "O%d" % oid,
                                    "status": "pending", "status_url": "/api/orders/%d/" % oid})
        if path.startswith("/api/orders/") and path.endswith("/cancel/"):
            return self._send(200, {"message": "canceled"})
        return self._send(404, {"detail": "Not found."})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=18002)
    ap.add_argument("--idle-timeout", type=float, default=None,
                    help="close keep-alive connections idle this many seconds")
    args = ap.parse_args()
    Handler.timeout = args.idle_timeout
    ThreadingHTTPServer.request_queue_size = 1024
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"mock_shop listening on http://{args.host}:{args.port}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
