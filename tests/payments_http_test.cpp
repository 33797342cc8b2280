// HTTP tests of /api/payments/ against a real shopd: shapes and status codes, bad input, the
// Idempotency-Key header on confirm, and the reference's Locust payment flows.
#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "auth/jwt.h"
#include "engine_context.h"
#include "support/test_support.h"

using shoptest::http;
using shoptest::json;

namespace {

// Users alice and bob, products Apple (10,000) and Banana (25,000) with stock 100, written before
// shopd starts. Orders are then added as `confirmed` through SQLite directly (WAL: beside shopd).
struct HttpShop {
  shoptest::TempDir dir;
  std::string db_path = dir.file("shop.db");
  std::int64_t alice = 0, bob = 0, apple = 0, banana = 0;
  std::unique_ptr<shoptest::ShopdProcess> server;
  std::unique_ptr<httplib::Client> client;

  HttpShop() {
    {
      shop::EngineOptions o;
      o.db_path = db_path;
      o.jwt_secret = "test-secret";
      o.password_iterations = 1000;
      auto engine = shop::Engine::open(o);
      REQUIRE(engine.is_ok());
    }
    SQLite::Database db(db_path, SQLite::OPEN_READWRITE);
    const auto now = static_cast<std::int64_t>(std::time(nullptr)) * 1'000'000;
    auto add_user = [&](const std::string& name) {
      SQLite::Statement u(db,
                          "INSERT INTO users(username, email, password_hash, first_name, "
                          "date_joined) VALUES (?, ?, 'x', ?, ?)");
      u.bind(1, name);
      u.bind(2, name + "@example.com");
      u.bind(3, name);
      u.bind(4, now);
      u.exec();
      return db.getLastInsertRowid();
    };
    alice = add_user("alice");
    bob = add_user("bob");
    db.exec("INSERT INTO categories(name, slug, created_at, updated_at) VALUES ('C', 'c', 0, 0)");
    auto add_product = [&](const std::string& name, std::int64_t price) {
      SQLite::Statement p(db,
                          "INSERT INTO products(name, slug, price, stock, initial_stock, sku, "
                          "category_id, created_at, updated_at) VALUES (?, ?, ?, 100, 100, ?, 1, "
                          "0, 0)");
      p.bind(1, name);
      p.bind(2, "slug-" + name);
      p.bind(3, price);
      p.bind(4, "sku-" + name);
      p.exec();
      return db.getLastInsertRowid();
    };
    apple = add_product("Apple", 10000);
    banana = add_product("Banana", 25000);
    server = std::make_unique<shoptest::ShopdProcess>(db_path);
    client = server->client();
  }

  std::string token(std::int64_t user) const {
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    return shop::jwt::sign(shop::jwt::make_claims(shop::jwt::TokenType::kAccess, user, now,
                                                  shop::jwt::kAccessLifetimeSeconds),
                           "test-secret");
  }

  // A confirmed order of `qty` x product (stock taken, items snapshotted); returns its id.
  std::int64_t confirmed_order(std::int64_t user, std::int64_t product, std::int64_t qty) {
    SQLite::Database db(db_path, SQLite::OPEN_READWRITE);
    db.setBusyTimeout(5000);
    // IMMEDIATE: a deferred transaction upgrading to a writer while shopd writes gets SQLITE_BUSY
    // without waiting.
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement price(db, "SELECT price FROM products WHERE id = ?");
    price.bind(1, product);
    REQUIRE(price.executeStep());
    const std::int64_t total = price.getColumn(0).getInt64() * qty;
    const std::int64_t shipping = total >= 30000 ? 0 : 3000;
    SQLite::Statement o(db,
                        "INSERT INTO orders(user_id, status, total_amount, shipping_fee, "
                        "additional_shipping_fee, is_free_shipping, final_amount, shipping_name, "
                        "shipping_phone, shipping_postal_code, shipping_address, created_at, "
                        "updated_at) VALUES (?, 'confirmed', ?, ?, 0, 0, ?, 'n', 'p', '12345', "
                        "'a', 0, 0)");
    o.bind(1, user);
    o.bind(2, total);
    o.bind(3, shipping);
    o.bind(4, total + shipping);
    o.exec();
    const auto id = db.getLastInsertRowid();
    SQLite::Statement i(db,
                        "INSERT INTO order_items(order_id, product_id, product_name, quantity, "
                        "price, stock_state) SELECT ?, id, name, ?, price, 1 FROM products "
                        "WHERE id = ?");
    i.bind(1, id);
    i.bind(2, qty);
    i.bind(3, product);
    i.exec();
    SQLite::Statement s(db, "UPDATE products SET stock = stock - ? WHERE id = ?");
    s.bind(1, qty);
    s.bind(2, product);
    s.exec();
    tx.commit();
    return id;
  }

  std::int64_t scalar(const std::string& sql) {
    SQLite::Database db(db_path, SQLite::OPEN_READONLY);
    db.setBusyTimeout(5000);
    return db.execAndGet(sql).getInt64();
  }

  shoptest::HttpResult post(const std::string& path, const json& body, std::int64_t user,
                            const httplib::Headers& headers = {}) {
    return http(*client, "POST", path, body, token(user), headers);
  }
  shoptest::HttpResult get(const std::string& path, std::int64_t user) {
    return http(*client, "GET", path, nullptr, token(user));
  }
};

std::string header(const shoptest::HttpResult& r, const char* name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

}  // namespace

TEST_SUITE("payments http") {
  TEST_CASE("every payment route needs a valid token") {
    HttpShop shop;
    const std::vector<std::pair<std::string, std::string>> routes = {
        {"POST", "/api/payments/request/"}, {"POST", "/api/payments/confirm/"},
        {"GET", "/api/payments/"},          {"GET", "/api/payments/1/"},
        {"GET", "/api/payments/1/status/"}, {"POST", "/api/payments/cancel/"},
        {"POST", "/api/payments/fail/"}};
    for (const auto& [method, path] : routes) {
      CAPTURE(path);
      auto anonymous = http(*shop.client, method, path, json::object());
      CHECK(anonymous.status == 401);
      CHECK(anonymous.body.contains("detail"));
      auto forged = http(*shop.client, method, path, json::object(), "not.a.token");
      CHECK(forged.status == 401);
      CHECK(forged.body["code"] == "token_not_valid");
    }
  }

  TEST_CASE(
      "request 201, confirm 202, status, detail, list and cancel have the contract's shapes") {
    HttpShop shop;
    const auto order = shop.confirmed_order(shop.alice, shop.banana, 2);

    auto req = shop.post("/api/payments/request/", {{"order_id", order}}, shop.alice);
    REQUIRE(req.status == 201);
    CHECK(req.body["order_id"] == order);
    CHECK(req.body["amount"] == 50000);
    CHECK(req.body["amount"].is_number_integer());
    CHECK(req.body["order_name"] == "Banana");
    CHECK(req.body["customer_name"] == "alice");
    CHECK(req.body["customer_email"] == "alice@example.com");
    CHECK(req.body["client_key"] == "test_ck_shopd");
    CHECK(req.body["success_url"].get<std::string>().find("/payment/success") != std::string::npos);
    CHECK(req.body["fail_url"].get<std::string>().find("/payment/fail") != std::string::npos);
    const std::int64_t payment_id = req.body["payment_id"];

    auto conf = shop.post("/api/payments/confirm/",
                          {{"order_id", order},
                           {"payment_key", "test_payment_" + std::to_string(payment_id)},
                           {"amount", 50000}},
                          shop.alice);
    REQUIRE_MESSAGE(conf.status == 202, conf.raw);
    CHECK(conf.body["status"] == "done");
    CHECK(conf.body["payment_id"] == payment_id);
    CHECK(conf.body["order_status"] == "paid");
    CHECK(conf.body["earned_points"] == 500);
    CHECK(conf.body["task_id"].get<std::string>().size() == 36);
    CHECK(conf.body["message"].is_string());
    CHECK(conf.body["status_url"] == "/api/payments/" + std::to_string(payment_id) + "/status/");
    CHECK(header(conf, "Idempotent-Replayed").empty());

    auto st = shop.get("/api/payments/" + std::to_string(payment_id) + "/status/", shop.alice);
    REQUIRE(st.status == 200);
    CHECK(st.body == json{{"payment_id", payment_id},
                          {"status", "done"},
                          {"is_paid", true},
                          {"order_status", "paid"},
                          {"order_id", order}});

    auto detail = shop.get("/api/payments/" + std::to_string(payment_id) + "/", shop.alice);
    REQUIRE(detail.status == 200);
    for (const char* field : {"id", "order_id", "order_number", "amount", "status", "method",
                              "payment_key", "failure_reason", "canceled_amount", "approved_at",
                              "canceled_at", "created_at", "updated_at", "is_paid"}) {
      CHECK_MESSAGE(detail.body.contains(field), field);
    }
    CHECK(detail.body["amount"] == 50000);
    CHECK(detail.body["is_paid"] == true);
    CHECK(detail.body["canceled_at"].is_null());
    CHECK(detail.body["approved_at"].get<std::string>().find("+09:00") != std::string::npos);

    auto list = shop.get("/api/payments/?page=1&page_size=5", shop.alice);
    REQUIRE(list.status == 200);
    CHECK(list.body["count"] == 1);
    CHECK(list.body["page"] == 1);
    CHECK(list.body["page_size"] == 5);
    REQUIRE(list.body["results"].size() == 1);
    CHECK(list.body["results"][0]["id"] == payment_id);
    CHECK(shop.get("/api/payments/?status=done", shop.alice).body["count"] == 1);
    CHECK(shop.get("/api/payments/?status=ready", shop.alice).body["count"] == 0);
    CHECK(shop.get("/api/payments/", shop.bob).body["count"] == 0);

    CHECK(shop.scalar("SELECT sold_count FROM products WHERE id = " +
                      std::to_string(shop.banana)) == 2);
    auto cancel =
        shop.post("/api/payments/cancel/",
                  {{"payment_id", payment_id}, {"cancel_reason", "changed my mind"}}, shop.alice);
    REQUIRE_MESSAGE(cancel.status == 200, cancel.raw);
    CHECK(cancel.body["message"].is_string());
    CHECK(cancel.body["payment"]["status"] == "canceled");
    CHECK(cancel.body["refund_amount"] == 50000);
    CHECK(cancel.body["refunded_points"] == 0);
    CHECK(cancel.body["deducted_points"] == 500);
    CHECK(shop.scalar("SELECT stock FROM products WHERE id = " + std::to_string(shop.banana)) ==
          100);
    CHECK(shop.scalar("SELECT sold_count FROM products WHERE id = " +
                      std::to_string(shop.banana)) == 0);
    CHECK(shop.scalar("SELECT points FROM users WHERE id = " + std::to_string(shop.alice)) == 0);

    auto again = shop.post("/api/payments/cancel/",
                           {{"payment_id", payment_id}, {"cancel_reason", "again"}}, shop.alice);
    CHECK(again.status == 400);
    CHECK(again.body["error"].is_string());
    CHECK(again.body["code"] == "ALREADY_CANCELED");
  }

  TEST_CASE("the locustfile PaymentUser confirms without a request; a decline is a 400") {
    HttpShop shop;
    const auto order = shop.confirmed_order(shop.alice, shop.apple, 1);
    auto declined =
        shop.post("/api/payments/confirm/",
                  {{"order_id", order}, {"payment_key", "fail_card_declined"}, {"amount", 13000}},
                  shop.alice);
    CHECK(declined.status == 400);
    CHECK(declined.body["error"].is_string());
    CHECK(declined.body["code"] == "PAYMENT_DECLINED");
    CHECK(shop.scalar("SELECT COUNT(*) FROM payments WHERE status = 'aborted'") == 1);

    auto ok = shop.post("/api/payments/confirm/",
                        {{"order_id", order},
                         {"payment_key", "test_key_1767225600000_1234"},
                         {"amount", "13000"}},  // the reference's DecimalField takes a string too
                        shop.alice);
    REQUIRE_MESSAGE(ok.status == 202, ok.raw);
    CHECK(ok.body["status"] == "done");

    auto twice = shop.post("/api/payments/confirm/",
                           {{"order_id", order}, {"payment_key", "test_key_2"}, {"amount", 13000}},
                           shop.alice);
    CHECK(twice.status == 400);
    CHECK(twice.body["code"] == "ALREADY_PAID");

    auto fail = shop.post("/api/payments/fail/",
                          {{"order_id", std::to_string(order)}, {"code", "X"}, {"message", "m"}},
                          shop.alice);
    CHECK(fail.status == 400);
    CHECK(fail.body["code"] == "ALREADY_PAID");
  }

  TEST_CASE("fail marks the ready payment aborted") {
    HttpShop shop;
    const auto order = shop.confirmed_order(shop.alice, shop.apple, 1);
    REQUIRE(shop.post("/api/payments/request/", {{"order_id", order}}, shop.alice).status == 201);
    auto fail = shop.post(
        "/api/payments/fail/",
        {{"order_id", std::to_string(order)}, {"code", "USER_CANCEL"}, {"message", "closed"}},
        shop.alice);
    REQUIRE_MESSAGE(fail.status == 200, fail.raw);
    CHECK(fail.body["status"] == "aborted");
    CHECK(fail.body["fail_code"] == "USER_CANCEL");
    CHECK(fail.body["fail_message"] == "closed");
    CHECK(fail.body["order_id"] == order);
  }

  TEST_CASE("bad input is a clear 4xx and changes nothing") {
    HttpShop shop;
    const auto order = shop.confirmed_order(shop.alice, shop.apple, 1);
    const auto bobs = shop.confirmed_order(shop.bob, shop.apple, 1);
    auto raw = [&](const std::string& path, const std::string& body) {
      return shoptest::http_raw(*shop.client, "POST", path, body, "application/json",
                                shop.token(shop.alice));
    };
    CHECK(raw("/api/payments/confirm/", "{not json").status == 400);
    CHECK(raw("/api/payments/confirm/", "[1,2]").status == 400);
    CHECK(raw("/api/payments/request/", "\"x\"").status == 400);

    auto missing = shop.post("/api/payments/confirm/", json::object(), shop.alice);
    CHECK(missing.status == 400);
    CHECK(missing.body.contains("order_id"));
    CHECK(missing.body.contains("payment_key"));
    CHECK(missing.body.contains("amount"));
    const std::vector<json> bad_confirms = {
        {{"order_id", "abc"}, {"payment_key", "k"}, {"amount", 13000}},
        {{"order_id", -1}, {"payment_key", "k"}, {"amount", 13000}},
        {{"order_id", 1.5}, {"payment_key", "k"}, {"amount", 13000}},
        {{"order_id", true}, {"payment_key", "k"}, {"amount", 13000}},
        {{"order_id", order}, {"payment_key", 42}, {"amount", 13000}},
        {{"order_id", order}, {"payment_key", ""}, {"amount", 13000}},
        {{"order_id", order}, {"payment_key", std::string(201, 'k')}, {"amount", 13000}},
        {{"order_id", order}, {"payment_key", "k"}, {"amount", -5}},
        {{"order_id", order}, {"payment_key", "k"}, {"amount", "12x"}},
        {{"order_id", order}, {"payment_key", "k"}, {"amount", "99999999999999999999999"}},
        {{"order_id", order}, {"payment_key", "k"}, {"amount", 12999}},
    };
    for (const auto& body : bad_confirms) {
      CAPTURE(body.dump());
      auto r = shop.post("/api/payments/confirm/", body, shop.alice);
      CHECK(r.status == 400);
      CHECK(r.body.is_object());
    }
    auto huge = raw("/api/payments/confirm/",
                    R"({"order_id": 99999999999999999999, "payment_key": "k", "amount": 1})");
    CHECK(huge.status == 400);

    auto others =
        shop.post("/api/payments/confirm/",
                  {{"order_id", bobs}, {"payment_key", "k"}, {"amount", 13000}}, shop.alice);
    CHECK(others.status == 404);
    CHECK(others.body["error"].is_string());
    CHECK(shop.post("/api/payments/request/", {{"order_id", 424242}}, shop.alice).status == 404);
    CHECK(shop.post("/api/payments/request/", {{"order_id", order}, {"payment_method", 7}},
                    shop.alice)
              .status == 400);

    auto bob_req = shop.post("/api/payments/request/", {{"order_id", bobs}}, shop.bob);
    REQUIRE(bob_req.status == 201);
    const std::string bob_payment = std::to_string(bob_req.body["payment_id"].get<std::int64_t>());
    auto detail = shop.get("/api/payments/" + bob_payment + "/", shop.alice);
    CHECK(detail.status == 404);
    CHECK(detail.body["error"].is_string());
    CHECK(shop.get("/api/payments/" + bob_payment + "/status/", shop.alice).status == 404);
    CHECK(shop.get("/api/payments/abc/", shop.alice).status == 404);
    CHECK(shop.get("/api/payments/0/", shop.alice).status == 404);
    CHECK(shop.get("/api/payments/99999999999999999999/", shop.alice).status == 404);

    for (const char* q : {"page=0", "page=abc", "page=-1", "page_size=0", "page_size=101",
                          "page_size=x", "status=bogus"}) {
      CAPTURE(q);
      auto r = shop.get(std::string("/api/payments/?") + q, shop.alice);
      CHECK(r.status == 400);
      CHECK(r.body["error"].is_string());
    }
    CHECK(shop.get("/api/payments/?page=999", shop.alice).body["results"].empty());

    CHECK(shop.post("/api/payments/cancel/", {{"payment_id", 1}}, shop.alice).status == 400);
    CHECK(shop.post("/api/payments/cancel/", {{"payment_id", "x"}, {"cancel_reason", "r"}},
                    shop.alice)
              .status == 400);
    CHECK(shop.post("/api/payments/cancel/",
                    {{"payment_id", 1}, {"cancel_reason", std::string(201, 'r')}}, shop.alice)
              .status == 400);
    CHECK(shop.post("/api/payments/fail/", {{"order_id", "abc"}, {"code", "X"}, {"message", "m"}},
                    shop.alice)
              .status == 400);
    CHECK(shop.post("/api/payments/fail/", {{"order_id", order}}, shop.alice).status == 400);

    CHECK(shop.scalar("SELECT COUNT(*) FROM payments WHERE status <> 'ready'") == 0);
    CHECK(shop.scalar("SELECT COUNT(*) FROM orders WHERE status <> 'confirmed'") == 0);
  }

  TEST_CASE("Idempotency-Key on confirm replays the first response instead of paying twice") {
    HttpShop shop;
    const auto order = shop.confirmed_order(shop.alice, shop.banana, 2);
    const json body = {{"order_id", order}, {"payment_key", "test_key_1"}, {"amount", 50000}};
    const httplib::Headers key = {{"Idempotency-Key", "confirm-order-1"}};
    auto first = shop.post("/api/payments/confirm/", body, shop.alice, key);
    REQUIRE_MESSAGE(first.status == 202, first.raw);
    auto second = shop.post("/api/payments/confirm/", body, shop.alice, key);
    CHECK(second.status == 202);
    CHECK(second.raw == first.raw);
    CHECK(header(second, "Idempotent-Replayed") == "true");
    CHECK(shop.scalar("SELECT COUNT(*) FROM point_entries WHERE type = 'earn'") == 1);
    CHECK(shop.scalar("SELECT points FROM users WHERE id = " + std::to_string(shop.alice)) == 500);

    // Without the key the same request is a second attempt: refused, nothing doubled.
    CHECK(shop.post("/api/payments/confirm/", body, shop.alice).status == 400);

    json other = body;
    other["payment_key"] = "test_key_2";
    auto reused = shop.post("/api/payments/confirm/", other, shop.alice, key);
    CHECK(reused.status == 422);
    CHECK(reused.body["detail"].is_string());

    // Keys are per user: bob's identical key is his own (and his request is a 404).
    auto bobs = shop.post("/api/payments/confirm/", body, shop.bob, key);
    CHECK(bobs.status == 404);
    CHECK(header(bobs, "Idempotent-Replayed").empty());

    auto bad = shop.post("/api/payments/confirm/", body, shop.alice,
                         {{"Idempotency-Key", std::string(256, 'k')}});
    CHECK(bad.status == 400);
    CHECK(bad.body["detail"].is_string());
    auto anonymous = http(*shop.client, "POST", "/api/payments/confirm/", body, "", key);
    CHECK(anonymous.status == 401);
  }

  TEST_CASE("a declined confirm is stored under its key and replayed") {
    HttpShop shop;
    const auto order = shop.confirmed_order(shop.alice, shop.apple, 1);
    const json body = {{"order_id", order}, {"payment_key", "decline_1"}, {"amount", 13000}};
    const httplib::Headers key = {{"Idempotency-Key", "k-decline"}};
    auto first = shop.post("/api/payments/confirm/", body, shop.alice, key);
    CHECK(first.status == 400);
    auto second = shop.post("/api/payments/confirm/", body, shop.alice, key);
    CHECK(second.status == 400);
    CHECK(second.raw == first.raw);
    CHECK(header(second, "Idempotent-Replayed") == "true");
    CHECK(shop.scalar("SELECT COUNT(*) FROM payments") == 1);
  }
}

TEST_SUITE("payments http concurrency") {
  TEST_CASE("racing confirms with one Idempotency-Key: one payment, the rest replay or wait") {
    HttpShop shop;
    const auto order = shop.confirmed_order(shop.alice, shop.banana, 2);
    const json body = {{"order_id", order}, {"payment_key", "test_key_race"}, {"amount", 50000}};
    std::atomic<int> fresh{0}, replayed{0}, in_progress{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
      threads.emplace_back([&] {
        auto c = shop.server->client();
        for (int i = 0; i < 5; ++i) {
          auto r = http(*c, "POST", "/api/payments/confirm/", body, shop.token(shop.alice),
                        {{"Idempotency-Key", "race"}});
          if (r.status == 202 && header(r, "Idempotent-Replayed").empty()) {
            ++fresh;
          } else if (r.status == 202) {
            ++replayed;
          } else if (r.status == 409) {
            ++in_progress;
          } else {
            ++other;
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(fresh == 1);
    CHECK(other == 0);
    CHECK(fresh + replayed + in_progress == 30);
    CHECK(shop.scalar("SELECT COUNT(*) FROM payments") == 1);
    CHECK(shop.scalar("SELECT COUNT(*) FROM point_entries WHERE type = 'earn'") == 1);
    CHECK(shop.scalar("SELECT sold_count FROM products WHERE id = " +
                      std::to_string(shop.banana)) == 2);
  }

  TEST_CASE("concurrent_payment_locust flow: cart, order 202, poll confirmed, request, confirm") {
    HttpShop shop;
    constexpr int kUsers = 12;
    std::vector<std::int64_t> users;
    {
      SQLite::Database db(shop.db_path, SQLite::OPEN_READWRITE);
      db.setBusyTimeout(5000);
      for (int i = 0; i < kUsers; ++i) {
        SQLite::Statement u(db,
                            "INSERT INTO users(username, email, password_hash, date_joined) "
                            "VALUES (?, ?, 'x', 0)");
        u.bind(1, "load_test_user_" + std::to_string(i));
        u.bind(2, "load_test_user_" + std::to_string(i) + "@example.com");
        u.exec();
        users.push_back(db.getLastInsertRowid());
      }
    }
    std::atomic<int> paid{0};
    std::vector<std::string> failures(kUsers);
    std::vector<std::thread> threads;
    for (int i = 0; i < kUsers; ++i) {
      threads.emplace_back([&, i] {
        auto c = shop.server->client();
        const std::string tok = shop.token(users[i]);
        auto fail = [&](const std::string& step, const shoptest::HttpResult& r) {
          failures[i] = step + ": " + std::to_string(r.status) + " " + r.raw;
        };
        auto add = http(*c, "POST", "/api/cart-items/",
                        {{"product_id", shop.apple}, {"quantity", 1}}, tok);
        if (add.status != 201 && add.status != 200) return fail("cart add", add);
        auto order = http(*c, "POST", "/api/orders/",
                          {{"shipping_name", "n"},
                           {"shipping_phone", "010-0000-0000"},
                           {"shipping_postal_code", "12345"},
                           {"shipping_address", "Seoul"}},
                          tok);
        if (order.status != 202) return fail("order", order);
        const std::int64_t order_id = order.body["order_id"];
        // Poll (the Locust file polls every 0.5 s for 20 s) until the worker confirmed it.
        std::string status;
        for (int poll = 0; poll < 2000 && status != "confirmed"; ++poll) {
          auto o = http(*c, "GET", "/api/orders/" + std::to_string(order_id) + "/", nullptr, tok);
          status = o.body.is_object() ? o.body.value("status", "") : "";
          if (status == "failed" || status == "canceled") return fail("processing", o);
          if (status != "confirmed") std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (status != "confirmed") return fail("never confirmed", order);
        auto req = http(*c, "POST", "/api/payments/request/", {{"order_id", order_id}}, tok);
        if (req.status != 201) return fail("request", req);
        const std::int64_t payment_id = req.body["payment_id"];
        auto conf = http(*c, "POST", "/api/payments/confirm/",
                         {{"order_id", req.body["order_id"]},
                          {"payment_key", "test_payment_" + std::to_string(payment_id)},
                          {"amount", req.body["amount"]}},
                         tok);
        if (conf.status != 202) return fail("confirm", conf);
        ++paid;
      });
    }
    for (auto& th : threads) th.join();
    for (const auto& f : failures) CHECK_MESSAGE(f.empty(), f);
    CHECK(paid == kUsers);
    CHECK(shop.scalar("SELECT COUNT(*) FROM orders WHERE status = 'paid'") == kUsers);
    CHECK(shop.scalar("SELECT sold_count FROM products WHERE id = " + std::to_string(shop.apple)) ==
          kUsers);
    CHECK(shop.scalar("SELECT stock FROM products WHERE id = " + std::to_string(shop.apple)) ==
          100 - kUsers);
    CHECK(shop.scalar("SELECT COUNT(*) FROM point_entries WHERE type = 'earn'") == kUsers);
  }
}
