// points_concurrency_test.cpp — many threads spending, earning, expiring and reversing on the same
// few users while the clock moves; afterwards every ledger invariant of DESIGN.md §5 holds.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "points_fixtures.h"

using namespace pointstest;
using shop::kMicrosPerDay;
using shop::Micros;

namespace {

struct Tally {
  std::atomic<int> uses{0}, use_refusals{0}, orders{0}, earns{0}, reversals{0},
      reversal_refusals{0}, settled_lots{0}, grants{0}, deducts{0}, cancel_calls{0};
};

// An order's life in the shape the orders/payments modules use the ledger: intake+processing
// (spend), payment (earn), cancel (reverse); each step one write transaction.
void order_flow(shoptest::TestEngine& te, std::int64_t user, std::mt19937_64& rng, Tally& tally,
                std::mutex& mu, std::vector<std::int64_t>& paid_orders) {
  const std::int64_t total = 1000 + static_cast<std::int64_t>(rng() % 40) * 1000;
  const std::int64_t use = (rng() % 3 == 0) ? 0 : 100 + static_cast<std::int64_t>(rng() % 10) * 100;
  auto order = store(te).write([&](Db& db) -> Result<std::int64_t> {
    const Micros now = te.clock.now();
    const std::int64_t id = insert_order(db, user, total, total - use, "pending", now);
    if (use > 0) {
      auto spent = shop::ledger::spend_fifo(db, user, use, id, "", now);
      if (!spent) {  // as a worker does: the order fails, nothing was taken
        auto& q = db.stmt("UPDATE orders SET status = 'failed' WHERE id = ?");
        q.bind(1, id);
        q.exec();
        return id;
      }
      auto& q = db.stmt("UPDATE orders SET used_points = ?, status = 'confirmed' WHERE id = ?");
      q.bind(1, use);
      q.bind(2, id);
      q.exec();
    } else {
      auto& q = db.stmt("UPDATE orders SET status = 'confirmed' WHERE id = ?");
      q.bind(1, id);
      q.exec();
    }
    return id;
  });
  CHECK(order.is_ok());  // (no REQUIRE off the main thread: it would throw)
  if (!order.is_ok()) return;
  tally.orders++;
  // Payment: paid + earn (twice: a retried task must not earn again).
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto earned = store(te).write([&](Db& db) -> Result<std::int64_t> {
      auto& q = db.stmt(
          "UPDATE orders SET status = 'paid' WHERE id = ? AND status IN "
          "('confirmed', 'paid')");
      q.bind(1, *order);
      q.exec();
      if (db.changes() == 0) return std::int64_t{-1};  // failed order
      auto r = shop::ledger::earn_for_order(db, *order, te.clock.now());
      if (!r) return r.error();
      return r->amount;
    });
    CHECK(earned.is_ok());
    if (!earned.is_ok()) return;
    if (*earned > 0) tally.earns++;
    if (*earned < 0) return;
  }
  std::lock_guard lock(mu);
  paid_orders.push_back(*order);
}

// Cancels an order (status + reversal in one transaction); refused whole if the balance cannot
// cover what it earned.
void cancel_order(shoptest::TestEngine& te, std::int64_t order, Tally& tally) {
  auto r = store(te).write([&](Db& db) -> Result<shop::ledger::Reversal> {
    auto& q = db.stmt("UPDATE orders SET status = 'canceled' WHERE id = ?");
    q.bind(1, order);
    q.exec();
    return shop::ledger::reverse_order(db, order, te.clock.now());
  });
  if (r.is_ok()) {
    if (r->refunded > 0 || r->deducted > 0) tally.reversals++;
  } else {
    CHECK(r.error().reason == "INSUFFICIENT_POINTS");
    tally.reversal_refusals++;
  }
}

}  // namespace

TEST_SUITE("points concurrency") {
  TEST_CASE("spend, earn, expire and reverse on a few users from many threads") {
    shoptest::TestEngine te;
    std::vector<std::int64_t> users;
    const char* levels[] = {"bronze", "silver", "gold", "vip"};
    for (int i = 0; i < 4; ++i) {
      users.push_back(make_user(te, "cc" + std::to_string(i), levels[i]));
      for (int l = 0; l < 15; ++l) grant(te, users.back(), 500 + 100 * l, 0.5 + l);
      grant(te, users.back(), 3000, -1, "admin_add");
    }
    REQUIRE(violations(te).empty());

    Tally tally;
    std::mutex mu;
    std::vector<std::int64_t> paid_orders;
    std::atomic<bool> done{false};
    constexpr int kRounds = 60;
    std::vector<std::thread> threads;

    // Spenders: standalone burns through the public API.
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937_64 rng(100 + t);
        for (int i = 0; i < kRounds * 2; ++i) {
          auto user = users[rng() % users.size()];
          auto r = te->points().use(user, 100 + static_cast<std::int64_t>(rng() % 8) * 100,
                                    std::nullopt, "");
          if (r.is_ok()) {
            tally.uses++;
          } else {
            CHECK(r.error().reason == "INSUFFICIENT_POINTS");
            tally.use_refusals++;
          }
        }
      });
    }
    // Order flows: spend on processing, earn on payment (retried), sometimes cancel.
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937_64 rng(200 + t);
        for (int i = 0; i < kRounds; ++i) {
          order_flow(te, users[rng() % users.size()], rng, tally, mu, paid_orders);
          if (rng() % 2 == 0) {
            std::int64_t victim = 0;
            {
              std::lock_guard lock(mu);
              if (!paid_orders.empty()) victim = paid_orders[rng() % paid_orders.size()];
            }
            if (victim) cancel_order(te, victim, tally);
          }
        }
      });
    }
    // A competing canceller: reverses the same orders again, and tries the user-facing cancel
    // endpoint with exact amounts (which must apply at most once in total).
    threads.emplace_back([&] {
      std::mt19937_64 rng(300);
      while (!done.load()) {
        std::int64_t victim = 0;
        {
          std::lock_guard lock(mu);
          if (!paid_orders.empty()) victim = paid_orders[rng() % paid_orders.size()];
        }
        if (!victim) {
          std::this_thread::yield();
          continue;
        }
        cancel_order(te, victim, tally);
        auto op = store(te).read([&](Db& db) { return shop::ledger::order_points(db, victim); });
        CHECK(op.is_ok());
        if (!op.is_ok()) break;
        auto r = te->points().cancel(op->user_id, victim, "cancel_refund",
                                     op->used > 0 ? op->used : 100, "");
        tally.cancel_calls++;
        if (r.is_ok()) CHECK(r->processed_amount == op->used);
      }
    });
    // The clock and the daily jobs: time moves six hours per tick, expiry and notices run. Ticks
    // are paced by the other threads' progress so that expiry interleaves with their work.
    std::atomic<bool> workers_done{false};
    threads.emplace_back([&] {
      int last_progress = 0;
      for (int i = 0; i < kRounds; ++i) {
        for (int waited = 0; waited < 200 && !workers_done.load(); ++waited) {
          if (tally.orders + tally.uses + tally.grants >= last_progress + 4) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        last_progress = tally.orders + tally.uses + tally.grants;
        te.clock.advance(kMicrosPerDay / 4);
        auto run = te->points().expire_due_lots(te.clock.now());
        CHECK(run.is_ok());
        if (!run.is_ok()) break;
        CHECK(run->failed == 0);
        tally.settled_lots += static_cast<int>(run->lots_expired + run->lots_closed);
        CHECK(te->points().notify_expiring(te.clock.now()).is_ok());
      }
    });
    // Operators: short-lived gift lots and deductions.
    threads.emplace_back([&] {
      std::mt19937_64 rng(400);
      for (int i = 0; i < kRounds * 2; ++i) {
        auto user = users[rng() % users.size()];
        if (rng() % 3 == 0) {
          auto r = te->points().admin_adjust(user, -(50 + static_cast<std::int64_t>(rng() % 300)),
                                             "correction");
          if (r.is_ok()) tally.deducts++;
        } else {
          auto r = te->points().grant_lot(
              user, 100 + static_cast<std::int64_t>(rng() % 500),
              te.clock.now() + static_cast<Micros>(rng() % (3 * kMicrosPerDay)), "event", "");
          CHECK(r.is_ok());
          tally.grants++;
        }
      }
    });

    // Threads: 0-1 spenders, 2-3 order flows, 4 competing canceller, 5 clock, 6 operators.
    for (size_t i : {0, 1, 2, 3, 6}) threads[i].join();
    workers_done = true;
    threads[5].join();
    done = true;
    threads[4].join();

    // A final expiry settles everything due; then nothing due may remain unflagged.
    REQUIRE(te->points().expire_due_lots(te.clock.now()).is_ok());
    CHECK(scalar(te,
                 "SELECT COUNT(*) FROM point_entries WHERE lot_remaining IS NOT NULL AND "
                 "lot_expired = 0 AND expires_at <= " +
                     std::to_string(te.clock.now())) == 0);
    const auto v = violations(te);
    for (const auto& line : v) MESSAGE(line);
    CHECK(v.empty());
    // Each canceled order was reversed at most once, whatever raced.
    CHECK(scalar(te,
                 "SELECT COUNT(*) FROM (SELECT order_id FROM point_entries WHERE type IN "
                 "('cancel_refund', 'cancel_deduct') GROUP BY order_id, type "
                 "HAVING COUNT(*) > 1)") == 0);
    // The run really exercised every path.
    CHECK(tally.uses > 0);
    CHECK(tally.orders == 2 * kRounds);
    CHECK(tally.earns > 0);
    CHECK(tally.reversals > 0);
    CHECK(tally.settled_lots > 0);
    CHECK(tally.grants > 0);
    MESSAGE("uses " << tally.uses.load() << " (refused " << tally.use_refusals.load()
                    << "), orders " << tally.orders.load() << ", earns " << tally.earns.load()
                    << ", reversals " << tally.reversals.load() << " (refused "
                    << tally.reversal_refusals.load() << "), settled lots "
                    << tally.settled_lots.load() << ", grants " << tally.grants.load()
                    << ", deducts " << tally.deducts.load() << ", cancel calls "
                    << tally.cancel_calls.load());
  }
}
