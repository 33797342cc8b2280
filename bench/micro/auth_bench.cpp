// auth_bench — engine-level costs of the auth and catalogue request paths:
//   * Auth::authenticate (runs on every authenticated request: JWT verify + one indexed read),
//   * a login storm: 1000 cheap (1000-iteration) accounts logging in from 64 threads at once,
//   * Catalog::list_products (default page, a search, a category filter) on 1000 products,
//   * listing latency while 8 threads log in real-cost (600k) accounts: the KDF gate at work.
//
// Usage: auth_bench   (about 20 s; numbers go to stdout)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "shop/auth.h"
#include "shop/catalog.h"
#include "shop/engine.h"
#include "support/test_support.h"

namespace {

using Clock = std::chrono::steady_clock;
volatile std::size_t g_sink = 0;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

template <typename Op>
void measure(const char* name, long min_ops, double min_seconds, Op op) {
  op();
  long ops = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    op();
    ++ops;
    elapsed = seconds_since(start);
  } while (ops < min_ops || elapsed < min_seconds);
  std::printf("%-44s %10.1f us/op %10.0f ops/s  (%ld ops)\n", name, elapsed * 1e6 / ops,
              ops / elapsed, ops);
}

std::unique_ptr<shop::Engine> open_engine(const shoptest::TempDir& dir, int iterations) {
  shop::EngineOptions o;
  o.db_path = dir.file("bench.db");
  o.password_iterations = iterations;
  o.jwt_secret = "bench-secret";
  o.order_workers = 0;
  auto e = shop::Engine::open(o);
  if (!e) {
    std::fprintf(stderr, "open: %s\n", e.error().message.c_str());
    std::exit(1);
  }
  return std::move(*e);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main() {
  shoptest::TempDir dir;
  auto engine = open_engine(dir, 600000);
  auto& auth = engine->auth();
  auto& catalog = engine->catalog();

  // 1000 cheap load-test accounts, as shopctl creates them.
  constexpr int kUsers = 1000;
  auto t0 = Clock::now();
  for (int i = 0; i < kUsers; ++i) {
    shop::NewUser u;
    u.username = "load_user_" + std::to_string(i);
    u.email = u.username + "@example.com";
    u.password = "testpass123";
    u.password_iterations = 1000;
    if (!auth.create_user(u)) return 1;
  }
  std::printf("create_user x%d (1000 iterations each)      %10.2f s\n", kUsers, seconds_since(t0));

  auto s = auth.login("load_user_0", "testpass123", "127.0.0.1");
  if (!s) return 1;
  const std::string access = s->tokens.access;
  measure("Auth::authenticate", 10000, 1.0,
          [&] { g_sink = g_sink + static_cast<size_t>(auth.authenticate(access).is_ok()); });
  measure("Auth::login (1000-iteration account)", 200, 1.0, [&] {
    g_sink = g_sink + static_cast<size_t>(auth.login("load_user_1", "testpass123", "").is_ok());
  });

  // Login storm: every account once, 64 threads at once.
  {
    std::atomic<int> next{0}, ok{0}, failed{0};
    std::vector<std::thread> threads;
    t0 = Clock::now();
    for (int t = 0; t < 64; ++t) {
      threads.emplace_back([&] {
        for (int i; (i = next++) < kUsers;) {
          if (auth.login("load_user_" + std::to_string(i), "testpass123", "").is_ok()) {
            ++ok;
          } else {
            ++failed;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    const double el = seconds_since(t0);
    std::printf(
        "login storm: %d cheap logins, 64 threads       %10.2f s  %8.0f logins/s  "
        "ok=%d failed=%d\n",
        kUsers, el, kUsers / el, ok.load(), failed.load());
  }

  // Catalogue: 20 categories, 1000 products.
  std::vector<std::int64_t> cats;
  for (int i = 0; i < 20; ++i) {
    shop::NewCategory c;
    c.name = "Category " + std::to_string(i);
    if (i >= 4) c.parent_id = cats[static_cast<size_t>(i % 4)];
    cats.push_back(*catalog.create_category(c));
  }
  for (int i = 0; i < 1000; ++i) {
    shop::NewProduct p;
    p.name = "Product " + std::to_string(i);
    p.description = i % 10 == 0 ? "wireless earphones" : "plain item";
    p.category_id = cats[static_cast<size_t>(i % 20)];
    p.price = 1000 + i * 10;
    p.stock = i % 50;
    if (!catalog.create_product(p)) return 1;
  }
  measure("list_products (default page of 12)", 2000, 1.0,
          [&] { g_sink = g_sink + catalog.list_products({})->results.size(); });
  shop::ProductQuery search;
  search.search = "wireless earphones";
  measure("list_products (search, 2 terms)", 500, 1.0,
          [&] { g_sink = g_sink + catalog.list_products(search)->results.size(); });
  shop::ProductQuery by_cat;
  by_cat.category_id = cats[0];
  by_cat.ordering = "-price";
  measure("list_products (category+descendants, -price)", 500, 1.0,
          [&] { g_sink = g_sink + catalog.list_products(by_cat)->results.size(); });
  measure("get_product", 5000, 1.0,
          [&] { g_sink = g_sink + catalog.get_product(500)->name.size(); });

  // The gate: 8 threads log in a real-cost account in a loop while one thread lists products.
  {
    shop::NewUser u;
    u.username = "real_user";
    u.email = "real@example.com";
    u.password = "Sh0pping!Mall";
    if (!auth.create_user(u)) return 1;
    std::atomic<bool> stop{false};
    std::atomic<int> logins{0}, unavailable{0};
    std::vector<std::thread> loggers;
    for (int t = 0; t < 8; ++t) {
      loggers.emplace_back([&] {
        while (!stop) {
          auto r = auth.login("real_user", "Sh0pping!Mall", "");
          if (r.is_ok()) {
            ++logins;
          } else if (r.error().code == shop::ErrorCode::kUnavailable) {
            ++unavailable;
          }
        }
      });
    }
    std::vector<double> latencies;
    t0 = Clock::now();
    while (seconds_since(t0) < 5.0) {
      const auto a = Clock::now();
      g_sink = g_sink + catalog.list_products({})->results.size();
      latencies.push_back(seconds_since(a) * 1e6);
    }
    stop = true;
    for (auto& t : loggers) t.join();
    std::printf(
        "listing during 8-thread 600k-iteration logins: p50 %.0f us  p99 %.0f us  "
        "(%zu listings; %d logins in 5 s, %d gate timeouts)\n",
        percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.size(), logins.load(),
        unavailable.load());
  }
  return 0;
}
