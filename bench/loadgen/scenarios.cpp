// scenarios.cpp — what the simulated users do. Each scenario reads like its Locust counterpart:
// a coroutine per user that logs in, loads products, then loops over weighted tasks with think
// times. Request names match the Locust point test so reports compare side by side.
#include <algorithm>
#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "runner.h"

namespace loadgen {

namespace {

using nlohmann::json;

constexpr int kPointConcurrentAccounts = 500;  // load_test_user_0..499
constexpr int kPointHighLoadBase = 500;        // load_test_user_500..999
constexpr double kCancelProbability = 0.3;
constexpr int64_t kConnectBackoffUs = 50'000;  // don't spin when the server is down
// use_points choices. Named arrays, not braced lists: g++ 12 rejects a braced list argument
// inside co_await ("array used as initializer").
constexpr std::array<int, 4> kConcurrentPoints = {0, 100, 500, 1000};
constexpr std::array<int, 3> kHighLoadPoints = {0, 100, 500};
constexpr std::array<int, 1> kNoPoints = {0};

// Request ids registered once per run (names as in point_concurrent_load_test.py).
struct Names {
  int login, products, my_points, history, expiring, add_cart, create_order, cancel_order,
      point_check;
  explicit Names(Stats& s)
      : login(s.name_id("POST", "Login")),
        products(s.name_id("GET", "Products")),
        my_points(s.name_id("GET", "My Points")),
        history(s.name_id("GET", "Point History")),
        expiring(s.name_id("GET", "Expiring Points")),
        add_cart(s.name_id("POST", "Add to Cart")),
        create_order(s.name_id("POST", "Create Order (with points)")),
        cancel_order(s.name_id("POST", "Cancel Order (Return Points)")),
        point_check(s.name_id("POST", "Point Check")) {}
};

json parse_json(const HttpResult& r) {
  if (!r.ok_transport()) return json();
  return json::parse(r.response.body, nullptr, /*allow_exceptions=*/false);
}

std::string account_name(const Options& o, int number) {
  return o.account_prefix + std::to_string(number);
}

Task<void> backoff_if_down(User& u, const HttpResult& r) {
  if (r.error == TransportError::kConnect) co_await u.runner.loop().sleep_for(kConnectBackoffUs);
}

// POST /api/auth/login/ and keep the top-level `access` token.
Task<bool> login(User& u, Names names, std::string account) {
  json body = {{"username", account}, {"password", u.runner.options().password}};
  HttpResult r = co_await u.request("POST", "/api/auth/login/", body.dump());
  bool ok = false;
  const char* note = "";
  if (r.status() == 200) {
    json j = parse_json(r);
    if (j.is_object() && j.contains("access") && j["access"].is_string()) {
      u.token = j["access"].get<std::string>();
      ok = true;
    } else {
      note = "no top-level access token";
    }
  }
  u.runner.stats().record_auto(names.login, r, ok, note);
  if (!ok) co_await backoff_if_down(u, r);
  co_return ok;
}

// Keeps retrying the login (with think times) until it works; the run's clock ends it otherwise.
Task<void> login_until_ok(User& u, Names names, std::string account, double min_think,
                          double max_think) {
  for (;;) {
    // Not `while (!co_await ...)`: g++ 12 miscompiles a co_await in a loop condition (SIGILL).
    bool ok = co_await login(u, names, account);
    if (ok) co_return;
    co_await u.think(min_think, max_think);
  }
}

// Product ids from a products page; in-stock ones (stock or stock_quantity > 0) when there are any.
std::vector<int64_t> product_ids_from(const json& page) {
  std::vector<int64_t> in_stock, all;
  if (!page.is_object() || !page.contains("results") || !page["results"].is_array()) return all;
  for (const json& p : page["results"]) {
    if (!p.is_object() || !p.contains("id") || !p["id"].is_number_integer()) continue;
    int64_t id = p["id"].get<int64_t>();
    all.push_back(id);
    for (const char* field : {"stock", "stock_quantity"}) {
      if (p.contains(field) && p[field].is_number() && p[field].get<double>() > 0) {
        in_stock.push_back(id);
        break;
      }
    }
  }
  return in_stock.empty() ? all : in_stock;
}

Task<void> load_products(User& u, Names names) {
  HttpResult r = co_await u.request("GET", "/api/products/?page_size=100");
  bool ok = r.status() == 200;
  if (ok) u.product_ids = product_ids_from(parse_json(r));
  u.runner.stats().record_auto(names.products, r, ok);
}

// Cart add + order with points; on 202, cancel 30% of the orders. Returns true on a 202.
Task<bool> order_with_points(User& u, Names names, std::span<const int> point_choices,
                             double cancel_probability) {
  if (u.product_ids.empty()) co_return false;
  Stats& stats = u.runner.stats();
  int64_t product = u.product_ids[static_cast<size_t>(
      u.uniform_int(0, static_cast<int>(u.product_ids.size()) - 1))];
  json item = {{"product_id", product}, {"quantity", 1}};
  HttpResult added = co_await u.request("POST", "/api/cart-items/", item.dump());
  bool added_ok = added.status() == 200 || added.status() == 201;
  stats.record_auto(names.add_cart, added, added_ok);
  if (!added_ok) {
    co_await backoff_if_down(u, added);
    co_return false;
  }

  int use_points = point_choices[static_cast<size_t>(
      u.uniform_int(0, static_cast<int>(point_choices.size()) - 1))];
  json order = {{"shipping_name", "Load Test"},
                {"shipping_phone", "010-1234-5678"},
                {"shipping_postal_code", "12345"},
                {"shipping_address", "Seoul Gangnam-gu Test-ro 1"},
                {"shipping_address_detail", "Apt 101"},
                {"order_memo", "load test"},
                {"use_points", use_points}};
  HttpResult placed = co_await u.request("POST", "/api/orders/", order.dump());
  bool accepted = placed.status() == 202;  // the point test accepts exactly 202
  stats.record_auto(names.create_order, placed, accepted,
                    placed.ok_transport() && placed.status() < 400 ? "expected 202" : "");
  if (!accepted) co_return false;

  json body = parse_json(placed);
  if (u.uniform01() < cancel_probability && body.is_object() && body.contains("order_id") &&
      body["order_id"].is_number_integer()) {
    std::string path =
        "/api/orders/" + std::to_string(body["order_id"].get<int64_t>()) + "/cancel/";
    HttpResult canceled = co_await u.request("POST", path);
    stats.record_auto(names.cancel_order, canceled,
                      canceled.ok_transport() && canceled.status() < 400);
  }
  co_return true;
}

Task<void> simple_request(User& u, int name, std::string method, std::string path,
                          std::string body = {}) {
  HttpResult r = co_await u.request(method, path, body);
  u.runner.stats().record_auto(name, r, r.ok_transport() && r.status() < 400);
  co_await backoff_if_down(u, r);
}

// PointConcurrentUser: think 1-3 s; tasks my 5, history 3, expiring 2, order 1, check 1.
Task<void> point_concurrent_user(User& u, Names names, int account) {
  co_await login_until_ok(u, names, account_name(u.runner.options(), account), 1, 3);
  co_await load_products(u, names);
  constexpr std::array<int, 5> kWeights = {5, 3, 2, 1, 1};
  for (;;) {
    int pick = u.uniform_int(0, 11);
    int task = 0;
    while (pick >= kWeights[static_cast<size_t>(task)])
      pick -= kWeights[static_cast<size_t>(task++)];
    switch (task) {
      case 0: co_await simple_request(u, names.my_points, "GET", "/api/points/my/"); break;
      case 1: co_await simple_request(u, names.history, "GET", "/api/points/history/"); break;
      case 2: co_await simple_request(u, names.expiring, "GET", "/api/points/expiring/"); break;
      case 3: co_await order_with_points(u, names, kConcurrentPoints, kCancelProbability); break;
      default:
        co_await simple_request(u, names.point_check, "POST", "/api/points/check/",
                                R"({"order_amount":50000,"use_points":5000})");
    }
    co_await u.think(1, 3);
  }
}

// PointHighLoadUser: think 0.5-1.5 s; only order-with-points (0/100/500), no cancels.
Task<void> point_high_load_user(User& u, Names names, int account) {
  co_await login_until_ok(u, names, account_name(u.runner.options(), account), 0.5, 1.5);
  co_await load_products(u, names);
  for (;;) {
    co_await order_with_points(u, names, kHighLoadPoints, 0.0);
    co_await u.think(0.5, 1.5);
  }
}

Task<void> spawn_point_users(Runner& runner, bool high_load) {
  Names names(runner.stats());
  const Options& o = runner.options();
  int64_t t0 = now_us();
  for (int i = 0; i < o.users; ++i) {
    co_await runner.loop().sleep_until(t0 + static_cast<int64_t>(i / o.spawn_rate * 1e6));
    User& u = runner.add_user();
    runner.set_active_users(i + 1);
    int account = high_load ? kPointHighLoadBase + i % kPointConcurrentAccounts
                            : i % kPointConcurrentAccounts;
    runner.start_user(high_load ? point_high_load_user(u, names, account)
                                : point_concurrent_user(u, names, account));
  }
}

// ---- max: N connections, no think time, one request ----

struct MaxRequest {
  const char* key;
  const char* method;
  const char* name;
  const char* path;
  const char* body;
  bool auth;
};
constexpr std::array<MaxRequest, 7> kMaxRequests = {{
    {"trivial", "GET", "Trivial", "/trivial", "", false},
    {"my-points", "GET", "My Points", "/api/points/my/", "", true},
    {"history", "GET", "Point History", "/api/points/history/", "", true},
    {"expiring", "GET", "Expiring Points", "/api/points/expiring/", "", true},
    {"point-check", "POST", "Point Check", "/api/points/check/",
     R"({"order_amount":50000,"use_points":5000})", true},
    {"products", "GET", "Products", "/api/products/", "", false},
    {"login", "POST", "Login", "/api/auth/login/", "", false},
}};

Task<void> max_worker(User& u, int name, std::string method, std::string path, std::string body) {
  for (;;) co_await simple_request(u, name, method, path, body);
}

Task<void> max_login_worker(User& u, Names names, std::string account) {
  for (;;) co_await login(u, names, account);
}

Task<void> run_max(Runner& runner) {
  const Options& o = runner.options();
  Stats& stats = runner.stats();
  MaxRequest req{"path", o.method.c_str(), "", o.path.c_str(), o.body.c_str(), o.path_auth};
  std::string name;
  if (o.path.empty()) {
    req = *std::find_if(kMaxRequests.begin(), kMaxRequests.end(),
                        [&](const MaxRequest& r) { return o.request == r.key; });
    name = req.name;
  } else {
    name = o.method + " " + o.path;
  }

  std::string token;
  if (req.auth || o.request == "login") {
    Names names(stats);
    User& setup = runner.add_user();
    bool logged_in = co_await login(setup, names, account_name(o, 0));
    if (!logged_in) {
      runner.fail_setup("login as " + account_name(o, 0) + " failed; is the server seeded?");
      co_return;
    }
    token = setup.token;
    setup.conn.close();
    if (o.request == "login" && o.path.empty()) {
      for (int i = 0; i < o.connections; ++i) {
        User& u = runner.add_user();
        runner.start_user(
            max_login_worker(u, names, account_name(o, i % kPointConcurrentAccounts)));
      }
      runner.set_active_users(o.connections);
      co_return;
    }
  }
  int id = stats.name_id(req.method, name);
  for (int i = 0; i < o.connections; ++i) {
    User& u = runner.add_user();
    if (req.auth) u.token = token;
    runner.start_user(max_worker(u, id, req.method, req.path, req.body));
  }
  runner.set_active_users(o.connections);
}

// ---- orders: each connection loops cart add + order intake, no think time ----

Task<void> orders_worker(User& u, Names names, std::string account, std::vector<int64_t> products) {
  co_await login_until_ok(u, names, account, 0.1, 0.2);
  u.product_ids = std::move(products);
  for (;;) co_await order_with_points(u, names, kNoPoints, 0.0);
}

Task<void> run_orders(Runner& runner) {
  const Options& o = runner.options();
  Names names(runner.stats());
  User& setup = runner.add_user();
  co_await load_products(setup, names);
  setup.conn.close();
  if (setup.product_ids.empty()) {
    runner.fail_setup("GET /api/products/ gave no products; is the server seeded?");
    co_return;
  }
  int accounts = o.users_given ? o.users : o.connections;
  for (int i = 0; i < o.connections; ++i) {
    User& u = runner.add_user();
    runner.start_user(orders_worker(u, names, account_name(o, i % accounts), setup.product_ids));
  }
  runner.set_active_users(o.connections);
}

}  // namespace

Task<void> run_scenario(Runner& runner) {
  switch (runner.options().scenario) {
    case Scenario::kPointConcurrent: co_await spawn_point_users(runner, false); break;
    case Scenario::kPointHighLoad: co_await spawn_point_users(runner, true); break;
    case Scenario::kMax: co_await run_max(runner); break;
    case Scenario::kOrders: co_await run_orders(runner); break;
  }
}

}  // namespace loadgen
