// orders_crash_test.cpp — a shopd killed with SIGKILL while accepted orders are pending (or being
// processed) comes back and processes every one of them exactly once: none lost, none applied
// twice (DESIGN.md §3 Durability, §4.3).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "orders_fixtures.h"
#include "shop/admin.h"
#include "support/test_support.h"

using shoptest::http;
using shoptest::json;

namespace {

json shipping() {
  return {{"shipping_name", "Lee"},
          {"shipping_phone", "010-9999-0000"},
          {"shipping_postal_code", "12345"},
          {"shipping_address", "Busan"}};
}

// Places one order per token for `product` (qty 1 each) from `threads` client threads; returns
// the accepted order ids.
std::vector<std::int64_t> place_orders(shoptest::ShopdProcess& srv,
                                       const std::vector<std::string>& tokens, std::int64_t product,
                                       int threads = 1) {
  std::mutex mu;
  std::vector<std::int64_t> ids;
  std::atomic<std::size_t> next{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      auto c = srv.client();
      for (std::size_t i = next++; i < tokens.size(); i = next++) {
        auto add = http(*c, "POST", "/api/cart-items/", {{"product_id", product}, {"quantity", 1}},
                        tokens[i]);
        auto r = http(*c, "POST", "/api/orders/", shipping(), tokens[i]);
        if (add.status != 201 || r.status != 202) {
          ++bad;
          continue;
        }
        std::lock_guard lock(mu);
        ids.push_back(r.body["order_id"]);
      }
    });
  }
  for (auto& t : pool) t.join();
  CHECK(bad.load() == 0);
  return ids;
}

// Polls /metrics/ until nothing is queued or in flight.
void wait_drained(shoptest::ShopdProcess& srv) {
  auto c = srv.client();
  for (int i = 0; i < 6000; ++i) {
    auto m = http(*c, "GET", "/metrics/");
    REQUIRE(m.status == 200);
    if (m.body["orders"]["queue_depth"] == 0 && m.body["orders"]["in_flight"] == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("the order queue did not drain");
}

std::string verify_strict(const std::string& db) {
  shop::EngineOptions o;
  o.db_path = db;
  o.order_workers = 0;
  o.jwt_secret = "test-secret";
  auto engine = shop::Engine::open(o);
  if (!engine) return engine.error().message;
  shop::VerifyOptions vo;
  vo.strict = true;
  auto report = (*engine)->admin().verify(vo);
  if (!report) return report.error().message;
  std::string out;
  for (const auto& v : report->violations) out += v.check + ": " + v.message + "\n";
  return out;
}

}  // namespace

TEST_SUITE("orders crash") {
  TEST_CASE("kill -9 with accepted orders pending: the restart processes each exactly once") {
    shoptest::TempDir dir;
    const std::string db = dir.file("shop.db");
    constexpr int kOrders = 30;
    std::vector<std::int64_t> ids;
    std::int64_t product = 0;
    {
      // Intake only: every accepted order stays pending.
      shoptest::ShopdProcess srv(db, {"--workers", "0", "--no-scheduler"});
      ordtest::Seed seed(db);
      product = seed.product("Kettle", 25000, 100);
      std::vector<std::string> tokens;
      for (int i = 0; i < kOrders; ++i)
        tokens.push_back(ordtest::token_for(seed.user("u" + std::to_string(i))));
      ids = place_orders(srv, tokens, product);
      srv.kill9();
      CHECK(seed.scalar("SELECT COUNT(*) FROM orders WHERE status = 'pending'") == kOrders);
      CHECK(seed.stock(product) == 100);
    }
    {
      shoptest::ShopdProcess srv(db, {"--workers", "2", "--no-scheduler"});
      wait_drained(srv);
      ordtest::Seed seed(db);
      for (auto id : ids) CHECK(seed.status(id) == "confirmed");
      CHECK(seed.stock(product) == 100 - kOrders);  // each order took its unit once
      CHECK(seed.stock_accounting_holds(product));
      auto m = http(*srv.client(), "GET", "/metrics/");
      CHECK(m.body["orders"]["confirmed"] == kOrders);
      CHECK(m.body["orders"]["skipped"] == 0);
      CHECK(srv.stop() == 0);
    }
    CHECK(verify_strict(db) == "");
  }

  TEST_CASE("kill -9 while workers are processing: nothing lost, nothing applied twice") {
    shoptest::TempDir dir;
    const std::string db = dir.file("shop.db");
    constexpr int kOrders = 200;
    std::vector<std::int64_t> ids;
    std::int64_t product = 0;
    {
      shoptest::ShopdProcess srv(db, {"--workers", "1", "--no-scheduler"});
      ordtest::Seed seed(db);
      product = seed.product("Lamp", 9000, 1000);
      std::vector<std::string> tokens;
      for (int i = 0; i < kOrders; ++i)
        tokens.push_back(ordtest::token_for(seed.user("w" + std::to_string(i))));
      ids = place_orders(srv, tokens, product, /*threads=*/16);
      srv.kill9();  // some processed, maybe one mid-transaction, the rest pending
    }
    {
      shoptest::ShopdProcess srv(db, {"--workers", "2", "--no-scheduler"});
      wait_drained(srv);
      ordtest::Seed seed(db);
      for (auto id : ids) CHECK(seed.status(id) == "confirmed");
      CHECK(seed.stock(product) == 1000 - kOrders);
      CHECK(seed.scalar("SELECT COUNT(*) FROM order_items WHERE stock_state = 1") == kOrders);
      CHECK(srv.stop() == 0);
    }
    CHECK(verify_strict(db) == "");
  }
}
