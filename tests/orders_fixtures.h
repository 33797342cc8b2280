// orders_fixtures.h — rows and tokens for the cart and order tests, written straight into the
// database file (a second SQLite connection; WAL lets it sit beside the engine or a running shopd),
// so these tests do not depend on the auth/catalogue modules' APIs.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "auth/jwt.h"
#include "auth/password.h"
#include "shop/orders.h"

namespace ordtest {

class Seed {
 public:
  // The database must already have the schema (open an Engine or start shopd first).
  explicit Seed(const std::string& db_path) : db_(db_path, SQLite::OPEN_READWRITE) {
    db_.exec("PRAGMA busy_timeout=10000");
    db_.exec("PRAGMA foreign_keys=ON");
  }

  // A user; with points > 0 the balance comes with one "event" ledger entry (non-expiring), so
  // the ledger invariants hold.
  std::int64_t user(const std::string& name, std::int64_t points = 0, bool staff = false,
                    bool email_verified = true) {
    SQLite::Statement q(
        db_,
        "INSERT INTO users(username, email, password_hash, points, total_earned, "
        "is_staff, is_email_verified, date_joined) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, name);
    q.bind(2, name + "@example.com");
    q.bind(3, hash());
    q.bind(4, points);
    q.bind(5, points);
    q.bind(6, staff ? 1 : 0);
    q.bind(7, email_verified ? 1 : 0);
    q.bind(8, now_us());
    q.exec();
    const std::int64_t id = db_.getLastInsertRowid();
    if (points > 0) {
      SQLite::Statement e(db_,
                          "INSERT INTO point_entries(user_id, type, points, balance, description, "
                          "created_at) VALUES (?, 'event', ?, ?, 'test grant', ?)");
      e.bind(1, id);
      e.bind(2, points);
      e.bind(3, points);
      e.bind(4, now_us());
      e.exec();
      SQLite::Statement t(db_,
                          "INSERT INTO point_type_totals(user_id, type, entries, points) "
                          "VALUES (?, 'event', 1, ?)");
      t.bind(1, id);
      t.bind(2, points);
      t.exec();
    }
    return id;
  }

  std::int64_t product(const std::string& name, std::int64_t price, std::int64_t stock,
                       bool active = true) {
    if (category_ == 0) {
      SQLite::Statement c(db_,
                          "INSERT INTO categories(name, slug, created_at, updated_at) "
                          "VALUES ('Test', 'test-category', ?, ?)");
      c.bind(1, now_us());
      c.bind(2, now_us());
      c.exec();
      category_ = db_.getLastInsertRowid();
    }
    const std::string slug = "p-" + std::to_string(++products_) + "-" + std::to_string(now_us());
    SQLite::Statement q(db_,
                        "INSERT INTO products(name, slug, price, stock, initial_stock, sku, "
                        "category_id, is_active, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, name);
    q.bind(2, slug);
    q.bind(3, price);
    q.bind(4, stock);
    q.bind(5, stock);
    q.bind(6, "SKU-" + slug);
    q.bind(7, category_);
    q.bind(8, active ? 1 : 0);
    q.bind(9, now_us());
    q.bind(10, now_us());
    q.exec();
    return db_.getLastInsertRowid();
  }

  std::int64_t scalar(const std::string& sql) {
    SQLite::Statement q(db_, sql);
    if (!q.executeStep() || q.getColumn(0).isNull()) return 0;
    return q.getColumn(0).getInt64();
  }
  std::string text(const std::string& sql) {
    SQLite::Statement q(db_, sql);
    if (!q.executeStep() || q.getColumn(0).isNull()) return {};
    return q.getColumn(0).getString();
  }
  void exec(const std::string& sql) { db_.exec(sql); }

  std::int64_t stock(std::int64_t product_id) {
    return scalar("SELECT stock FROM products WHERE id = " + std::to_string(product_id));
  }
  std::int64_t sold(std::int64_t product_id) {
    return scalar("SELECT sold_count FROM products WHERE id = " + std::to_string(product_id));
  }
  std::int64_t points(std::int64_t user_id) {
    return scalar("SELECT points FROM users WHERE id = " + std::to_string(user_id));
  }
  std::string status(std::int64_t order_id) {
    return text("SELECT status FROM orders WHERE id = " + std::to_string(order_id));
  }
  std::int64_t cart_quantity(std::int64_t user_id, std::int64_t product_id) {
    return scalar(
        "SELECT ci.quantity FROM cart_items ci JOIN carts c ON c.id = ci.cart_id "
        "WHERE c.is_active = 1 AND c.user_id = " +
        std::to_string(user_id) + " AND ci.product_id = " + std::to_string(product_id));
  }
  // The schema's stock accounting: stock = initial + restocked - units taken (stock_state 1).
  bool stock_accounting_holds(std::int64_t product_id) {
    const std::string id = std::to_string(product_id);
    return scalar(
               "SELECT initial_stock + restocked - COALESCE((SELECT SUM(quantity) FROM "
               "order_items WHERE product_id = " +
               id + " AND stock_state = 1), 0) - stock FROM products WHERE id = " + id) == 0;
  }

  SQLite::Database& db() { return db_; }

 private:
  static std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  static const std::string& hash() {
    static const std::string h = shop::password::hash("testpass123", 1000);
    return h;
  }

  SQLite::Database db_;
  std::int64_t category_ = 0;
  int products_ = 0;
};

// An access token shopd (started with --jwt-secret test-secret, the system clock) accepts.
inline std::string token_for(std::int64_t user_id) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return shop::jwt::sign(shop::jwt::make_claims(shop::jwt::TokenType::kAccess, user_id, now - 5,
                                                shop::jwt::kAccessLifetimeSeconds),
                         "test-secret");
}

inline shop::OrderRequest order_request(std::string postal_code = "12345",
                                        std::int64_t use_points = 0) {
  shop::OrderRequest r;
  r.shipping_name = "홍길동";
  r.shipping_phone = "010-1234-5678";
  r.shipping_postal_code = std::move(postal_code);
  r.shipping_address = "서울시 강남구 테헤란로 1";
  r.use_points = use_points;
  return r;
}

}  // namespace ordtest
