// orders_http_test.cpp — /api/orders/, /metrics/ and /health/ against a real shopd: the 202
// contract, detail and list shapes, 405 on edits (D13), ownership, bad input, a full queue (503).
#include <doctest/doctest.h>

#include <chrono>
#include <regex>
#include <thread>

#include "orders_fixtures.h"
#include "support/test_support.h"

using shoptest::http;
using shoptest::http_raw;
using shoptest::json;

namespace {

json shipping(json extra = json::object()) {
  json body = {{"shipping_name", "홍길동"},        {"shipping_phone", "010-1234-5678"},
               {"shipping_postal_code", "12345"},  {"shipping_address", "서울시 중구 세종대로 110"},
               {"shipping_address_detail", "3층"}, {"order_memo", "문 앞에 놓아주세요"}};
  for (auto& [k, v] : extra.items()) body[k] = v;
  return body;
}

struct Server {
  explicit Server(std::vector<std::string> flags = {"--workers", "2", "--no-scheduler"})
      : srv(dir.file("shop.db"), std::move(flags)) {}
  shoptest::TempDir dir;
  shoptest::ShopdProcess srv;
  ordtest::Seed seed{dir.file("shop.db")};
  std::unique_ptr<httplib::Client> c = srv.client();

  void add(const std::string& tok, std::int64_t product, int qty = 1) {
    auto r =
        http(*c, "POST", "/api/cart-items/", {{"product_id", product}, {"quantity", qty}}, tok);
    REQUIRE(r.status == 201);
  }
  // Polls the order until it leaves `pending`.
  json settled(const std::string& tok, std::int64_t id) {
    for (int i = 0; i < 3000; ++i) {
      auto r = http(*c, "GET", "/api/orders/" + std::to_string(id) + "/", nullptr, tok);
      REQUIRE(r.status == 200);
      if (r.body["status"] != "pending") return r.body;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL("order stayed pending");
    return {};
  }
};

}  // namespace

TEST_SUITE("orders http") {
  TEST_CASE("POST /api/orders/: 202 contract, cart emptied, a second order is a 400") {
    Server s;
    const auto u = s.seed.user("alice");
    const auto tok = ordtest::token_for(u);
    const auto p = s.seed.product("Shirt", 12000, 10);
    s.add(tok, p, 2);
    auto r = http(*s.c, "POST", "/api/orders/", shipping(), tok);
    REQUIRE(r.status == 202);
    const auto id = r.body["order_id"].get<std::int64_t>();
    CHECK(r.body["status"] == "pending");
    CHECK(
        std::regex_match(r.body["order_number"].get<std::string>(), std::regex(R"(\d{8}\d{6,})")));
    CHECK(r.body["order_number"].get<std::string>().substr(8) ==
          std::string(6 - std::to_string(id).size(), '0') + std::to_string(id));
    CHECK(std::regex_match(
        r.body["task_id"].get<std::string>(),
        std::regex(R"([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})")));
    CHECK(r.body["message"].is_string());
    CHECK(r.body["status_url"] == "/api/orders/" + std::to_string(id) + "/");
    CHECK(r.body["total_amount"] == "24000");
    CHECK(r.body["final_amount"] == "27000");  // + 3,000 shipping below 30,000

    CHECK(http(*s.c, "GET", "/api/cart-items/", nullptr, tok).body == json::array());
    auto again = http(*s.c, "POST", "/api/orders/", shipping(), tok);
    CHECK(again.status == 400);
    CHECK(again.body["non_field_errors"].is_array());

    json detail = s.settled(tok, id);
    CHECK(detail["status"] == "confirmed");
    CHECK(s.seed.stock(p) == 8);
    for (const char* k : {"id",
                          "user",
                          "user_username",
                          "status",
                          "status_display",
                          "order_items",
                          "total_amount",
                          "shipping_fee",
                          "additional_shipping_fee",
                          "is_free_shipping",
                          "total_shipping_fee",
                          "used_points",
                          "final_amount",
                          "earned_points",
                          "shipping_name",
                          "shipping_phone",
                          "shipping_postal_code",
                          "shipping_address",
                          "shipping_address_detail",
                          "order_memo",
                          "payment_method",
                          "can_cancel",
                          "created_at",
                          "updated_at",
                          "order_number",
                          "failure_reason"}) {
      CHECK_MESSAGE(detail.contains(k), k);
    }
    CHECK(detail["user"] == u);
    CHECK(detail["order_number"] == r.body["order_number"]);
    CHECK(detail["failure_reason"] == "");
    CHECK(detail["can_cancel"] == true);
    CHECK(detail["shipping_fee"] == "3000");
    CHECK(detail["is_free_shipping"] == false);
    CHECK(detail["used_points"] == 0);
    CHECK(detail["order_memo"] == "문 앞에 놓아주세요");
    REQUIRE(detail["order_items"].size() == 1);
    const auto& item = detail["order_items"][0];
    CHECK(item["product"] == p);
    CHECK(item["product_name"] == "Shirt");
    CHECK(item["price"] == "12000");
    CHECK(item["subtotal"] == "24000");
    CHECK(item["quantity"] == 2);
    CHECK(item["product_info"]["name"] == "Shirt");
  }

  TEST_CASE("orders cannot be edited or deleted (405); others' orders are 404") {
    Server s;
    const auto owner = ordtest::token_for(s.seed.user("bob"));
    const auto other = ordtest::token_for(s.seed.user("mallory"));
    s.add(owner, s.seed.product("Hat", 5000, 5));
    auto r = http(*s.c, "POST", "/api/orders/", shipping(), owner);
    REQUIRE(r.status == 202);
    const std::string path = "/api/orders/" + std::to_string(r.body["order_id"].get<long>()) + "/";
    CHECK(http(*s.c, "PUT", path, {{"status", "delivered"}}, owner).status == 405);
    CHECK(http(*s.c, "PATCH", path, {{"final_amount", 0}}, owner).status == 405);
    CHECK(http(*s.c, "DELETE", path, nullptr, owner).status == 405);
    CHECK(http(*s.c, "GET", path, nullptr, other).status == 404);
    auto cancel_other = http(*s.c, "POST", path + "cancel/", nullptr, other);
    CHECK(cancel_other.status == 404);
    CHECK(cancel_other.body.contains("detail"));
    CHECK(http(*s.c, "GET", "/api/orders/999999/", nullptr, owner).status == 404);
    CHECK(http(*s.c, "GET", "/api/orders/abc/", nullptr, owner).status == 404);
    CHECK(http(*s.c, "GET", path).status == 401);
    CHECK(http(*s.c, "POST", "/api/orders/", shipping()).status == 401);

    auto cancel = http(*s.c, "POST", path + "cancel/", nullptr, owner);
    CHECK(cancel.status == 200);
    CHECK(cancel.body["message"].is_string());
    auto twice = http(*s.c, "POST", path + "cancel/", nullptr, owner);
    CHECK(twice.status == 400);
    CHECK(twice.body["error"].is_string());
    auto detail = http(*s.c, "GET", path, nullptr, owner);
    CHECK(detail.body["status"] == "canceled");
    CHECK(detail.body["can_cancel"] == false);
  }

  TEST_CASE("bad order input is a 400 in the contract's shapes, and creates nothing") {
    Server s;
    const auto u = s.seed.user("carol", /*points=*/300);
    const auto tok = ordtest::token_for(u);
    const auto p = s.seed.product("Scarf", 8000, 10);
    auto post = [&](const json& body) { return http(*s.c, "POST", "/api/orders/", body, tok); };

    CHECK(post(shipping()).body["non_field_errors"].is_array());  // empty cart
    s.add(tok, p);
    auto missing = post({{"shipping_name", "Kim"}});
    CHECK(missing.status == 400);
    for (const char* k : {"shipping_phone", "shipping_postal_code", "shipping_address"}) {
      CHECK_MESSAGE(missing.body[k].is_array(), k);
    }
    CHECK(post(shipping({{"shipping_name", "   "}})).body["shipping_name"].is_array());
    CHECK(post(shipping({{"shipping_phone", std::string(21, '1')}}))
              .body["shipping_phone"]
              .is_array());
    CHECK(post(shipping({{"shipping_address", 42}})).body["shipping_address"].is_array());
    CHECK(post(shipping({{"use_points", "100"}})).body["use_points"].is_array());
    CHECK(post(shipping({{"use_points", -5}})).body["use_points"].is_array());
    CHECK(post(shipping({{"use_points", 1.5}})).body["use_points"].is_array());
    CHECK(post(shipping({{"use_points", 1e30}})).body["use_points"].is_array());
    auto huge = http_raw(*s.c, "POST", "/api/orders/",
                         R"({"shipping_name":"a","shipping_phone":"1","shipping_postal_code":"1",)"
                         R"("shipping_address":"a","use_points":99999999999999999999999})",
                         "application/json", tok);
    CHECK(huge.status == 400);
    auto overflow =
        http_raw(*s.c, "POST", "/api/orders/",
                 R"({"shipping_name":"a","shipping_phone":"1","shipping_postal_code":"1",)"
                 R"("shipping_address":"a","use_points":9223372036854775808})",
                 "application/json", tok);
    CHECK(overflow.status == 400);
    CHECK(overflow.body["use_points"].is_array());
    // Point rules: a bare list of one message (contract §1a step 7).
    auto below = post(shipping({{"use_points", 50}}));
    CHECK(below.status == 400);
    REQUIRE(below.body.is_array());
    CHECK(below.body.size() == 1);
    auto balance = post(shipping({{"use_points", 301}}));
    CHECK(balance.status == 400);
    CHECK(balance.body.is_array());
    CHECK(http_raw(*s.c, "POST", "/api/orders/", "{", "application/json", tok).status == 400);
    CHECK(http_raw(*s.c, "POST", "/api/orders/", "\"x\"", "application/json", tok).status == 400);
    // Unavailable lines: {"cart_items": [one message per line]}.
    s.seed.exec("UPDATE products SET stock = 0 WHERE id = " + std::to_string(p));
    auto sold_out = post(shipping());
    CHECK(sold_out.status == 400);
    CHECK(sold_out.body["cart_items"].size() == 1);

    CHECK(s.seed.scalar("SELECT COUNT(*) FROM orders") == 0);
    CHECK(s.seed.cart_quantity(u, p) == 1);
  }

  TEST_CASE("GET /api/orders/: own orders, pagination, status and ordering filters") {
    Server s;
    const auto u = s.seed.user("dave");
    const auto tok = ordtest::token_for(u);
    const auto other = ordtest::token_for(s.seed.user("erin"));
    const auto p = s.seed.product("Sock", 1000, 100);
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 12; ++i) {
      s.add(tok, p);
      auto r = http(*s.c, "POST", "/api/orders/", shipping(), tok);
      REQUIRE(r.status == 202);
      ids.push_back(r.body["order_id"]);
    }
    s.add(other, p);
    REQUIRE(http(*s.c, "POST", "/api/orders/", shipping(), other).status == 202);

    auto page1 = http(*s.c, "GET", "/api/orders/", nullptr, tok);
    REQUIRE(page1.status == 200);
    CHECK(page1.body["count"] == 12);
    CHECK(page1.body["results"].size() == 10);
    CHECK(page1.body["previous"].is_null());
    CHECK(page1.body["next"].get<std::string>().find("page=2") != std::string::npos);
    const auto& first = page1.body["results"][0];
    CHECK(first["id"] == ids.back());
    for (const char* k :
         {"id", "user_username", "status", "status_display", "total_amount", "shipping_fee",
          "total_shipping_fee", "used_points", "final_amount", "item_count", "created_at"}) {
      CHECK_MESSAGE(first.contains(k), k);
    }
    auto page2 = http(*s.c, "GET", "/api/orders/?page=2", nullptr, tok);
    CHECK(page2.body["results"].size() == 2);
    CHECK(page2.body["next"].is_null());
    CHECK(page2.body["previous"].is_string());
    CHECK(http(*s.c, "GET", "/api/orders/?page=3", nullptr, tok).status == 404);
    CHECK(http(*s.c, "GET", "/api/orders/?page=abc", nullptr, tok).status == 404);
    CHECK(http(*s.c, "GET", "/api/orders/?page=0", nullptr, tok).status == 404);
    CHECK(http(*s.c, "GET", "/api/orders/?page_size=5", nullptr, tok).body["results"].size() == 5);
    CHECK(http(*s.c, "GET", "/api/orders/?page_size=0", nullptr, tok).body["results"].size() == 10);
    CHECK(http(*s.c, "GET", "/api/orders/?page_size=x", nullptr, tok).body["results"].size() == 10);
    CHECK(http(*s.c, "GET", "/api/orders/?page_size=100000000000000000000", nullptr, tok)
              .body["results"]
              .size() == 12);
    auto oldest = http(*s.c, "GET", "/api/orders/?ordering=created_at", nullptr, tok);
    CHECK(oldest.body["results"][0]["id"] == ids.front());
    CHECK(http(*s.c, "GET", "/api/orders/?status=failed", nullptr, tok).status == 200);
    auto bogus = http(*s.c, "GET", "/api/orders/?status=bogus", nullptr, tok);
    CHECK(bogus.status == 400);
    CHECK(bogus.body["status"].is_array());
    CHECK(http(*s.c, "GET", "/api/orders/", nullptr, other).body["count"] == 1);
  }

  TEST_CASE("an Idempotency-Key makes a retried order return the first response") {
    Server s;
    const auto u = s.seed.user("retry");
    const auto tok = ordtest::token_for(u);
    s.add(tok, s.seed.product("Bag", 7000, 10));
    const httplib::Headers key = {{"Idempotency-Key", "order-retry-0001"}};
    auto first = http(*s.c, "POST", "/api/orders/", shipping(), tok, key);
    REQUIRE(first.status == 202);
    auto retry = http(*s.c, "POST", "/api/orders/", shipping(), tok, key);
    CHECK(retry.status == 202);
    CHECK(retry.body == first.body);
    CHECK(s.seed.scalar("SELECT COUNT(*) FROM orders") == 1);
    // Without the key, the (now empty) cart gives the usual 400.
    CHECK(http(*s.c, "POST", "/api/orders/", shipping(), tok).status == 400);
  }

  TEST_CASE("a full queue answers 503 with Retry-After and creates nothing") {
    Server s({"--workers", "0", "--queue-capacity", "2", "--no-scheduler"});
    const auto u = s.seed.user("frank");
    const auto tok = ordtest::token_for(u);
    const auto p = s.seed.product("Pan", 20000, 10);
    for (int i = 0; i < 2; ++i) {
      s.add(tok, p);
      REQUIRE(http(*s.c, "POST", "/api/orders/", shipping(), tok).status == 202);
    }
    s.add(tok, p);
    auto full = http(*s.c, "POST", "/api/orders/", shipping(), tok);
    CHECK(full.status == 503);
    bool retry_after = false;
    for (const auto& [k, v] : full.headers) retry_after |= k == "Retry-After";
    CHECK(retry_after);
    CHECK(full.body.contains("detail"));
    CHECK(s.seed.scalar("SELECT COUNT(*) FROM orders") == 2);
    CHECK(s.seed.cart_quantity(u, p) == 1);
    auto m = http(*s.c, "GET", "/metrics/");
    CHECK(m.body["orders"]["queue_depth"] == 2);
    CHECK(m.body["orders"]["capacity"] == 2);
    CHECK(m.body["orders"]["workers"] == 0);
  }

  TEST_CASE("with --require-verified-email an unverified account gets the 403 body") {
    Server s({"--workers", "0", "--require-verified-email", "--no-scheduler"});
    const auto tok = ordtest::token_for(s.seed.user("gina", 0, false, /*email_verified=*/false));
    auto r = http(*s.c, "POST", "/api/orders/", json::object(), tok);  // 403 before field errors
    CHECK(r.status == 403);
    CHECK(r.body["verification_required"] == true);
    CHECK(r.body["verification_url"].is_string());
    CHECK(r.body.contains("error"));
    CHECK(r.body.contains("detail"));
  }

  TEST_CASE("/metrics/ and /health/") {
    Server s;
    auto h = http(*s.c, "GET", "/health/");
    CHECK(h.status == 200);
    CHECK(h.body["status"] == "ok");
    auto m = http(*s.c, "GET", "/metrics/");
    REQUIRE(m.status == 200);
    for (const char* k : {"queue_depth", "in_flight", "capacity", "workers", "accepted",
                          "confirmed", "failed", "skipped", "canceled", "retrying", "retries"}) {
      CHECK_MESSAGE(m.body["orders"][k].is_number_integer(), k);
    }
    CHECK(m.body["store"]["writes"].is_number());
    CHECK(m.body["store"]["commits"].is_number());
    CHECK(m.body["uptime_s"].is_number());
    CHECK(m.body["orders"]["workers"] == 2);
  }
}
