// orders_storage_faults_test.cpp — orders while the disk is full
// (Store::set_write_fault_for_testing: every commit of the writer fails as SQLITE_FULL): intake
// refuses with 503-class errors and creates nothing; an accepted order waits for a retry (pending,
// counted as retrying and in flight) and is confirmed exactly once when space is back; shutdown
// leaves it pending for the next start; and a concurrency run with the disk flipping between full
// and not full loses nothing. Waiting for workers is a bounded poll on a condition, never a sleep.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "api.h"
#include "engine_context.h"
#include "orders_fixtures.h"
#include "shop/admin.h"
#include "shop/cart.h"
#include "shop/orders.h"
#include "store/store.h"
#include "support/test_support.h"

using shop::CartOwner;
using shop::ErrorCode;
using shop::ProcessOutcome;
using shop::store::WriteFault;

namespace {

std::string violations(shop::Engine& engine) {
  shop::VerifyOptions o;
  o.strict = true;  // no order may stay pending
  auto report = engine.admin().verify(o);
  if (!report) return "verify failed: " + report.error().message;
  std::string out;
  for (const auto& v : report->violations) out += v.check + ": " + v.message + "\n";
  return out;
}

void set_fault(shop::Engine& engine, WriteFault fault) {
  REQUIRE(engine.context().store->set_write_fault_for_testing(fault).is_ok());
}

bool storage_unavailable(const shop::Error& e) {
  return e.code == ErrorCode::kUnavailable && e.reason == shop::store::kStorageUnavailable;
}

// Polls `cond` (every millisecond, at most ~20 s); true once it holds.
bool eventually(const std::function<bool()>& cond) {
  for (int i = 0; i < 20000; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return cond();
}

struct Shop {
  explicit Shop(int workers = 0, std::size_t capacity = 10000) : te(workers, capacity) {
    te->orders().set_task_log(false);
    set_fault(*te, WriteFault::kNone);  // the writer goes through the fault VFS from now on
  }
  shoptest::TestEngine te;
  ordtest::Seed seed{te.dir.file("shop.db")};
  shop::Orders& orders() { return te->orders(); }
  void add(std::int64_t user, std::int64_t product, std::int64_t qty) {
    auto r = te->carts().add_item(CartOwner::user(user), product, qty);
    REQUIRE_MESSAGE(r.is_ok(), r.error().message);
  }
  std::int64_t place(std::int64_t user, std::int64_t points = 0) {
    auto r = orders().intake(user, ordtest::order_request("12345", points));
    REQUIRE_MESSAGE(r.is_ok(), r.error().message);
    return r->order_id;
  }
  std::int64_t use_entries(std::int64_t order) {
    return seed.scalar("SELECT COUNT(*) FROM point_entries WHERE type = 'use' AND order_id = " +
                       std::to_string(order));
  }
};

}  // namespace

TEST_SUITE("orders storage faults") {
  TEST_CASE(
      "intake while the disk is full: STORAGE_UNAVAILABLE (503), nothing created, slot back") {
    Shop f(/*workers=*/0, /*capacity=*/1);  // one slot: a leaked reservation would refuse later
    const auto user = f.seed.user("buyer", 5000);
    const auto product = f.seed.product("Widget", 12000, 10);
    f.add(user, product, 2);
    set_fault(*f.te, WriteFault::kDiskFull);

    auto refused = f.orders().intake(user, ordtest::order_request("12345", 1000));
    REQUIRE_FALSE(refused.is_ok());
    CHECK(storage_unavailable(refused.error()));
    CHECK(refused.error().message == shop::store::kStorageUnavailableMessage);
    CHECK(f.seed.scalar("SELECT COUNT(*) FROM orders") == 0);
    CHECK(f.seed.scalar("SELECT COUNT(*) FROM order_items") == 0);
    CHECK(f.seed.cart_quantity(user, product) == 2);
    auto m = f.orders().metrics();
    CHECK(m.queue_depth == 0);
    CHECK(m.in_flight == 0);
    CHECK(m.accepted == 0);

    // What the HTTP layer makes of it: 503 with Retry-After and the generic text.
    httplib::Response res;
    shopd::reply_error(res, refused.error(), shopd::ErrorShape::kDetail);
    CHECK(res.status == 503);
    CHECK(res.get_header_value("Retry-After") == "1");
    CHECK(res.body.find("Storage is temporarily unavailable") != std::string::npos);
    CHECK(res.body.find("full") == std::string::npos);  // not SQLite's own text

    set_fault(*f.te, WriteFault::kNone);
    const auto id = f.place(user, 1000);  // the one slot is free again
    REQUIRE(f.orders().drain_queue().is_ok());
    CHECK(f.seed.status(id) == "confirmed");
    CHECK(f.seed.stock(product) == 8);
    CHECK(f.seed.points(user) == 4000);
    CHECK(violations(*f.te) == "");
  }

  TEST_CASE("an accepted order meeting a full disk waits for a retry, then is confirmed once") {
    Shop f;  // no workers: processing runs here, in drain_queue (deterministic)
    const auto user = f.seed.user("buyer", 5000);
    const auto product = f.seed.product("Widget", 12000, 10);
    f.add(user, product, 3);
    const auto id = f.place(user, 500);  // 202: committed before the disk fills
    set_fault(*f.te, WriteFault::kDiskFull);

    for (int round = 1; round <= 2; ++round) {
      CAPTURE(round);
      auto taken = f.orders().drain_queue();
      REQUIRE(taken.is_ok());
      CHECK(*taken == 1);
      CHECK(f.seed.status(id) == "pending");  // never failed for a transient error
      auto m = f.orders().metrics();
      CHECK(m.retrying == 1);
      CHECK(m.in_flight == 1);  // so /metrics/ pollers and wait_idle do not call this drained
      CHECK(m.queue_depth == 0);
      CHECK(m.retries == round);
      CHECK(m.failed == 0);
      CHECK(m.processed == 0);
      CHECK_FALSE(f.orders().wait_idle(std::chrono::milliseconds(0)));
    }
    auto now = f.orders().process_now(id);
    REQUIRE_FALSE(now.is_ok());
    CHECK(storage_unavailable(now.error()));
    CHECK(f.seed.stock(product) == 10);
    CHECK(f.seed.points(user) == 5000);

    set_fault(*f.te, WriteFault::kNone);
    REQUIRE(f.orders().drain_queue().is_ok());
    CHECK(f.seed.status(id) == "confirmed");
    CHECK(f.seed.stock(product) == 7);
    CHECK(f.seed.points(user) == 4500);
    CHECK(f.use_entries(id) == 1);
    auto m = f.orders().metrics();
    CHECK(m.retrying == 0);
    CHECK(m.in_flight == 0);
    CHECK(m.confirmed == 1);
    CHECK(f.orders().wait_idle(std::chrono::milliseconds(0)));
    CHECK(f.orders().process_now(id).value() == ProcessOutcome::kSkipped);  // once
    CHECK(violations(*f.te) == "");
  }

  TEST_CASE(
      "workers retry with back-off until space is back; stop leaves a waiting order pending") {
    Shop f(/*workers=*/1);
    const auto user = f.seed.user("buyer", 5000);
    const auto product = f.seed.product("Widget", 1000, 10);
    // Reopens the engine on the same database (a restart), workers not started yet.
    auto restart = [&] {
      f.te.engine.reset();
      shop::EngineOptions o;
      o.db_path = f.te.dir.file("shop.db");
      o.clock = &f.te.clock;
      o.password_iterations = 1000;
      o.order_workers = 1;
      o.jwt_secret = "test-secret";
      auto e = shop::Engine::open(o);
      REQUIRE(e.is_ok());
      f.te.engine = std::move(*e);
      f.orders().set_task_log(false);
    };

    f.add(user, product, 1);
    const auto first = f.place(user, 0);  // accepted before the workers start
    set_fault(*f.te, WriteFault::kDiskFull);
    REQUIRE(f.te->start().is_ok());
    // Retried (at least twice) and still pending while the disk is full.
    REQUIRE(eventually([&] { return f.orders().metrics().retries >= 2; }));
    CHECK(f.seed.status(first) == "pending");
    auto m = f.orders().metrics();
    CHECK(m.failed == 0);
    CHECK(m.in_flight == 1);
    set_fault(*f.te, WriteFault::kNone);
    REQUIRE(f.orders().wait_idle(std::chrono::seconds(20)));
    CHECK(f.seed.status(first) == "confirmed");
    CHECK(f.seed.stock(product) == 9);
    CHECK(f.orders().metrics().confirmed == 1);

    // A second order is in back-off when the engine stops: stop returns, the order stays pending.
    restart();
    f.add(user, product, 2);
    const auto second = f.place(user, 0);
    set_fault(*f.te, WriteFault::kDiskFull);
    REQUIRE(f.te->start().is_ok());
    REQUIRE(eventually([&] { return f.orders().metrics().retries >= 1; }));
    f.te->stop();
    CHECK(f.orders().metrics().in_flight == 0);
    CHECK(f.seed.status(second) == "pending");

    // The next start (a fresh store: the disk has space again) recovers and confirms it, once.
    restart();
    REQUIRE(f.te->start().is_ok());
    REQUIRE(f.orders().wait_idle(std::chrono::seconds(20)));
    CHECK(f.seed.status(second) == "confirmed");
    CHECK(f.seed.stock(product) == 7);
    CHECK(violations(*f.te) == "");
  }
}

TEST_SUITE("orders storage faults concurrency") {
  TEST_CASE("orders placed while the disk flips between full and not full: every 202 processed") {
    Shop f(/*workers=*/2);
    const auto product = f.seed.product("Widget", 1000, 100000);
    constexpr int kBuyers = 48, kThreads = 4;
    std::vector<std::int64_t> users;
    for (int i = 0; i < kBuyers; ++i) {
      users.push_back(f.seed.user("buyer" + std::to_string(i), i % 2 ? 3000 : 0));
      f.add(users.back(), product, 1 + i % 3);
    }
    REQUIRE(f.te->start().is_ok());

    // The flipper turns the disk full and back every few intake attempts (progress, not time).
    std::atomic<bool> placing{true};
    std::atomic<int> attempts{0}, refused{0};
    auto& store = *f.te->context().store;
    std::atomic<bool> flip_failed{false};
    std::thread flipper([&] {
      bool full = false;
      while (placing.load()) {
        full = !full;
        if (!store.set_write_fault_for_testing(full ? WriteFault::kDiskFull : WriteFault::kNone)) {
          flip_failed = true;
        }
        const int until = attempts.load() + 3;
        while (placing.load() && attempts.load() < until) std::this_thread::yield();
      }
    });
    std::mutex mu;
    std::vector<std::int64_t> accepted;
    std::vector<std::string> unexpected;
    std::atomic<int> next{0};
    std::vector<std::thread> placers;
    for (int t = 0; t < kThreads; ++t) {
      placers.emplace_back([&] {
        for (int i = next++; i < kBuyers; i = next++) {
          const std::int64_t points = i % 2 ? 100 * (1 + i % 5) : 0;
          for (;;) {  // a client retrying after 503 (no Retry-After wait: this is a stress test)
            auto r = f.orders().intake(users[i], ordtest::order_request("12345", points));
            attempts++;
            std::lock_guard lock(mu);
            if (r) {
              accepted.push_back(r->order_id);
              break;
            }
            if (!storage_unavailable(r.error())) {
              unexpected.push_back(r.error().message);
              break;
            }
            refused++;
          }
        }
      });
    }
    for (auto& t : placers) t.join();
    placing = false;
    flipper.join();
    set_fault(*f.te, WriteFault::kNone);
    REQUIRE(f.orders().wait_idle(std::chrono::seconds(60)));

    CHECK_FALSE(flip_failed.load());
    CHECK(refused.load() > 0);  // the disk really was full for some intakes
    CHECK(unexpected.empty());
    CHECK(accepted.size() == static_cast<std::size_t>(kBuyers));
    // A refused intake created nothing; every accepted order was processed, none failed.
    CHECK(f.seed.scalar("SELECT COUNT(*) FROM orders") == kBuyers);
    CHECK(f.seed.scalar("SELECT COUNT(*) FROM orders WHERE status = 'confirmed'") == kBuyers);
    std::int64_t units = 0;
    for (int i = 0; i < kBuyers; ++i) units += 1 + i % 3;
    CHECK(f.seed.stock(product) == 100000 - units);
    auto m = f.orders().metrics();
    CHECK(m.accepted == kBuyers);
    CHECK(m.confirmed == kBuyers);
    CHECK(m.failed == 0);
    CHECK(m.retrying == 0);
    CHECK(m.in_flight == 0);
    CHECK(violations(*f.te) == "");
    MESSAGE("intakes refused while full: " << refused.load() << ", retries: " << m.retries);
  }
}
