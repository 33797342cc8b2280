// points_fixtures.h — minimal rows for the points tests (users and orders inserted with SQL, so
// the tests do not depend on the auth and orders modules), and small ledger accessors.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine_context.h"
#include "points/invariants.h"
#include "points/ledger.h"
#include "shop/points.h"
#include "support/test_support.h"

namespace pointstest {

using shop::Micros;
using shop::Result;
using shop::store::Db;

inline shop::store::Store& store(shoptest::TestEngine& te) {
  return *te->context().store;
}

inline std::int64_t make_user(shoptest::TestEngine& te, const std::string& name,
                              const std::string& level = "bronze") {
  auto id = store(te).write([&](Db& db) -> Result<std::int64_t> {
    auto& q = db.stmt(
        "INSERT INTO users (username, email, password_hash, membership_level, date_joined) "
        "VALUES (?, ?, 'x', ?, ?)");
    q.bind(1, name);
    q.bind(2, name + "@example.com");
    q.bind(3, level);
    q.bind(4, te.clock.now());
    q.exec();
    return db.last_insert_id();
  });
  REQUIRE(id.is_ok());
  return *id;
}

// Inserts an order row (no items: the ledger only needs the order's user, status and amounts).
inline std::int64_t insert_order(Db& db, std::int64_t user_id, std::int64_t total,
                                 std::int64_t final_amount, const std::string& status, Micros now) {
  auto& q = db.stmt(
      "INSERT INTO orders (user_id, status, total_amount, shipping_fee, additional_shipping_fee, "
      "is_free_shipping, final_amount, shipping_name, shipping_phone, shipping_postal_code, "
      "shipping_address, created_at, updated_at) VALUES (?, ?, ?, 0, 0, 1, ?, 'n', 'p', '12345', "
      "'a', ?, ?)");
  q.bind(1, user_id);
  q.bind(2, status);
  q.bind(3, total);
  q.bind(4, final_amount);
  q.bind(5, now);
  q.bind(6, now);
  q.exec();
  const std::int64_t id = db.last_insert_id();
  auto& n = db.stmt("UPDATE orders SET order_number = ? WHERE id = ?");
  n.bind(1, "20260115" + std::to_string(1000000 + id).substr(1));
  n.bind(2, id);
  n.exec();
  return id;
}

inline std::int64_t make_order(shoptest::TestEngine& te, std::int64_t user_id, std::int64_t total,
                               std::int64_t final_amount, const std::string& status = "paid") {
  auto id = store(te).write([&](Db& db) -> Result<std::int64_t> {
    return insert_order(db, user_id, total, final_amount, status, te.clock.now());
  });
  REQUIRE(id.is_ok());
  return *id;
}

inline void set_order_status(shoptest::TestEngine& te, std::int64_t order_id,
                             const std::string& status) {
  auto st = store(te).write([&](Db& db) -> shop::Status {
    auto& q = db.stmt("UPDATE orders SET status = ? WHERE id = ?");
    q.bind(1, status);
    q.bind(2, order_id);
    q.exec();
    return shop::Status::ok();
  });
  REQUIRE(st.is_ok());
}

inline std::int64_t scalar(shoptest::TestEngine& te, const std::string& sql) {
  auto v = store(te).read([&](Db& db) -> Result<std::int64_t> { return db.scalar_int(sql, -1); });
  REQUIRE(v.is_ok());
  return *v;
}

inline std::int64_t balance(shoptest::TestEngine& te, std::int64_t user_id) {
  return scalar(te, "SELECT points FROM users WHERE id = " + std::to_string(user_id));
}

inline std::int64_t entry_count(shoptest::TestEngine& te) {
  return scalar(te, "SELECT COUNT(*) FROM point_entries");
}

struct Lot {
  std::int64_t remaining = 0, used = 0, expired_amount = 0;
  bool expired = false, notified = false;
};

inline Lot lot(shoptest::TestEngine& te, std::int64_t id) {
  auto r = store(te).read([&](Db& db) -> Result<Lot> {
    auto& q = db.stmt(
        "SELECT lot_remaining, lot_used, lot_expired_amount, lot_expired, expiry_notified "
        "FROM point_entries WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return shop::Error::not_found();
    Lot l{q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
          q.getColumn(3).getInt() != 0, q.getColumn(4).getInt() != 0};
    q.reset();
    return l;
  });
  REQUIRE(r.is_ok());
  return *r;
}

inline std::vector<std::string> violations(shoptest::TestEngine& te) {
  auto r = store(te).read([](Db& db) -> Result<std::vector<std::string>> {
    return shop::points::check_point_invariants(db);
  });
  REQUIRE(r.is_ok());
  return *r;
}

// Grants a lot of `amount` expiring `days` from now (or a non-expiring grant when days < 0).
inline std::int64_t grant(shoptest::TestEngine& te, std::int64_t user_id, std::int64_t amount,
                          double days, const std::string& type = "event") {
  std::optional<Micros> expires;
  if (days >= 0) expires = te.clock.now() + static_cast<Micros>(days * shop::kMicrosPerDay);
  auto r = te->points().grant_lot(user_id, amount, expires, type, "");
  REQUIRE(r.is_ok());
  return r->entry_id;
}

}  // namespace pointstest
