// points_bench — the points ledger at engine level.
//
// 1. Read cost vs. history length: Points::my, history page 1 and expiring for a user with 10
//    ledger entries and for one with 100,000 (same open lots at the end, so the responses have
//    the same size), in µs/op and the ratio large/small (the target: at most 2x).
// 2. Write throughput: FIFO spends over a user with many open lots (one lot / 100 lots per spend),
//    earning for orders, and one expiry run over N due lots (ops/s, lots/s).
//
// Prints numbers only; nothing is asserted. Usage: points_bench [--quick]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "engine_context.h"
#include "points/ledger.h"
#include "shop/points.h"
#include "support/test_support.h"

namespace {

using Clock = std::chrono::steady_clock;
using shop::kMicrosPerDay;
using shop::Micros;
using shop::Result;
using shop::store::Db;

volatile std::int64_t g_sink = 0;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs op exactly `ops` times (for operations that consume a finite budget); returns µs per op.
template <typename Op>
double measure_fixed_us(long ops, Op op) {
  const auto start = Clock::now();
  for (long i = 0; i < ops; ++i) op();
  return seconds_since(start) * 1e6 / static_cast<double>(ops);
}

// Runs op until min_ops and min_seconds are both reached; returns µs per op.
template <typename Op>
double measure_us(long min_ops, double min_seconds, Op op) {
  for (int i = 0; i < 50; ++i) op();  // warm the statement cache and the page cache
  long ops = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    op();
    ++ops;
    elapsed = seconds_since(start);
  } while (ops < min_ops || elapsed < min_seconds);
  return elapsed * 1e6 / static_cast<double>(ops);
}

std::int64_t make_user(shoptest::TestEngine& te, const std::string& name) {
  auto id = te->context().store->write([&](Db& db) -> Result<std::int64_t> {
    auto& q = db.stmt(
        "INSERT INTO users (username, email, password_hash, date_joined) VALUES (?, ?, 'x', ?)");
    q.bind(1, name);
    q.bind(2, name + "@example.com");
    q.bind(3, te.clock.now());
    q.exec();
    return db.last_insert_id();
  });
  if (!id) throw std::runtime_error(id.error().message);
  return *id;
}

void check(const shop::Status& st, const char* what) {
  if (!st.is_ok()) {
    std::fprintf(stderr, "points_bench: %s: %s\n", what, st.error().message.c_str());
    std::exit(1);
  }
}

// A history of `entries` rows in cycles of (earn-like lot of 1000, uses of 600 and 400), time
// moving ~40 minutes per entry, with the expiry job run as days pass: at the end almost every
// lot is used up or settled, as for a long-time customer.
void build_history(shoptest::TestEngine& te, std::int64_t user, std::int64_t entries) {
  auto& store = *te->context().store;
  std::int64_t written = 0;
  Micros last_expiry = te.clock.now();
  while (written < entries) {
    auto st = store.write([&](Db& db) -> shop::Status {
      for (int i = 0; i < 2000 && written < entries; ++i) {
        const Micros now = te.clock.now();
        const int step = static_cast<int>(written % 3);
        if (step == 0) {
          auto g = shop::ledger::grant(db, user, "earn", 1000, now + shop::ledger::kLotLifetime,
                                       std::nullopt, "bench earn", now);
          if (!g) return g.error();
        } else {
          auto s = shop::ledger::spend_fifo(db, user, step == 1 ? 600 : 400, std::nullopt,
                                            "bench use", now);
          if (!s) return s.error();
        }
        ++written;
        te.clock.advance(40 * 60 * shop::kMicrosPerSecond);
      }
      return shop::Status::ok();
    });
    check(st, "build history");
    if (te.clock.now() - last_expiry > kMicrosPerDay) {
      check(te->points().expire_due_lots(te.clock.now()).status(), "expire during build");
      last_expiry = te.clock.now();
    }
  }
}

// The same open lots for every measured user, so responses are the same size.
void grant_open_lots(shoptest::TestEngine& te, std::int64_t user) {
  for (int days : {10, 20, 45}) {
    check(te->points()
              .grant_lot(user, 500, te.clock.now() + days * kMicrosPerDay, "event", "")
              .status(),
          "grant open lot");
  }
}

struct ReadCosts {
  double my = 0, history = 0, history10 = 0, expiring = 0;
};

ReadCosts measure_reads(shoptest::TestEngine& te, std::int64_t user, double secs) {
  ReadCosts c;
  auto& p = te->points();
  c.my = measure_us(2000, secs, [&] { g_sink = g_sink + p.my(user)->info.points; });
  shop::HistoryQuery q;
  c.history = measure_us(2000, secs, [&] { g_sink = g_sink + p.history(user, q)->count; });
  q.page_size = 10;  // the small user's whole history: both responses have 10 rows
  c.history10 = measure_us(2000, secs, [&] { g_sink = g_sink + p.history(user, q)->count; });
  c.expiring =
      measure_us(2000, secs, [&] { g_sink = g_sink + p.expiring(user, 30)->total_expiring; });
  return c;
}

void print_ratio(const char* name, double small, double large) {
  std::printf("  %-34s %9.1f µs/op %9.1f µs/op   ratio %.2fx\n", name, small, large, large / small);
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const double secs = quick ? 0.2 : 1.0;
  const std::int64_t kLarge = quick ? 20'000 : 100'000;

  // ---- 1. reads vs. history length ----------------------------------------------------------
  {
    shoptest::TestEngine te;
    const auto small = make_user(te, "small");
    const auto large = make_user(te, "large");
    const auto t0 = Clock::now();
    build_history(te, large, kLarge - 3);  // + 3 open lots below
    const double build_s = seconds_since(t0);
    build_history(te, small, 7);
    grant_open_lots(te, small);
    grant_open_lots(te, large);
    auto entries = [&](std::int64_t u) {
      return *te->context().store->read([&](Db& db) -> Result<std::int64_t> {
        return db.scalar_int("SELECT COUNT(*) FROM point_entries WHERE user_id = " +
                             std::to_string(u));
      });
    };
    std::printf(
        "points_bench: reads vs. history length (history of %lld entries built in %.1f s, "
        "%.0f entries/s)\n",
        static_cast<long long>(entries(large)), build_s, static_cast<double>(kLarge) / build_s);
    std::printf("  %-34s %15s %15s\n", "", "small user", "large user");
    std::printf("  %-34s %9lld entries %9lld entries\n", "", static_cast<long long>(entries(small)),
                static_cast<long long>(entries(large)));
    const ReadCosts s = measure_reads(te, small, secs);
    const ReadCosts l = measure_reads(te, large, secs);
    print_ratio("Points::my", s.my, l.my);
    print_ratio("Points::history (page 1, size 20)", s.history, l.history);
    print_ratio("Points::history (page 1, size 10)", s.history10, l.history10);
    print_ratio("Points::expiring (30 days)", s.expiring, l.expiring);

    // Extra context: pages deeper in the history and filtered counts cost more (O(offset) and
    // O(range)); not part of the 2x target.
    auto& p = te->points();
    shop::HistoryQuery deep;
    deep.page = 100;
    const double deep_us =
        measure_us(200, secs / 2, [&] { g_sink = g_sink + p.history(large, deep)->count; });
    shop::HistoryQuery typed;
    typed.type = "use";
    const double typed_us =
        measure_us(200, secs / 2, [&] { g_sink = g_sink + p.history(large, typed)->count; });
    shop::HistoryQuery week;
    week.from = te.clock.now() - 7 * kMicrosPerDay;
    const double week_us =
        measure_us(200, secs / 2, [&] { g_sink = g_sink + p.history(large, week)->count; });
    const double stats_us =
        measure_us(200, secs / 2, [&] { g_sink = g_sink + p.statistics(large)->current_points; });
    std::printf("  large user, history page 100:        %9.1f µs/op\n", deep_us);
    std::printf("  large user, history type=use page 1: %9.1f µs/op\n", typed_us);
    std::printf("  large user, history last 7 days:     %9.1f µs/op\n", week_us);
    std::printf("  large user, statistics (this month): %9.1f µs/op\n", stats_us);
  }

  // ---- 2. writes ------------------------------------------------------------------------------
  {
    shoptest::TestEngine te;
    auto& store = *te->context().store;
    const auto u = make_user(te, "spender");
    const int kLots = quick ? 5'000 : 20'000;
    check(store.write([&](Db& db) -> shop::Status {
      for (int i = 0; i < kLots; ++i) {
        auto g = shop::ledger::grant(db, u, "event", 100,
                                     te.clock.now() + (30 + i % 300) * kMicrosPerDay, std::nullopt,
                                     "", te.clock.now());
        if (!g) return g.error();
      }
      return shop::Status::ok();
    }),
          "grant lots");
    std::printf(
        "\npoints_bench: writes (one write transaction per operation, synchronous=NORMAL)\n");
    const double empty_write = measure_us(1000, secs, [&] {
      check(store.write([](Db&) { return shop::Status::ok(); }), "empty write");
    });
    std::printf("  (baseline: an empty write transaction  %9.1f µs/op %9.0f ops/s)\n", empty_write,
                1e6 / empty_write);
    // Budget: kLots * 100 points; the spends below take at most 60 % of it.
    const int spends = quick ? 200 : 2000;
    const double one_lot = measure_fixed_us(spends, [&] {
      auto r = store.write([&](Db& db) {
        return shop::ledger::spend_fifo(db, u, 100, std::nullopt, "", te.clock.now());
      });
      check(r.status(), "spend 1 lot");
      g_sink = g_sink + r->amount;
    });
    std::printf("  spend FIFO, 1 lot of %d open:       %9.1f µs/op %9.0f ops/s\n", kLots, one_lot,
                1e6 / one_lot);
    const double hundred_lots = measure_fixed_us(spends / 20, [&] {
      auto r = store.write([&](Db& db) {
        return shop::ledger::spend_fifo(db, u, 10'000, std::nullopt, "", te.clock.now());
      });
      check(r.status(), "spend 100 lots");
      g_sink = g_sink + r->amount;
    });
    std::printf("  spend FIFO, 100 lots per spend:       %9.1f µs/op %9.0f ops/s\n", hundred_lots,
                1e6 / hundred_lots);

    const auto buyer = make_user(te, "buyer");
    const double earn = measure_fixed_us(spends, [&] {
      auto r = store.write([&](Db& db) -> Result<std::int64_t> {
        const Micros now = te.clock.now();
        auto& q = db.stmt(
            "INSERT INTO orders (user_id, status, total_amount, shipping_fee, "
            "additional_shipping_fee, is_free_shipping, final_amount, shipping_name, "
            "shipping_phone, shipping_postal_code, shipping_address, created_at, updated_at) "
            "VALUES (?, 'paid', 50000, 0, 0, 1, 50000, 'n', 'p', '12345', 'a', ?, ?)");
        q.bind(1, buyer);
        q.bind(2, now);
        q.bind(3, now);
        q.exec();
        auto e = shop::ledger::earn_for_order(db, db.last_insert_id(), now);
        if (!e) return e.error();
        return e->amount;
      });
      check(r.status(), "earn");
      g_sink = g_sink + *r;
    });
    std::printf("  earn for an order (insert + earn):    %9.1f µs/op %9.0f ops/s\n", earn,
                1e6 / earn);
  }

  // ---- 3. the expiry batch
  // ------------------------------------------------------------------------
  {
    shoptest::TestEngine te;
    auto& store = *te->context().store;
    const int kUsers = 1000;
    const int kLots = quick ? 10'000 : 100'000;
    std::vector<std::int64_t> users;
    for (int i = 0; i < kUsers; ++i) users.push_back(make_user(te, "e" + std::to_string(i)));
    check(store.write([&](Db& db) -> shop::Status {
      for (int i = 0; i < kLots; ++i) {
        const auto u = users[static_cast<size_t>(i % kUsers)];
        auto g = shop::ledger::grant(db, u, "event", 100 + i % 50,
                                     te.clock.now() + (1 + i % 20) * shop::kMicrosPerSecond,
                                     std::nullopt, "", te.clock.now());
        if (!g) return g.error();
        if (i % 4 == 0) {  // a quarter partly used
          auto s = shop::ledger::spend_fifo(db, u, 100, std::nullopt, "", te.clock.now());
          if (!s) return s.error();
        }
      }
      return shop::Status::ok();
    }),
          "grant due lots");
    te.clock.advance(kMicrosPerDay);
    const auto t0 = Clock::now();
    const std::clock_t cpu0 = std::clock();
    auto run = te->points().expire_due_lots(te.clock.now());
    const double s = seconds_since(t0);
    const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
    check(run.status(), "expire");
    std::printf(
        "\npoints_bench: expiry run over %d due lots of %d users: %.3f s (%.3f s CPU), "
        "%.0f lots/s (%lld expired, %lld closed, %lld transactions)\n",
        kLots, kUsers, s, cpu, static_cast<double>(kLots) / s,
        static_cast<long long>(run->lots_expired), static_cast<long long>(run->lots_closed),
        static_cast<long long>(run->transactions));
    const auto t1 = Clock::now();
    auto again = te->points().expire_due_lots(te.clock.now());
    check(again.status(), "expire again");
    std::printf("  second run (nothing due, settled lots not rescanned): %.1f µs\n",
                seconds_since(t1) * 1e6);
  }
  return g_sink == 42 ? 1 : 0;
}
