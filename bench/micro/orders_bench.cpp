// orders_bench — the order path end to end at engine level (no HTTP): cart add + intake (one
// write each: the pending order, its item snapshot, the emptied cart) on producer threads, and
// processing (stock, points, status; batched writes) on the worker pool.
//
// Two runs per worker count:
//  * live:    producers place orders while the workers run. Reports accepted orders/s (cart add +
//             intake, wall time of the producers), processed orders/s (first intake to drained)
//             and the drain time after the last intake returned.
//  * backlog: all orders are accepted first, then the workers start on the full queue: pure
//             processing throughput.
// Also the store's writes per commit (group commit + worker batching). Task logs are off.
//
// Prints numbers only. Usage: orders_bench [--orders N] [--producers P] [--workers 1,2,4]
//                                          [--durability normal|full] [--quick]
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "orders_fixtures.h"
#include "shop/cart.h"
#include "shop/orders.h"
#include "support/test_support.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Options {
  int orders = 20000;
  int producers = 4;
  std::vector<int> workers = {1, 2, 4};
  shop::Durability durability = shop::Durability::kNormal;
};

struct Setup {
  std::unique_ptr<shoptest::TestEngine> te;
  std::vector<std::int64_t> users;
  std::vector<std::int64_t> products;
};

// An engine with `orders` users (one order each) and 50 products with ample stock.
Setup make_setup(const Options& o, int workers) {
  Setup s;
  s.te = std::make_unique<shoptest::TestEngine>(workers, static_cast<std::size_t>(o.orders) + 16);
  if (o.durability == shop::Durability::kFull) {
    // TestEngine opens with the default (normal); reopen on the same file with full.
    s.te->engine.reset();
    shop::EngineOptions eo;
    eo.db_path = s.te->dir.file("shop.db");
    eo.clock = &s.te->clock;
    eo.order_workers = workers;
    eo.order_queue_capacity = static_cast<std::size_t>(o.orders) + 16;
    eo.jwt_secret = "test-secret";
    eo.durability = shop::Durability::kFull;
    s.te->engine = std::move(*shop::Engine::open(eo));
  }
  (*s.te)->orders().set_task_log(false);
  ordtest::Seed seed(s.te->dir.file("shop.db"));
  seed.exec("BEGIN");
  for (int i = 0; i < 50; ++i) {
    s.products.push_back(seed.product("Product " + std::to_string(i), 1000 + 100 * i, 1'000'000));
  }
  for (int i = 0; i < o.orders; ++i) s.users.push_back(seed.user("bench" + std::to_string(i)));
  seed.exec("COMMIT");
  return s;
}

// Each producer thread takes users in turn: add 1-2 lines, then place the order.
double place_all(Setup& s, int producers, std::atomic<long>& failures) {
  std::atomic<std::size_t> next{0};
  const auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (int p = 0; p < producers; ++p) {
    pool.emplace_back([&] {
      auto& engine = *s.te->engine;
      for (std::size_t i = next++; i < s.users.size(); i = next++) {
        const auto owner = shop::CartOwner::user(s.users[i]);
        const auto a = s.products[i % s.products.size()];
        const auto b = s.products[(i * 7 + 3) % s.products.size()];
        if (!engine.carts().add_item(owner, a, 1)) ++failures;
        if (i % 2 && a != b && !engine.carts().add_item(owner, b, 2)) ++failures;
        if (!engine.orders().intake(s.users[i], ordtest::order_request())) ++failures;
      }
    });
  }
  for (auto& t : pool) t.join();
  return seconds_since(t0);
}

void run_live(const Options& o, int workers) {
  Setup s = make_setup(o, workers);
  auto& engine = *s.te->engine;
  if (!engine.start()) return;
  const auto commits0 = engine.orders().metrics().store_commits;
  const auto writes0 = engine.orders().metrics().store_writes;
  std::atomic<long> failures{0};
  const auto t0 = Clock::now();
  const double accept_s = place_all(s, o.producers, failures);
  const auto t_accepted = Clock::now();
  engine.orders().wait_idle(std::chrono::minutes(10));
  const double total_s = seconds_since(t0);
  const double drain_ms = seconds_since(t_accepted) * 1000;
  const auto m = engine.orders().metrics();
  std::printf(
      "live     workers=%d producers=%d orders=%d: accepted %8.0f orders/s (cart add + intake), "
      "processed %8.0f orders/s, drain after last intake %7.1f ms, confirmed %lld, "
      "writes/commit %.2f, failures %ld\n",
      workers, o.producers, o.orders, o.orders / accept_s, m.processed / total_s, drain_ms,
      static_cast<long long>(m.confirmed),
      static_cast<double>(m.store_writes - writes0) /
          static_cast<double>(std::max<std::uint64_t>(1, m.store_commits - commits0)),
      failures.load());
  engine.stop();
}

void run_backlog(const Options& o, int workers) {
  Setup s = make_setup(o, workers);
  auto& engine = *s.te->engine;
  std::atomic<long> failures{0};
  const double accept_s = place_all(s, o.producers, failures);  // workers not started yet
  const auto commits0 = engine.orders().metrics().store_commits;
  const auto writes0 = engine.orders().metrics().store_writes;
  const auto t0 = Clock::now();
  if (!engine.start()) return;
  engine.orders().wait_idle(std::chrono::minutes(10));
  const double drain_s = seconds_since(t0);
  const auto m = engine.orders().metrics();
  std::printf(
      "backlog  workers=%d producers=%d orders=%d: accepted %8.0f orders/s (no workers running), "
      "processed %8.0f orders/s, drain of the full queue %7.1f ms, confirmed %lld, "
      "writes/commit %.2f, failures %ld\n",
      workers, o.producers, o.orders, o.orders / accept_s, m.processed / drain_s, drain_s * 1000,
      static_cast<long long>(m.confirmed),
      static_cast<double>(m.store_writes - writes0) /
          static_cast<double>(std::max<std::uint64_t>(1, m.store_commits - commits0)),
      failures.load());
  engine.stop();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--quick") {
      o.orders = 2000;
      o.workers = {2};
    } else if (a == "--orders") {
      o.orders = std::max(1, std::atoi(next().c_str()));
    } else if (a == "--producers") {
      o.producers = std::max(1, std::atoi(next().c_str()));
    } else if (a == "--workers") {
      o.workers.clear();
      std::stringstream ss(next());
      for (std::string w; std::getline(ss, w, ',');)
        o.workers.push_back(std::max(0, std::atoi(w.c_str())));
    } else if (a == "--durability") {
      o.durability = next() == "full" ? shop::Durability::kFull : shop::Durability::kNormal;
    } else {
      std::fprintf(stderr,
                   "usage: orders_bench [--orders N] [--producers P] [--workers 1,2,4] "
                   "[--durability normal|full] [--quick]\n");
      return 2;
    }
  }
  std::printf("orders_bench: %d orders, %d producer threads, durability %s, %u cores\n", o.orders,
              o.producers, o.durability == shop::Durability::kFull ? "full" : "normal",
              std::thread::hardware_concurrency());
  for (int w : o.workers) {
    if (w < 1) continue;
    run_live(o, w);
    run_backlog(o, w);
  }
  return 0;
}
