// admin_test.cpp — the Admin module: stats, verify (and that it catches planted corruption),
// users and tiers, cart cleanup.
#include "shop/admin.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "engine_context.h"
#include "shop/auth.h"
#include "shop/cart.h"
#include "shop/catalog.h"
#include "shop/orders.h"
#include "shop/points.h"
#include "support/test_support.h"

using shop::Admin;
using shop::Result;
using shop::Status;
using shop::VerifyReport;

namespace {

// Raw SQL on the test database from a second connection, as a corrupting hand would do it.
void raw_sql(shoptest::TestEngine& te, const std::string& sql) {
  SQLite::Database db(te->options().db_path, SQLite::OPEN_READWRITE);
  db.setBusyTimeout(5000);
  db.exec(sql);
}

std::int64_t scalar(shoptest::TestEngine& te, const std::string& sql) {
  auto v = te->context().store->read(
      [&](shop::store::Db& db) -> Result<std::int64_t> { return db.scalar_int(sql, -1); });
  REQUIRE(v.is_ok());
  return *v;
}

bool has_violation(const VerifyReport& r, const std::string& check) {
  return std::any_of(r.violations.begin(), r.violations.end(),
                     [&](const shop::Violation& v) { return v.check == check; });
}

std::string describe(const VerifyReport& r) {
  std::string out;
  for (const auto& v : r.violations) out += "[" + v.check + "] " + v.message + "\n";
  return out;
}

VerifyReport verify(shoptest::TestEngine& te, bool strict = true) {
  auto r = te->admin().verify({strict});
  REQUIRE(r.is_ok());
  return *r;
}

// A minimal preset: 2 users (+admin), 8 products, 1 order, 1 cart.
void seed_minimal(shoptest::TestEngine& te, std::uint64_t seed = 7) {
  shop::testdata::Options o;
  o.preset = "minimal";
  o.seed = seed;
  auto r = te->admin().create_test_data(o);
  REQUIRE_MESSAGE(r.is_ok(), r.error().message);
}

std::int64_t user_id(shoptest::TestEngine& te, const std::string& name) {
  auto u = te->admin().find_user(name);
  REQUIRE(u.is_ok());
  return u->id;
}

}  // namespace

TEST_SUITE("admin") {
  TEST_CASE("stats and verify on an empty database") {
    shoptest::TestEngine te;
    auto s = te->admin().stats();
    REQUIRE(s.is_ok());
    CHECK(s->orders == 0);
    CHECK(s->products == 0);
    CHECK(s->users == 0);
    CHECK(s->points_outstanding == 0);
    auto r = verify(te);
    CHECK(r.ok());
    CHECK(r.users == 0);
    CHECK(r.products == 0);
  }

  TEST_CASE("stats counts orders by status, stock, users and points") {
    shoptest::TestEngine te;
    seed_minimal(te);
    auto s = te->admin().stats();
    REQUIRE(s.is_ok());
    CHECK(s->users == 3);  // test_user1, test_user2, admin
    CHECK(s->products == 8);
    CHECK(s->products_in_stock + s->products_out_of_stock == 8);
    CHECK(s->orders == 1);
    std::int64_t by_status = 0;
    for (const auto& [status, n] : s->orders_by_status) by_status += n;
    CHECK(by_status == s->orders);
    CHECK(s->orders_pending == 0);
    CHECK(s->points_outstanding == scalar(te, "SELECT SUM(points) FROM users"));
    CHECK(s->open_lot_points ==
          scalar(te,
                 "SELECT COALESCE(SUM(lot_remaining), 0) FROM point_entries WHERE "
                 "lot_expired = 0"));
    CHECK(s->ledger_entries == scalar(te, "SELECT COUNT(*) FROM point_entries"));
  }

  TEST_CASE("verify is clean after the minimal preset and catches a negative stock") {
    shoptest::TestEngine te;
    seed_minimal(te);
    auto clean = verify(te);
    CHECK_MESSAGE(clean.ok(), describe(clean));
    CHECK(clean.products == 8);
    // The CHECK constraint forbids it, so a corrupting hand has to switch the check off.
    const std::int64_t product = scalar(te, "SELECT MIN(id) FROM products");
    raw_sql(te, "PRAGMA ignore_check_constraints=ON; UPDATE products SET stock = -3 WHERE id = " +
                    std::to_string(product));
    auto r = verify(te);
    CHECK_FALSE(r.ok());
    REQUIRE(has_violation(r, "product.stock_negative"));
    for (const auto& v : r.violations) {
      if (v.check == "product.stock_negative") CHECK(v.ids.at("product_id") == product);
    }
  }

  TEST_CASE("verify catches stock that moved without an order item") {
    shoptest::TestEngine te;
    seed_minimal(te);
    raw_sql(te, "UPDATE products SET stock = stock + 1 WHERE id = (SELECT MAX(id) FROM products)");
    auto r = verify(te);
    CHECK(has_violation(r, "product.stock_bookkeeping"));
    CHECK_FALSE(has_violation(r, "product.stock_negative"));
  }

  TEST_CASE("verify catches a balance that disagrees with the ledger") {
    shoptest::TestEngine te;
    seed_minimal(te);
    raw_sql(te, "UPDATE users SET points = points + 500 WHERE username = 'test_user1'");
    auto r = verify(te);
    CHECK_FALSE(r.ok());
    CHECK(has_violation(r, "ledger"));
    const std::string id = std::to_string(user_id(te, "test_user1"));
    bool names_user = false;
    for (const auto& v : r.violations) {
      if (v.check == "ledger" && v.message.find(" " + id + " ") != std::string::npos) {
        names_user = true;
      }
    }
    CHECK_MESSAGE(names_user, describe(r));
  }

  TEST_CASE("verify catches a confirmed order with no items") {
    shoptest::TestEngine te;
    seed_minimal(te);
    const std::int64_t uid = user_id(te, "test_user2");
    raw_sql(te,
            "INSERT INTO orders(user_id, status, total_amount, shipping_fee, "
            "additional_shipping_fee, is_free_shipping, final_amount, shipping_name, "
            "shipping_phone, shipping_postal_code, shipping_address, created_at, updated_at) "
            "VALUES (" +
                std::to_string(uid) +
                ", 'confirmed', 0, 0, 0, 1, 0, 'x', '010-0000-0000', '06236', 'addr', 1, 1)");
    const std::int64_t order = scalar(te, "SELECT MAX(id) FROM orders");
    auto r = verify(te);
    REQUIRE(has_violation(r, "order.no_items"));
    for (const auto& v : r.violations) {
      if (v.check == "order.no_items") {
        CHECK(v.ids.at("order_id") == order);
        CHECK(v.ids.at("user_id") == uid);
      }
    }
  }

  TEST_CASE("verify catches used_points that disagree with the order's use entry") {
    shoptest::TestEngine te;
    seed_minimal(te);
    raw_sql(te, "UPDATE orders SET used_points = used_points + 100");
    auto r = verify(te);
    auto processed = scalar(te,
                            "SELECT COUNT(*) FROM orders WHERE status IN ('confirmed', "
                            "'paid', 'preparing', 'shipped', 'delivered')");
    CHECK(has_violation(r, "order.used_points") == (processed > 0));
  }

  TEST_CASE("pending orders are a warning, and a violation with strict") {
    shoptest::TestEngine te;  // no workers: intake leaves the order pending
    seed_minimal(te);
    const std::int64_t uid = user_id(te, "test_user2");
    const std::int64_t product = scalar(te, "SELECT MAX(id) FROM products WHERE stock > 0");
    REQUIRE(te->carts().add_item(shop::CartOwner::user(uid), product, 1).is_ok());
    shop::OrderRequest req;
    req.shipping_name = "Kim";
    req.shipping_phone = "010-1234-5678";
    req.shipping_postal_code = "06236";
    req.shipping_address = "Seoul";
    auto accepted = te->orders().intake(uid, req);
    REQUIRE_MESSAGE(accepted.is_ok(), accepted.error().message);

    auto lenient = verify(te, /*strict=*/false);
    CHECK(lenient.ok());
    REQUIRE(lenient.warnings.size() == 1);
    CHECK(lenient.warnings[0].check == "order.pending");
    CHECK(lenient.warnings[0].ids.at("order_id") == accepted->order_id);
    auto strict = verify(te, /*strict=*/true);
    CHECK(has_violation(strict, "order.pending"));

    REQUIRE(te->orders().drain_queue().is_ok());
    auto after = verify(te, /*strict=*/true);
    CHECK_MESSAGE(after.ok(), describe(after));
    CHECK(after.warnings.empty());
  }

  TEST_CASE("find_user by name or id, set_tier") {
    shoptest::TestEngine te;
    seed_minimal(te);
    auto by_name = te->admin().find_user("test_user1");
    REQUIRE(by_name.is_ok());
    auto by_id = te->admin().find_user(std::to_string(by_name->id));
    REQUIRE(by_id.is_ok());
    CHECK(by_id->username == "test_user1");
    auto missing = te->admin().find_user("nobody");
    REQUIRE_FALSE(missing.is_ok());
    CHECK(missing.error().code == shop::ErrorCode::kNotFound);
    CHECK_FALSE(te->admin().find_user("999999").is_ok());

    auto set = te->admin().set_tier(by_name->id, "gold");
    REQUIRE(set.is_ok());
    CHECK(set->tier == "gold");
    CHECK(te->admin().find_user("test_user1")->tier == "gold");
    auto bad = te->admin().set_tier(by_name->id, "platinum");
    REQUIRE_FALSE(bad.is_ok());
    CHECK(bad.error().code == shop::ErrorCode::kInvalidArgument);
    CHECK(te->admin().find_user("test_user1")->tier == "gold");
    auto unknown = te->admin().set_tier(999999, "vip");
    REQUIRE_FALSE(unknown.is_ok());
    CHECK(unknown.error().code == shop::ErrorCode::kNotFound);
  }

  TEST_CASE("cleanup_old_carts deletes stale anonymous and old inactive carts only") {
    shoptest::TestEngine te;
    seed_minimal(te);
    const std::int64_t product = scalar(te, "SELECT MAX(id) FROM products WHERE stock > 0");
    REQUIRE(te->carts().add_item(shop::CartOwner::session("old-session"), product, 1).is_ok());
    const std::int64_t member_carts_before = scalar(te,
                                                    "SELECT COUNT(*) FROM carts WHERE "
                                                    "user_id IS NOT NULL");
    // An inactive member cart (a finished checkout) from long ago.
    const std::int64_t uid = user_id(te, "test_user1");
    raw_sql(te, "INSERT INTO carts(user_id, is_active, created_at, updated_at) VALUES (" +
                    std::to_string(uid) + ", 0, 1, 1)");
    te.clock.advance(3 * shop::kMicrosPerDay);
    REQUIRE(te->carts().add_item(shop::CartOwner::session("fresh-session"), product, 1).is_ok());
    te.clock.advance(5 * shop::kMicrosPerDay);  // old-session: 8 days idle, fresh: 5

    shop::CartCleanupOptions o;
    o.dry_run = true;
    auto dry = te->admin().cleanup_old_carts(o);
    REQUIRE(dry.is_ok());
    CHECK(dry->anonymous_stale == 1);
    CHECK(dry->anonymous_inactive == 0);
    CHECK(dry->member_inactive == 1);
    CHECK(dry->items == 1);
    CHECK(scalar(te, "SELECT COUNT(*) FROM carts") == member_carts_before + 3);  // nothing gone

    o.dry_run = false;
    auto done = te->admin().cleanup_old_carts(o);
    REQUIRE(done.is_ok());
    CHECK(done->anonymous_stale == 1);
    CHECK(done->member_inactive == 1);
    CHECK(scalar(te, "SELECT COUNT(*) FROM carts WHERE session_key = 'old-session'") == 0);
    CHECK(scalar(te, "SELECT COUNT(*) FROM carts WHERE session_key = 'fresh-session'") == 1);
    CHECK(scalar(te, "SELECT COUNT(*) FROM carts WHERE user_id IS NOT NULL") ==
          member_carts_before);
    auto again = te->admin().cleanup_old_carts(o);
    REQUIRE(again.is_ok());
    CHECK(again->anonymous_stale + again->anonymous_inactive + again->member_inactive == 0);

    o.anonymous_days = -1;
    CHECK_FALSE(te->admin().cleanup_old_carts(o).is_ok());
  }

  TEST_CASE("seed_demo_data_if_empty seeds once") {
    shoptest::TestEngine te;
    auto first = te->admin().seed_demo_data_if_empty("minimal");
    REQUIRE_MESSAGE(first.is_ok(), first.error().message);
    CHECK(*first);
    CHECK(scalar(te, "SELECT COUNT(*) FROM products") == 8);
    auto second = te->admin().seed_demo_data_if_empty("minimal");
    REQUIRE(second.is_ok());
    CHECK_FALSE(*second);
    CHECK(scalar(te, "SELECT COUNT(*) FROM products") == 8);
    auto bad = te->admin().seed_demo_data_if_empty("huge");
    REQUIRE_FALSE(bad.is_ok());
    CHECK(bad.error().message.find("minimal, basic, full") != std::string::npos);
    CHECK(verify(te).ok());
  }
}
