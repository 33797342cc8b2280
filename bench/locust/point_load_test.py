"""Point-system load test for shopd (Locust 2.x).

The reference project's point_concurrent_load_test.py, with its defects fixed:
  * accounts come from one counter shared by both classes (load_test_user_0..999, in the order
    users start), not hash(id(self)) % 500, which gave only ~125
    distinct accounts shared by many users;
  * the token is read from the login body's top-level `access`;
  * products are picked among those in stock (`stock` > 0, or `stock_quantity` > 0 if present);
  * a failed login is retried instead of stopping the whole test (runner.quit()).
Request names match shop_loadgen's so the two tools' reports compare side by side.

    locust -f bench/locust/point_load_test.py --headless -u 1000 -r 100 -t 2m --csv out/point
"""
import itertools
import os
import random
import threading

from locust import between, task

# Debian's python3-locust 2.12.1 reports an empty __version__, and its master then refuses every
# worker as "pre 2.0" (distributed runs hang waiting for workers). Give the runner the real one.
import locust.runners

if not locust.runners.__version__:
    locust.runners.__version__ = "2.12.1"

# LOCUST_FAST=1 swaps the requests-based HttpUser for FastHttpUser (geventhttpclient, same API
# for what this file uses): a check of whether Locust's own CPU, not the server, is the limit.
if os.environ.get("LOCUST_FAST"):
    from locust import FastHttpUser as HttpUser
else:
    from locust import HttpUser

PASSWORD = "testpass123"
SHIPPING = {
    "shipping_name": "Load Test",
    "shipping_phone": "010-1234-5678",
    "shipping_postal_code": "12345",
    "shipping_address": "Seoul Gangnam-gu Test-ro 1",
    "shipping_address_detail": "Apt 101",
    "order_memo": "load test",
}


class _AccountCounter:
    """Hands out account numbers base, base+1, ... wrapping after `count` accounts."""

    def __init__(self, base, count):
        self._base, self._count = base, count
        self._next = itertools.count()
        self._lock = threading.Lock()  # Locust users are greenlets; the lock is cheap insurance

    def take(self):
        with self._lock:
            return self._base + next(self._next) % self._count


class _PointUserBase(HttpUser):
    abstract = True
    host = "http://127.0.0.1:8000"
    # Every simulated user gets an account of its own, whichever classes run (up to 1000 users;
    # beyond that accounts are shared, and two users of one cart race for it). Distributed runs
    # give each worker process its own slice (POINT_ACCOUNT_BASE / POINT_ACCOUNT_COUNT).
    accounts = _AccountCounter(int(os.environ.get("POINT_ACCOUNT_BASE", "0")),
                               int(os.environ.get("POINT_ACCOUNT_COUNT", "1000")))

    def on_start(self):
        self.username = f"load_test_user_{self.accounts.take()}"
        self.token = None
        self.product_ids = []
        self.login()
        self.load_products()

    # -- helpers ---------------------------------------------------------------------------

    def auth_headers(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def login(self):
        with self.client.post(
            "/api/auth/login/",
            json={"username": self.username, "password": PASSWORD},
            name="Login",
            catch_response=True,
        ) as resp:
            access = None
            if resp.status_code == 200:
                try:
                    access = resp.json().get("access")
                except ValueError:
                    pass
            if access:
                self.token = access
                resp.success()
            else:
                resp.failure(f"login failed: HTTP {resp.status_code}")
        return self.token is not None

    def load_products(self):
        with self.client.get(
            "/api/products/?page_size=100", name="Products", catch_response=True
        ) as resp:
            if resp.status_code != 200:
                resp.failure(f"HTTP {resp.status_code}")
                return
            try:
                results = resp.json().get("results", [])
            except ValueError:
                resp.failure("products body is not JSON")
                return
        in_stock = [
            p["id"]
            for p in results
            if (p.get("stock") or 0) > 0 or (p.get("stock_quantity") or 0) > 0
        ]
        self.product_ids = in_stock or [p["id"] for p in results if "id" in p]

    def ensure_ready(self):
        """Logs in (again) when a previous attempt failed; returns False if still not ready."""
        if self.token is None and not self.login():
            return False
        if not self.product_ids:
            self.load_products()
        return True

    def order_with_points(self, point_choices, cancel_probability):
        if not self.ensure_ready() or not self.product_ids:
            return
        product_id = random.choice(self.product_ids)
        with self.client.post(
            "/api/cart-items/",
            json={"product_id": product_id, "quantity": 1},
            headers=self.auth_headers(),
            name="Add to Cart",
            catch_response=True,
        ) as resp:
            if resp.status_code in (200, 201):
                resp.success()
            else:
                resp.failure(f"HTTP {resp.status_code}: {resp.text[:200]}")
                return

        order = dict(SHIPPING, use_points=random.choice(point_choices))
        order_id = None
        with self.client.post(
            "/api/orders/",
            json=order,
            headers=self.auth_headers(),
            name="Create Order (with points)",
            catch_response=True,
        ) as resp:
            if resp.status_code == 202:  # asynchronous intake: exactly 202
                resp.success()
                try:
                    order_id = resp.json().get("order_id")
                except ValueError:
                    pass
            elif resp.status_code == 503:
                resp.failure(f"queue full (503, Retry-After {resp.headers.get('Retry-After')})")
            else:
                resp.failure(f"HTTP {resp.status_code}: {resp.text[:200]}")

        if order_id is not None and random.random() < cancel_probability:
            self.client.post(
                f"/api/orders/{order_id}/cancel/",
                headers=self.auth_headers(),
                name="Cancel Order (Return Points)",
            )


class PointConcurrentUser(_PointUserBase):
    """Reads points often, orders with points now and then (think time 1-3 s)."""

    wait_time = between(1, 3)

    @task(5)
    def my_points(self):
        if self.ensure_ready():
            self.client.get("/api/points/my/", headers=self.auth_headers(), name="My Points")

    @task(3)
    def point_history(self):
        if self.ensure_ready():
            self.client.get(
                "/api/points/history/", headers=self.auth_headers(), name="Point History"
            )

    @task(2)
    def expiring_points(self):
        if self.ensure_ready():
            self.client.get(
                "/api/points/expiring/", headers=self.auth_headers(), name="Expiring Points"
            )

    @task(1)
    def create_order_with_points(self):
        self.order_with_points([0, 100, 500, 1000], cancel_probability=0.3)

    @task(1)
    def check_points(self):
        if self.ensure_ready():
            self.client.post(
                "/api/points/check/",
                json={"order_amount": 50000, "use_points": 5000},
                headers=self.auth_headers(),
                name="Point Check",
            )


class PointHighLoadUser(_PointUserBase):
    """Only orders with points, faster (think time 0.5-1.5 s)."""

    wait_time = between(0.5, 1.5)

    @task
    def create_order_with_points(self):
        self.order_with_points([0, 100, 500], cancel_probability=0.0)
