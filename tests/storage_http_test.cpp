// storage_http_test.cpp — a real "disk full" under a running shopd: the test lowers shopd's file
// size limit (RLIMIT_FSIZE, via prlimit) so SQLite's writes fail as on a full disk, then lifts it.
#include <doctest/doctest.h>
#include <sys/resource.h>

#include <chrono>
#include <thread>

#include "orders_fixtures.h"
#include "support/test_support.h"

using shoptest::http;
using shoptest::json;

namespace {

// Sets the soft limit only: the hard one stays, so the limit can be lifted again.
bool set_file_size_limit(pid_t pid, rlim_t bytes) {
  rlimit rl{};
  if (prlimit(pid, RLIMIT_FSIZE, nullptr, &rl) != 0) return false;
  rl.rlim_cur = bytes == RLIM_INFINITY ? rl.rlim_max : bytes;
  return prlimit(pid, RLIMIT_FSIZE, &rl, nullptr) == 0;
}

const json kShipping = {{"shipping_name", "Kim"},
                        {"shipping_phone", "010-1234-5678"},
                        {"shipping_postal_code", "12345"},
                        {"shipping_address", "Seoul 1"}};

}  // namespace

TEST_SUITE("storage http") {
  TEST_CASE("disk full: writes answer 503 + Retry-After and change nothing; service resumes") {
    shoptest::TempDir dir;
    const std::string db = dir.file("shop.db");
    shoptest::ShopdProcess srv(db, {"--workers", "1", "--no-scheduler"});
    ordtest::Seed seed(db);
    const auto user = seed.user("fullness", 1000);
    const auto product = seed.product("Kettle", 30000, 50);
    const std::string token = ordtest::token_for(user);
    auto c = srv.client();
    REQUIRE(http(*c, "POST", "/api/cart-items/", {{"product_id", product}, {"quantity", 1}}, token)
                .status == 201);

    // No file of shopd may grow any more. The next write that needs more space fails.
    REQUIRE(set_file_size_limit(srv.pid(), 0));
    shoptest::HttpResult full;
    int attempts = 0;
    for (; attempts < 200; ++attempts) {
      full = http(*c, "POST", "/api/orders/", kShipping, token);
      if (full.status != 202) break;
      // An order got through before the limit bit: put a line back for the next attempt.
      REQUIRE(set_file_size_limit(srv.pid(), RLIM_INFINITY));
      REQUIRE(http(*c, "POST", "/api/cart-items/", {{"product_id", product}, {"quantity", 1}},
                   token)
                  .status == 201);
      REQUIRE(set_file_size_limit(srv.pid(), 0));
    }
    REQUIRE(full.status == 503);
    CHECK_FALSE(full.headers.find("Retry-After") == full.headers.end());
    CHECK(full.raw.find("STORAGE_UNAVAILABLE") != std::string::npos);
    CHECK(full.raw.find("SQLITE") == std::string::npos);  // no storage internals on the wire
    CHECK(full.raw.find("disk") == std::string::npos);

    // Other writes fail the same way; reads keep working.
    auto add = http(*c, "POST", "/api/cart-items/", {{"product_id", product}, {"quantity", 1}}, token);
    CHECK(add.status == 503);
    CHECK(http(*c, "GET", "/api/products/" + std::to_string(product) + "/").status == 200);
    CHECK(http(*c, "GET", "/api/points/my/", nullptr, token).status == 200);
    auto cart = http(*c, "GET", "/api/cart-items/", nullptr, token);
    REQUIRE(cart.status == 200);
    CHECK(cart.body.size() == 1);  // the refused order left the cart as it was
    CHECK(cart.body[0]["quantity"] == 1);

    // Space is back: the same order goes through and is processed.
    REQUIRE(set_file_size_limit(srv.pid(), RLIM_INFINITY));
    shoptest::HttpResult ok;
    for (int i = 0; i < 50; ++i) {  // the first write after the limit may still see it
      ok = http(*c, "POST", "/api/orders/", kShipping, token);
      if (ok.status == 202) break;
    }
    REQUIRE(ok.status == 202);
    const auto order_id = ok.body["order_id"].get<std::int64_t>();
    std::string status;
    for (int i = 0; i < 200 && status != "confirmed"; ++i) {
      status = http(*c, "GET", "/api/orders/" + std::to_string(order_id) + "/", nullptr, token)
                   .body.value("status", "");
      if (status != "confirmed") std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    CHECK(status == "confirmed");
    srv.stop();
    auto verify = shoptest::run_shopctl({"--db", db, "verify", "--strict"});
    INFO(verify.out << verify.err);
    CHECK(verify.exit_code == 0);
  }
}
