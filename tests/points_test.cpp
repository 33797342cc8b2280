// points_test.cpp — the ledger and the Points module at engine level, time moved on the manual
// clock (never slept).
#include <doctest/doctest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "jobs/scheduler.h"
#include "points_fixtures.h"
#include "shop/timefmt.h"

using namespace pointstest;
using nlohmann::json;
using shop::kMicrosPerDay;
using shop::Micros;

namespace {

shop::Result<shop::ledger::EntryResult> spend(shoptest::TestEngine& te, std::int64_t user,
                                              std::int64_t amount,
                                              std::optional<std::int64_t> order = std::nullopt) {
  return store(te).write([&](Db& db) {
    return shop::ledger::spend_fifo(db, user, amount, order, "", te.clock.now());
  });
}

json metadata_of(shoptest::TestEngine& te, std::int64_t entry_id) {
  auto r = store(te).read([&](Db& db) -> Result<std::string> {
    auto& q = db.stmt("SELECT metadata FROM point_entries WHERE id = ?");
    q.bind(1, entry_id);
    if (!q.executeStep()) return shop::Error::not_found();
    std::string s = q.getColumn(0).getString();
    q.reset();
    return s;
  });
  REQUIRE(r.is_ok());
  return json::parse(*r);
}

}  // namespace

TEST_SUITE("points") {
  TEST_CASE("amounts in messages are grouped by thousands") {
    CHECK(shop::format_points(0) == "0");
    CHECK(shop::format_points(999) == "999");
    CHECK(shop::format_points(1000) == "1,000");
    CHECK(shop::format_points(1234567) == "1,234,567");
    CHECK(shop::format_points(-100000) == "-100,000");
    CHECK(shop::format_points(INT64_MIN) == "-9,223,372,036,854,775,808");
    CHECK(shop::point_type_display("cancel_deduct") == "취소 차감");
  }

  TEST_CASE("grants move the balance and the running totals with the entry") {
    shoptest::TestEngine te;
    auto u = make_user(te, "alice");
    grant(te, u, 1000, 30);
    grant(te, u, 500, -1, "admin_add");
    CHECK(balance(te, u) == 1500);
    auto my = te->points().my(u);
    REQUIRE(my.is_ok());
    CHECK(my->info.points == 1500);
    CHECK(my->info.total_earned == 1500);
    CHECK(my->info.total_used == 0);
    REQUIRE(my->recent.size() == 2);
    CHECK(my->recent[0].type == "admin_add");  // newest first
    CHECK(my->recent[0].balance == 1500);
    CHECK_FALSE(my->recent[0].is_lot);
    CHECK(my->recent[1].is_lot);
    CHECK(my->recent[1].lot_remaining == 1000);
    CHECK(violations(te).empty());
  }

  TEST_CASE("spending takes lots by expiry date first, then the non-expiring rest") {
    shoptest::TestEngine te;
    auto u = make_user(te, "fifo");
    auto a = grant(te, u, 1000, 30);
    auto b = grant(te, u, 500, 10);
    auto c = grant(te, u, 2000, 60);
    grant(te, u, 300, -1, "admin_add");

    auto s1 = spend(te, u, 1200);
    REQUIRE(s1.is_ok());
    REQUIRE(s1->lots.size() == 2);
    CHECK(s1->lots[0].lot_id == b);  // expires first
    CHECK(s1->lots[0].amount == 500);
    CHECK(s1->lots[1].lot_id == a);
    CHECK(s1->lots[1].amount == 700);
    CHECK(s1->balance_after == 2600);
    CHECK(lot(te, b).remaining == 0);
    CHECK(lot(te, a).remaining == 300);
    CHECK(lot(te, a).used == 700);
    auto meta = metadata_of(te, s1->entry_id);
    REQUIRE(meta["used_details"].size() == 2);
    CHECK(meta["used_details"][0]["history_id"] == b);
    CHECK(meta["used_details"][0]["amount"] == 500);
    CHECK(meta["used_details"][0]["expires_at"].get<std::string>().ends_with("+00:00"));

    // A partial lot is finished before the next one is opened.
    auto s2 = spend(te, u, 2000);
    REQUIRE(s2.is_ok());
    REQUIRE(s2->lots.size() == 2);
    CHECK(s2->lots[0].lot_id == a);
    CHECK(s2->lots[0].amount == 300);
    CHECK(s2->lots[1].lot_id == c);
    CHECK(s2->lots[1].amount == 1700);

    // More than the lots hold: the rest of the balance pays the difference.
    auto s3 = spend(te, u, 600);
    REQUIRE(s3.is_ok());
    REQUIRE(s3->lots.size() == 1);
    CHECK(s3->lots[0].amount == 300);
    CHECK(s3->balance_after == 0);
    CHECK(lot(te, c).remaining == 0);

    // More than the balance: an error, nothing written.
    const auto entries = entry_count(te);
    auto s4 = spend(te, u, 100);
    REQUIRE_FALSE(s4.is_ok());
    CHECK(s4.error().reason == "INSUFFICIENT_POINTS");
    CHECK(s4.error().field == "amount");
    CHECK(entry_count(te) == entries);
    CHECK(violations(te).empty());
  }

  TEST_CASE("spend amount rules: minimum 100, positive, within the balance") {
    shoptest::TestEngine te;
    auto u = make_user(te, "rules");
    grant(te, u, 150, 30);
    CHECK(spend(te, u, 99).error().reason == "MINIMUM_AMOUNT_NOT_MET");
    CHECK(spend(te, u, 0).error().reason == "INVALID_AMOUNT");
    CHECK(spend(te, u, -5).error().reason == "INVALID_AMOUNT");
    CHECK(spend(te, u, 151).error().reason == "INSUFFICIENT_POINTS");
    auto below_min = store(te).write([&](Db& db) {
      return shop::ledger::spend_fifo(db, u, 50, std::nullopt, "", te.clock.now(), false);
    });
    CHECK(below_min.is_ok());
    CHECK(balance(te, u) == 100);
    CHECK(spend(te, 999999, 100).error().code == shop::ErrorCode::kNotFound);
    // The messages carry the balance but the code is not guessed from them (D17).
    auto big = make_user(te, "big");
    grant(te, big, 100000, 30);
    auto over = te->points().use(big, 100001, std::nullopt, "");
    REQUIRE_FALSE(over.is_ok());
    CHECK(over.error().reason == "INSUFFICIENT_POINTS");
    CHECK(over.error().message.find("100,000") != std::string::npos);
  }

  TEST_CASE("an order spends once") {
    shoptest::TestEngine te;
    auto u = make_user(te, "once");
    grant(te, u, 1000, 30);
    auto o = make_order(te, u, 5000, 4500, "pending");
    REQUIRE(spend(te, u, 500, o).is_ok());
    auto again = spend(te, u, 500, o);
    REQUIRE_FALSE(again.is_ok());
    CHECK(again.error().reason == "ALREADY_APPLIED");
    CHECK(balance(te, u) == 500);
  }

  TEST_CASE("expiry takes exactly the remainder of partly used lots, once") {
    shoptest::TestEngine te;
    auto u = make_user(te, "exp");
    auto partly = grant(te, u, 1000, 10);
    auto spent = grant(te, u, 200, 5);
    auto later = grant(te, u, 700, 40);
    grant(te, u, 100, -1, "admin_add");
    REQUIRE(spend(te, u, 500).is_ok());  // 200 from `spent`, 300 from `partly`
    CHECK(lot(te, partly).remaining == 700);

    te.clock.advance(11 * kMicrosPerDay);
    // A lot past its date still pays for a spend until the job has run (as the reference).
    auto run = te->points().expire_due_lots(te.clock.now());
    REQUIRE(run.is_ok());
    CHECK(run->lots_expired == 1);
    CHECK(run->lots_closed == 1);  // `spent` was used up: flagged, no entry
    CHECK(run->points_expired == 700);
    CHECK(run->users_affected == 1);
    CHECK(run->failed == 0);
    CHECK(balance(te, u) == 1500 - 700);
    auto l = lot(te, partly);
    CHECK(l.expired);
    CHECK(l.expired_amount == 700);
    CHECK(l.remaining == 0);
    CHECK(l.used == 300);
    CHECK(lot(te, spent).expired);
    CHECK(lot(te, spent).expired_amount == 0);
    CHECK_FALSE(lot(te, later).expired);
    CHECK(scalar(te, "SELECT COUNT(*) FROM point_entries WHERE type = 'expire'") == 1);
    auto expire_id = scalar(te, "SELECT id FROM point_entries WHERE type = 'expire'");
    auto meta = metadata_of(te, expire_id);
    CHECK(meta["original_history_id"] == partly);
    CHECK(meta["original_points"] == 1000);
    CHECK(meta["expired_amount"] == 700);

    // Idempotent: a second run finds nothing, and changes nothing.
    const auto entries = entry_count(te);
    auto again = te->points().expire_due_lots(te.clock.now());
    REQUIRE(again.is_ok());
    CHECK(again->lots_expired == 0);
    CHECK(again->lots_closed == 0);
    CHECK(entry_count(te) == entries);
    CHECK(balance(te, u) == 800);
    CHECK(violations(te).empty());
  }

  TEST_CASE("expiry works in bounded transactions and a bad row does not poison the batch") {
    shoptest::TestEngine te;
    std::vector<std::int64_t> users = {make_user(te, "b1"), make_user(te, "b2"),
                                       make_user(te, "b3")};
    const Micros now = te.clock.now();
    auto st = store(te).write([&](Db& db) -> shop::Status {
      for (int i = 0; i < 1200; ++i) {
        auto g =
            shop::ledger::grant(db, users[static_cast<size_t>(i % 3)], "event", 10 + i % 7,
                                now + (i % 50) * shop::kMicrosPerSecond, std::nullopt, "", now);
        if (!g) return g.error();
      }
      return shop::Status::ok();
    });
    REQUIRE(st.is_ok());
    // Corrupt user b3: its balance no longer covers its lots (a bad row for the job).
    auto bad_lot =
        scalar(te, "SELECT MIN(id) FROM point_entries WHERE user_id = " + std::to_string(users[2]));
    REQUIRE(store(te)
                .write([&](Db& db) -> shop::Status {
                  db.exec("UPDATE users SET points = 0 WHERE id = " + std::to_string(users[2]));
                  return shop::Status::ok();
                })
                .is_ok());
    te.clock.advance(kMicrosPerDay);
    auto run = te->points().expire_due_lots(te.clock.now());
    REQUIRE(run.is_ok());
    CHECK(run->transactions >= 3);    // 1200 lots, 500 per transaction
    CHECK(run->lots_expired == 800);  // b1 and b2
    CHECK(run->failed == 400);        // every lot of the corrupted user, each on its own
    CHECK(run->first_error.find("exceeds the balance") != std::string::npos);
    CHECK(balance(te, users[0]) == 0);
    CHECK(balance(te, users[1]) == 0);
    CHECK_FALSE(lot(te, bad_lot).expired);  // left for the next run
  }

  TEST_CASE("earning: tier rate, never twice, nothing when paid with points") {
    shoptest::TestEngine te;
    auto silver = make_user(te, "silver", "silver");
    auto vip = make_user(te, "vip", "vip");
    auto o1 = make_order(te, silver, 10999, 10999);
    auto earn = [&](std::int64_t order) {
      return store(te).write(
          [&](Db& db) { return shop::ledger::earn_for_order(db, order, te.clock.now()); });
    };
    auto e1 = earn(o1);
    REQUIRE(e1.is_ok());
    CHECK(e1->amount == 219);  // floor(10999 * 2 %)
    CHECK(balance(te, silver) == 219);
    auto e2 = earn(o1);
    REQUIRE(e2.is_ok());
    CHECK(e2->amount == 0);
    CHECK(e2->entry_id == e1->entry_id);
    CHECK(balance(te, silver) == 219);
    CHECK(scalar(te, "SELECT earned_points FROM orders WHERE id = " + std::to_string(o1)) == 219);
    CHECK(scalar(te, "SELECT expires_at FROM point_entries WHERE id = " +
                         std::to_string(e1->entry_id)) ==
          te.clock.now() + shop::ledger::kLotLifetime);

    auto o2 = make_order(te, vip, 20000, 20000);
    CHECK(earn(o2)->amount == 1000);
    auto free = make_order(te, vip, 20000, 0);  // paid entirely with points
    CHECK(earn(free)->amount == 0);
    auto canceled = make_order(te, vip, 20000, 20000, "canceled");
    CHECK(earn(canceled).error().reason == "ORDER_NOT_EARNABLE");
    CHECK(earn(987654).error().code == shop::ErrorCode::kNotFound);
    CHECK(balance(te, vip) == 1000);
    CHECK(violations(te).empty());
  }

  TEST_CASE("reversal refunds the use and takes back the earn, each once") {
    shoptest::TestEngine te;
    auto u = make_user(te, "rev");
    grant(te, u, 800, 20);
    auto o = make_order(te, u, 50000, 49500, "pending");
    REQUIRE(spend(te, u, 500, o).is_ok());
    set_order_status(te, o, "paid");
    auto earned = store(te).write(
        [&](Db& db) { return shop::ledger::earn_for_order(db, o, te.clock.now()); });
    REQUIRE(earned.is_ok());
    CHECK(earned->amount == 500);
    CHECK(balance(te, u) == 800);
    set_order_status(te, o, "canceled");

    auto reverse = [&] {
      return store(te).write(
          [&](Db& db) { return shop::ledger::reverse_order(db, o, te.clock.now()); });
    };
    auto r1 = reverse();
    REQUIRE(r1.is_ok());
    CHECK(r1->refunded == 500);
    CHECK(r1->deducted == 500);
    CHECK(balance(te, u) == 800);
    // The order's own earn lot pays its deduction first.
    auto own = lot(te, earned->entry_id);
    CHECK(own.used == 500);
    CHECK(own.remaining == 0);
    auto r2 = reverse();
    REQUIRE(r2.is_ok());
    CHECK(r2->refunded == 0);
    CHECK(r2->deducted == 0);
    CHECK(balance(te, u) == 800);
    CHECK(scalar(te, "SELECT COUNT(*) FROM point_entries WHERE order_id = " + std::to_string(o)) ==
          4);
    CHECK(violations(te).empty());
  }

  TEST_CASE("reversal fails whole when the balance cannot cover the earn") {
    shoptest::TestEngine te;
    auto u = make_user(te, "broke", "vip");
    auto o = make_order(te, u, 20000, 20000);
    REQUIRE(store(te)
                .write([&](Db& db) { return shop::ledger::earn_for_order(db, o, te.clock.now()); })
                .is_ok());
    REQUIRE(spend(te, u, 1000).is_ok());  // spent what the order earned
    set_order_status(te, o, "canceled");
    const auto entries = entry_count(te);
    auto r =
        store(te).write([&](Db& db) { return shop::ledger::reverse_order(db, o, te.clock.now()); });
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.error().reason == "INSUFFICIENT_POINTS");
    CHECK(entry_count(te) == entries);
    CHECK(balance(te, u) == 0);
  }

  TEST_CASE("a cancel deduction skips expired lots and keeps lots within the balance") {
    shoptest::TestEngine te;
    auto u = make_user(te, "skip");
    auto o = make_order(te, u, 10000, 10000);  // bronze: earns 100
    auto earned = store(te).write(
        [&](Db& db) { return shop::ledger::earn_for_order(db, o, te.clock.now()); });
    REQUIRE(earned.is_ok());
    REQUIRE(spend(te, u, 100).is_ok());  // the earn lot is used up
    auto soon = grant(te, u, 300, 1);    // will be past due (not yet expired by the job)
    auto far = grant(te, u, 50, 100);
    grant(te, u, 30, -1, "cancel_refund");
    set_order_status(te, o, "canceled");
    te.clock.advance(2 * kMicrosPerDay);
    auto d = store(te).write(
        [&](Db& db) { return shop::ledger::deduct_order_earn(db, o, te.clock.now()); });
    REQUIRE(d.is_ok());
    CHECK(d->amount == 100);
    // Unexpired lot (50), then the non-expiring rest (30), then the past-due lot (20).
    REQUIRE(d->lots.size() == 2);
    CHECK(d->lots[0].lot_id == far);
    CHECK(d->lots[0].amount == 50);
    CHECK(d->lots[1].lot_id == soon);
    CHECK(d->lots[1].amount == 20);
    CHECK(balance(te, u) == 280);
    CHECK(violations(te).empty());
  }

  TEST_CASE("Points::cancel reverses only what a canceled order of the caller used or earned") {
    shoptest::TestEngine te;
    auto u = make_user(te, "canceler", "gold");
    auto other = make_user(te, "other");
    grant(te, u, 2000, 30);
    auto o = make_order(te, u, 10000, 9500, "pending");
    REQUIRE(spend(te, u, 500, o).is_ok());
    set_order_status(te, o, "paid");
    REQUIRE(store(te)
                .write([&](Db& db) { return shop::ledger::earn_for_order(db, o, te.clock.now()); })
                .is_ok());  // 300
    auto& points = te->points();
    CHECK(points.cancel(u, o, "cancel_refund", 500, "").error().reason == "ORDER_NOT_CANCELED");
    set_order_status(te, o, "canceled");
    CHECK(points.cancel(other, o, "cancel_refund", 500, "").error().reason == "INVALID_ORDER");
    CHECK(points.cancel(u, 424242, "cancel_refund", 500, "").error().reason == "INVALID_ORDER");
    CHECK(points.cancel(u, o, "bogus", 500, "").error().reason == "INVALID_TYPE");
    CHECK(points.cancel(u, o, "cancel_refund", 0, "").error().reason == "INVALID_AMOUNT");
    CHECK(points.cancel(u, o, "cancel_refund", 100000, "").error().reason == "INVALID_AMOUNT");
    CHECK(balance(te, u) == 1800);

    auto refund = points.cancel(u, o, "cancel_refund", 500, "");
    REQUIRE(refund.is_ok());
    CHECK(refund->processed_amount == 500);
    CHECK(refund->remaining_points == 2300);
    auto again = points.cancel(u, o, "cancel_refund", 500, "");
    CHECK(again.error().reason == "CANCEL_REFUND_FAILED");

    auto deduct = points.cancel(u, o, "cancel_deduct", 300, "");
    REQUIRE(deduct.is_ok());
    CHECK(deduct->remaining_points == 2000);
    CHECK(points.cancel(u, o, "cancel_deduct", 300, "").error().reason == "CANCEL_DEDUCT_FAILED");

    auto plain = make_order(te, u, 10000, 10000, "canceled");  // used and earned nothing
    CHECK(points.cancel(u, plain, "cancel_refund", 100, "").error().reason ==
          "CANCEL_REFUND_FAILED");
    CHECK(points.cancel(u, plain, "cancel_deduct", 100, "").error().reason ==
          "CANCEL_DEDUCT_FAILED");
    CHECK(balance(te, u) == 2000);
    CHECK(violations(te).empty());
  }

  TEST_CASE("Points::use records the lots and names a caller's order only in metadata") {
    shoptest::TestEngine te;
    auto u = make_user(te, "user");
    auto other = make_user(te, "intruder");
    auto lot_id = grant(te, u, 1000, 30);
    auto o = make_order(te, u, 5000, 5000);
    auto foreign = make_order(te, other, 5000, 5000);
    auto bad = te->points().use(u, 200, foreign, "");
    REQUIRE_FALSE(bad.is_ok());
    CHECK(bad.error().reason == "INVALID_ORDER");
    CHECK(bad.error().field == "order_id");
    auto r = te->points().use(u, 200, o, "test burn");
    REQUIRE(r.is_ok());
    CHECK(r->used_amount == 200);
    CHECK(r->remaining_points == 800);
    REQUIRE(r->used_details.size() == 1);
    CHECK(r->used_details[0].history_id == lot_id);
    auto meta = metadata_of(te, r->entry_id);
    CHECK(meta["order_id"] == o);
    CHECK(scalar(te, "SELECT COUNT(*) FROM point_entries WHERE order_id IS NOT NULL") == 0);
  }

  TEST_CASE("history: filters, pages and counts without scanning") {
    shoptest::TestEngine te;
    auto u = make_user(te, "hist");
    for (int i = 0; i < 30; ++i) {
      grant(te, u, 200, 30);
      te.clock.advance(kMicrosPerDay);
      if (i % 3 == 0) REQUIRE(spend(te, u, 100).is_ok());
    }
    auto& points = te->points();
    shop::HistoryQuery q;
    auto all = points.history(u, q);
    REQUIRE(all.is_ok());
    CHECK(all->count == 40);
    CHECK(all->results.size() == 20);
    CHECK(all->results.front().id > all->results.back().id);  // newest first
    CHECK(all->summary.current_points == 30 * 200 - 10 * 100);
    CHECK(all->summary.total_earned == 6000);
    CHECK(all->summary.total_used == 1000);
    q.page = 2;
    auto p2 = points.history(u, q);
    CHECK(p2->results.size() == 20);
    CHECK(p2->results.front().id < all->results.back().id);
    q.page = 3;
    CHECK(points.history(u, q)->results.empty());  // past the end: empty, not an error
    q.page = 1;
    q.type = "used";
    CHECK(points.history(u, q)->count == 10);
    q.type = "earned";
    CHECK(points.history(u, q)->count == 30);
    q.type = "use";
    auto uses = points.history(u, q);
    CHECK(uses->count == 10);
    for (const auto& e : uses->results) CHECK(e.type == "use");
    q.type = "nonsense";
    auto none = points.history(u, q);
    CHECK(none->count == 0);
    CHECK(none->results.empty());
    CHECK(none->summary.current_points == 5000);  // the summary is still over everything

    // Date bounds: entries created on the first 5 local days.
    q.type = "";
    const int off = 9 * 60;
    const auto first_day =
        *shop::timefmt::parse_date(shop::timefmt::format_date(shoptest::kTestEpoch, off));
    q.from = shop::timefmt::local_day_start(first_day, off);
    q.until = shop::timefmt::local_day_start(first_day + 5, off);
    auto ranged = points.history(u, q);
    CHECK(ranged->count == 5 + 2);  // 5 grants and the spends of days 0 and 3
    for (const auto& e : ranged->results) {
      CHECK(e.created_at >= *q.from);
      CHECK(e.created_at < *q.until);
    }
    q.from.reset();
    q.until.reset();
    q.page = 0;
    CHECK(points.history(u, q).error().field == "page");
    q.page = 1;
    q.page_size = 101;
    CHECK(points.history(u, q).error().field == "page_size");
  }

  TEST_CASE("expiring: remaining amounts in the window, by month, soonest first") {
    shoptest::TestEngine te;  // 2026-01-15 12:00 KST
    auto u = make_user(te, "soon");
    auto a = grant(te, u, 1000, 10);  // 2026-01-25
    grant(te, u, 400, 20);            // 2026-02-04
    grant(te, u, 700, 45);            // outside 30 days
    grant(te, u, 999, -1, "admin_add");
    auto past = grant(te, u, 50, 0.5);
    REQUIRE(spend(te, u, 350).is_ok());  // 50 from `past`, 300 from `a`
    (void)past;
    auto r = te->points().expiring(u, 30);
    REQUIRE(r.is_ok());
    CHECK(r->total_expiring == 700 + 400);  // remaining, not the full lots (D16)
    REQUIRE(r->histories.size() == 2);
    CHECK(r->histories[0].id == a);
    CHECK(r->histories[0].points == 1000);
    CHECK(r->histories[0].lot_remaining == 700);
    REQUIRE(r->monthly_summary.size() == 2);
    CHECK(r->monthly_summary[0].month == "2026-01");
    CHECK(r->monthly_summary[0].points == 700);
    CHECK(r->monthly_summary[1].month == "2026-02");
    CHECK(r->monthly_summary[1].count == 1);
    CHECK(te->points().my(u)->info.expiring_soon == 1100);
    CHECK(te->points().expiring(u, 60)->total_expiring == 1800);
    CHECK(te->points().expiring(u, 0).error().field == "days");
    CHECK(te->points().expiring(u, 3651).error().field == "days");

    te.clock.advance(11 * kMicrosPerDay);  // `a` is past due: not "expiring" any more
    CHECK(te->points().expiring(u, 30)->total_expiring == 400);
  }

  TEST_CASE("check: the contract's answers") {
    shoptest::TestEngine te;
    auto u = make_user(te, "checker");
    grant(te, u, 3000, 30);
    auto& p = te->points();
    auto zero = p.check(u, 50000, 0);
    CHECK(zero->can_use);
    CHECK(zero->max_usable == 3000);
    CHECK(zero->available_points == 3000);
    CHECK_FALSE(p.check(u, 50000, 99)->can_use);
    CHECK_FALSE(p.check(u, 50000, 5000)->can_use);
    CHECK(p.check(u, 50000, 5000)->message.find("3,000") != std::string::npos);
    CHECK_FALSE(p.check(u, 1000, 2000)->can_use);
    CHECK(p.check(u, 1000, 2000)->max_usable == 1000);
    CHECK(p.check(u, 50000, 3000)->can_use);
    CHECK(p.check(u, -1, 0).error().field == "order_amount");
  }

  TEST_CASE("statistics: this month, all time and per type from running totals") {
    shoptest::TestEngine te;  // 2026-01-15
    auto u = make_user(te, "stats");
    grant(te, u, 1000, 300);
    REQUIRE(spend(te, u, 300).is_ok());
    te.clock.advance(20 * kMicrosPerDay);  // 2026-02-04: a new month
    grant(te, u, 500, -1, "admin_add");
    REQUIRE(spend(te, u, 200).is_ok());
    auto s = te->points().statistics(u);
    REQUIRE(s.is_ok());
    CHECK(s->current_points == 1000);
    CHECK(s->this_month_earned == 500);
    CHECK(s->this_month_used == 200);
    CHECK(s->all_time_earned == 1500);
    CHECK(s->all_time_used == 500);
    REQUIRE(s->by_type.size() == 3);
    CHECK(s->by_type[0].type == "admin_add");
    CHECK(s->by_type[1].type == "event");
    CHECK(s->by_type[2].type == "use");
    CHECK(s->by_type[2].count == 2);
    CHECK(s->by_type[2].total == -500);
  }

  TEST_CASE("admin adjustments add without expiry and deduct FIFO") {
    shoptest::TestEngine te;
    auto u = make_user(te, "adj");
    auto l = grant(te, u, 100, 30);
    auto add = te->points().admin_adjust(u, 50, "goodwill");
    REQUIRE(add.is_ok());
    CHECK(add->balance_after == 150);
    auto sub = te->points().admin_adjust(u, -120, "correction");
    REQUIRE(sub.is_ok());
    CHECK(sub->balance_after == 30);
    CHECK(lot(te, l).remaining == 0);
    CHECK(te->points().admin_adjust(u, -31, "too much").error().reason == "INSUFFICIENT_POINTS");
    CHECK(te->points().admin_adjust(u, 0, "none").error().reason == "INVALID_AMOUNT");
    CHECK(te->points().admin_adjust(u, INT64_MIN, "min").error().reason == "INVALID_AMOUNT");
    CHECK(te->points().admin_adjust(u, INT64_MAX, "max").error().reason == "INVALID_AMOUNT");
    CHECK(violations(te).empty());
  }

  TEST_CASE("expiry notices: one per user per run, each lot once") {
    shoptest::TestEngine te;
    auto u1 = make_user(te, "n1");
    auto u2 = make_user(te, "n2");
    auto l1 = grant(te, u1, 100, 3);
    grant(te, u1, 200, 6);
    grant(te, u1, 300, 20);  // outside 7 days
    grant(te, u2, 400, 1);
    auto used = grant(te, u2, 100, 2);
    REQUIRE(spend(te, u2, 500).is_ok());  // u2's lots are used up: nothing to announce
    (void)used;
    auto run = te->points().notify_expiring(te.clock.now());
    REQUIRE(run.is_ok());
    CHECK(run->users_notified == 1);
    CHECK(run->lots_flagged == 2);
    CHECK(lot(te, l1).notified);
    CHECK(scalar(te,
                 "SELECT COUNT(*) FROM notifications WHERE notification_type = "
                 "'point_expiring' AND user_id = " +
                     std::to_string(u1)) == 1);
    auto again = te->points().notify_expiring(te.clock.now());
    CHECK(again->users_notified == 0);
    te.clock.advance(14 * kMicrosPerDay);  // the 20-day lot is now within 7 days
    auto later = te->points().notify_expiring(te.clock.now());
    CHECK(later->users_notified == 1);
    CHECK(later->lots_flagged == 1);
    auto unread = te->points().unread_notifications(u1);
    REQUIRE(unread.is_ok());
    CHECK(unread->count == 2);
    CHECK(unread->results[0].message.find("300") != std::string::npos);
    auto read = te->points().read_notification(u1, unread->results[0].id);
    REQUIRE(read.is_ok());
    CHECK(read->is_read);
    CHECK(te->points().unread_notifications(u1)->count == 1);
    CHECK(te->points().read_notification(u2, unread->results[1].id).error().code ==
          shop::ErrorCode::kNotFound);
  }

  TEST_CASE("the invariant checker sees a planted inconsistency") {
    shoptest::TestEngine te;
    auto u = make_user(te, "plant");
    auto l = grant(te, u, 500, 30);
    CHECK(violations(te).empty());
    REQUIRE(store(te)
                .write([&](Db& db) -> shop::Status {
                  db.exec("UPDATE point_entries SET lot_used = 7 WHERE id = " + std::to_string(l));
                  db.exec("UPDATE users SET points = 400 WHERE id = " + std::to_string(u));
                  return shop::Status::ok();
                })
                .is_ok());
    auto v = violations(te);
    CHECK(v.size() >= 3);  // sum, newest balance, lot arithmetic, open lots > balance
    std::string all;
    for (auto& line : v) all += line + "\n";
    CHECK(all.find("sum of entries") != std::string::npos);
    CHECK(all.find("lot state inconsistent") != std::string::npos);
  }
}

TEST_SUITE("points scheduler") {
  TEST_CASE("daily slots in the configured zone") {
    using shop::jobs::Scheduler;
    // 2026-01-15T03:00Z is 12:00 KST: today's 02:00 KST slot was 2026-01-14T17:00Z.
    const Micros t = shoptest::kTestEpoch;
    CHECK(shop::timefmt::format_datetime(Scheduler::latest_slot(t, 120, 540), 540) ==
          "2026-01-15T02:00:00.000000+09:00");
    CHECK(shop::timefmt::format_datetime(Scheduler::latest_slot(t, 600, 540), 540) ==
          "2026-01-15T10:00:00.000000+09:00");
    // At 01:59 KST the latest 02:00 slot is yesterday's.
    const Micros early = t - 10 * 3600 * shop::kMicrosPerSecond - 60 * shop::kMicrosPerSecond;
    CHECK(shop::timefmt::format_datetime(Scheduler::latest_slot(early, 120, 540), 540) ==
          "2026-01-14T02:00:00.000000+09:00");
    CHECK(Scheduler::latest_slot(t, 120, 0) == t - 1 * 3600 * shop::kMicrosPerSecond);
  }

  TEST_CASE("run_due runs each job once per slot and remembers it in job_runs") {
    shoptest::TestEngine te;  // 12:00 KST
    auto& sched = *te->context().scheduler;
    auto u = make_user(te, "sched");
    grant(te, u, 100, 0.5);  // due tonight
    auto first = sched.run_due(te.clock.now());
    CHECK(first.size() == 2);  // a fresh database catches up both of today's slots
    CHECK(sched.run_due(te.clock.now()).empty());
    te.clock.advance(13 * 3600 * shop::kMicrosPerSecond);  // 01:00 KST next day: nothing due
    CHECK(sched.run_due(te.clock.now()).empty());
    CHECK(balance(te, u) == 100);
    te.clock.advance(1 * 3600 * shop::kMicrosPerSecond);  // 02:00
    CHECK(sched.run_due(te.clock.now()) == std::vector<std::string>{"expire-points-daily"});
    CHECK(balance(te, u) == 0);
    te.clock.advance(8 * 3600 * shop::kMicrosPerSecond);  // 10:00
    CHECK(sched.run_due(te.clock.now()) == std::vector<std::string>{"send-expiry-notifications"});
  }

  TEST_CASE("the scheduler thread follows the manual clock when woken") {
    shoptest::TestEngine te;
    auto& sched = *te->context().scheduler;
    auto u = make_user(te, "thread");
    grant(te, u, 100, 2);
    sched.start();
    // Wait for its first round (catch-up on a fresh database) by polling, then move the clock.
    for (int i = 0; i < 5000 && sched.rounds() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    REQUIRE(sched.rounds() > 0);
    CHECK(balance(te, u) == 100);
    te.clock.advance(3 * kMicrosPerDay);
    sched.wake();
    for (int i = 0; i < 5000 && balance(te, u) != 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    CHECK(balance(te, u) == 0);
    sched.stop();
  }
}
