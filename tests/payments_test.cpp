// Engine tests of shop::Payments. Orders are seeded as `confirmed` straight in SQL (items taken:
// stock_state 1, stock already reduced) so these tests do not depend on the order workers; the
// points parts go through the ledger primitives (points/ledger.h).
#include "shop/payments.h"

#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "engine_context.h"
#include "payments/provider.h"
#include "points/ledger.h"
#include "support/test_support.h"

using shop::ErrorCode;
using shop::Result;
using shop::Status;
using shop::store::Db;

namespace {

struct Line {
  std::int64_t product_id;
  std::int64_t quantity;
};

// A shop with two users and two products (A: 10,000 won, B: 25,000 won; stock 10 each).
struct PaymentShop {
  shoptest::TestEngine te;
  std::int64_t alice = 0, bob = 0, product_a = 0, product_b = 0;

  PaymentShop() {
    auto r = store().write([&](Db& db) -> Status {
      const auto now = te.clock.now();
      auto add_user = [&](const char* name, const char* first, const char* last) {
        auto& u = db.stmt(
            "INSERT INTO users(username, email, password_hash, first_name, last_name, "
            "date_joined) VALUES (?, ?, 'x', ?, ?, ?)");
        u.bind(1, name);
        u.bind(2, std::string(name) + "@example.com");
        u.bind(3, first);
        u.bind(4, last);
        u.bind(5, now);
        u.exec();
        return db.last_insert_id();
      };
      alice = add_user("alice", "Alice", "Kim");
      bob = add_user("bob", "", "");
      auto& c = db.stmt(
          "INSERT INTO categories(name, slug, created_at, updated_at) VALUES ('C', 'c', ?, ?)");
      c.bind(1, now);
      c.bind(2, now);
      c.exec();
      const auto category = db.last_insert_id();
      auto add_product = [&](const char* name, std::int64_t price) {
        auto& p = db.stmt(
            "INSERT INTO products(name, slug, price, stock, initial_stock, sku, category_id, "
            "created_at, updated_at) VALUES (?, ?, ?, 10, 10, ?, ?, ?, ?)");
        p.bind(1, name);
        p.bind(2, std::string("slug-") + name);
        p.bind(3, price);
        p.bind(4, std::string("sku-") + name);
        p.bind(5, category);
        p.bind(6, now);
        p.bind(7, now);
        p.exec();
        return db.last_insert_id();
      };
      product_a = add_product("Apple", 10000);
      product_b = add_product("Banana", 25000);
      return Status::ok();
    });
    REQUIRE(r.is_ok());
  }

  shop::store::Store& store() { return *te->context().store; }
  shop::Payments& payments() { return te->payments(); }

  // A confirmed order: items snapshotted and stock taken, as the order worker leaves it. With
  // used_points > 0 the points are granted and spent through the ledger (its "use" entry).
  std::int64_t confirmed_order(std::int64_t user, std::vector<Line> lines,
                               std::int64_t used_points = 0) {
    auto r = store().write([&](Db& db) -> Result<std::int64_t> {
      const auto now = te.clock.now();
      std::int64_t total = 0;
      for (const auto& l : lines) {
        auto& price = db.stmt("SELECT price FROM products WHERE id = ?");
        price.bind(1, l.product_id);
        REQUIRE(price.executeStep());
        total += price.getColumn(0).getInt64() * l.quantity;
      }
      const std::int64_t shipping = total >= 30000 ? 0 : 3000;
      auto& o = db.stmt(
          "INSERT INTO orders(user_id, status, total_amount, shipping_fee, "
          "additional_shipping_fee, is_free_shipping, used_points, final_amount, shipping_name, "
          "shipping_phone, shipping_postal_code, shipping_address, created_at, updated_at) "
          "VALUES (?, 'confirmed', ?, ?, 0, ?, ?, ?, 'n', 'p', '12345', 'a', ?, ?)");
      o.bind(1, user);
      o.bind(2, total);
      o.bind(3, shipping);
      o.bind(4, shipping == 0 ? 1 : 0);
      o.bind(5, used_points);
      o.bind(6, total + shipping - used_points);
      o.bind(7, now);
      o.bind(8, now);
      o.exec();
      const auto id = db.last_insert_id();
      auto& num = db.stmt("UPDATE orders SET order_number = ? WHERE id = ?");
      num.bind(1,
               "20260115" + std::string(6 - std::to_string(id).size(), '0') + std::to_string(id));
      num.bind(2, id);
      num.exec();
      for (const auto& l : lines) {
        auto& i = db.stmt(
            "INSERT INTO order_items(order_id, product_id, product_name, quantity, price, "
            "stock_state) SELECT ?, id, name, ?, price, 1 FROM products WHERE id = ?");
        i.bind(1, id);
        i.bind(2, l.quantity);
        i.bind(3, l.product_id);
        i.exec();
        auto& s = db.stmt("UPDATE products SET stock = stock - ? WHERE id = ?");
        s.bind(1, l.quantity);
        s.bind(2, l.product_id);
        s.exec();
      }
      if (used_points > 0) {
        SHOP_TRY(shop::ledger::grant(db, user, "admin_add", used_points, std::nullopt, std::nullopt,
                                     "seed", now));
        SHOP_TRY(shop::ledger::spend_fifo(db, user, used_points, id, "order", now));
      }
      return id;
    });
    REQUIRE_MESSAGE(r.is_ok(), (r.is_ok() ? "" : r.error().message));
    return *r;
  }

  std::int64_t scalar(const std::string& sql) {
    auto r = store().read([&](Db& db) -> Result<std::int64_t> { return db.scalar_int(sql); });
    REQUIRE(r.is_ok());
    return *r;
  }
  std::string text(const std::string& sql) {
    auto r = store().read([&](Db& db) -> Result<std::string> {
      auto& q = db.stmt(sql);
      if (!q.executeStep()) return std::string("<none>");
      return q.getColumn(0).getString();
    });
    REQUIRE(r.is_ok());
    return *r;
  }
  void exec(const std::string& sql) {
    REQUIRE(store()
                .write([&](Db& db) -> Status {
                  db.exec(sql);
                  return Status::ok();
                })
                .is_ok());
  }
  std::string order_status(std::int64_t id) {
    return text("SELECT status FROM orders WHERE id = " + std::to_string(id));
  }
  std::int64_t stock(std::int64_t product) {
    return scalar("SELECT stock FROM products WHERE id = " + std::to_string(product));
  }
  std::int64_t sold(std::int64_t product) {
    return scalar("SELECT sold_count FROM products WHERE id = " + std::to_string(product));
  }
  std::int64_t points(std::int64_t user) {
    return scalar("SELECT points FROM users WHERE id = " + std::to_string(user));
  }
  std::int64_t entries(std::int64_t order, const char* type) {
    return scalar("SELECT COUNT(*) FROM point_entries WHERE order_id = " + std::to_string(order) +
                  " AND type = '" + type + "'");
  }
  std::int64_t final_amount(std::int64_t order) {
    return scalar("SELECT final_amount FROM orders WHERE id = " + std::to_string(order));
  }
};

// Counts calls and can be told to fail without an answer (an outage), for rollback tests.
class CountingProvider final : public shop::payments::PaymentProvider {
 public:
  std::atomic<int> confirms{0}, cancels{0};
  bool outage = false;
  std::string name() const override { return "counting"; }
  std::string client_key() const override { return "ck_counting"; }
  Result<shop::payments::Approval> confirm(const std::string& key, const std::string& ref,
                                           std::int64_t amount) override {
    ++confirms;
    if (outage) return shop::Error::unavailable("provider unreachable");
    return inner_.confirm(key, ref, amount);
  }
  Result<shop::payments::CancelResult> cancel(const std::string& key, std::int64_t amount,
                                              const std::string& reason) override {
    ++cancels;
    if (outage) return shop::Error::unavailable("provider unreachable");
    return inner_.cancel(key, amount, reason);
  }

 private:
  shop::payments::TestPaymentProvider inner_;
};

}  // namespace

TEST_SUITE("payments") {
  TEST_CASE("the test provider declines fail_/decline_ keys and approves the Locust keys") {
    shop::payments::TestPaymentProvider p;
    CHECK(p.confirm("test_key_1700000000000_42", "1", 1000).is_ok());
    CHECK(p.confirm("test_payment_7", "1", 1000).is_ok());
    auto declined = p.confirm("fail_card", "1", 1000);
    REQUIRE_FALSE(declined.is_ok());
    CHECK(declined.error().code == ErrorCode::kInvalidArgument);
    CHECK(declined.error().reason == "PAYMENT_DECLINED");
    CHECK_FALSE(p.confirm("decline_x", "1", 1000).is_ok());
    CHECK(p.cancel("test_key", 500, "r")->canceled_amount == 500);
    CHECK(p.cancel("nocancel_x", 500, "r").error().reason == "CANCEL_REFUSED");
  }

  TEST_CASE("request creates a ready payment of the final amount and reuses it") {
    PaymentShop shop;
    const auto order = shop.confirmed_order(shop.alice, {{shop.product_a, 1}, {shop.product_b, 1}});
    auto r = shop.payments().request(shop.alice, order, "card");
    REQUIRE_MESSAGE(r.is_ok(), (r.is_ok() ? "" : r.error().message));
    CHECK(r->order_id == order);
    CHECK(r->amount == 35000);  // 35,000 goods, free shipping from 30,000
    CHECK(r->order_name == "Apple 외 1건");
    CHECK(r->customer_name == "Alice Kim");
    CHECK(r->customer_email == "alice@example.com");
    CHECK(r->client_key == "test_ck_shopd");
    auto again = shop.payments().request(shop.alice, order, "card");
    REQUIRE(again.is_ok());
    CHECK(again->payment_id == r->payment_id);
    CHECK(shop.scalar("SELECT COUNT(*) FROM payments") == 1);
    auto p = shop.payments().get(shop.alice, r->payment_id);
    REQUIRE(p.is_ok());
    CHECK(p->status == "ready");
    CHECK(p->amount == 35000);
    CHECK_FALSE(p->is_paid());

    const auto single = shop.confirmed_order(shop.bob, {{shop.product_a, 2}});
    auto s = shop.payments().request(shop.bob, single, "card");
    REQUIRE(s.is_ok());
    CHECK(s->order_name == "Apple");
    CHECK(s->customer_name == "bob");  // no full name: the username
    CHECK(s->amount == 23000);
  }

  TEST_CASE("request refuses others' orders, missing orders and orders not confirmed") {
    PaymentShop shop;
    const auto order = shop.confirmed_order(shop.alice, {{shop.product_a, 1}});
    CHECK(shop.payments().request(shop.bob, order, "card").error().code == ErrorCode::kNotFound);
    CHECK(shop.payments().request(shop.alice, 999, "card").error().code == ErrorCode::kNotFound);
    CHECK(shop.payments().request(shop.alice, order, "  ").error().field == "payment_method");
    shop.exec("UPDATE orders SET status = 'pending' WHERE id = " + std::to_string(order));
    auto pending = shop.payments().request(shop.alice, order, "card");
    CHECK(pending.error().code == ErrorCode::kInvalidArgument);
    CHECK(pending.error().reason == "ORDER_NOT_CONFIRMED");
    shop.exec("UPDATE orders SET status = 'canceled' WHERE id = " + std::to_string(order));
    CHECK(shop.payments().request(shop.alice, order, "card").error().reason == "ORDER_NOT_PAYABLE");
    CHECK(shop.scalar("SELECT COUNT(*) FROM payments") == 0);
  }

  TEST_CASE("confirm pays the order, adds sold_count and earns points once") {
    PaymentShop shop;
    const auto order = shop.confirmed_order(shop.alice, {{shop.product_a, 2}, {shop.product_b, 1}});
    auto req = shop.payments().request(shop.alice, order, "card");
    REQUIRE(req.is_ok());
    auto c = shop.payments().confirm(shop.alice, order, "test_payment_1", req->amount);
    REQUIRE_MESSAGE(c.is_ok(), (c.is_ok() ? "" : c.error().message));
    CHECK(c->payment.id == req->payment_id);
    CHECK(c->payment.status == "done");
    CHECK(c->payment.payment_key == "test_payment_1");
    CHECK(c->payment.approved_at == shop.te.clock.now());
    CHECK(c->order_status == "paid");
    CHECK(c->earned_points == 450);  // bronze 1 % of the 45,000 goods total
    CHECK(c->task_id.size() == 36);
    CHECK(shop.order_status(order) == "paid");
    CHECK(shop.text("SELECT payment_method FROM orders WHERE id = " + std::to_string(order)) ==
          "card");
    CHECK(shop.sold(shop.product_a) == 2);
    CHECK(shop.sold(shop.product_b) == 1);
    CHECK(shop.stock(shop.product_a) == 8);  // stock was taken by the order, not again here
    CHECK(shop.points(shop.alice) == 450);
    CHECK(shop.entries(order, "earn") == 1);

    auto twice = shop.payments().confirm(shop.alice, order, "test_payment_1", req->amount);
    REQUIRE_FALSE(twice.is_ok());
    CHECK(twice.error().reason == "ALREADY_PAID");
    CHECK(shop.sold(shop.product_a) == 2);
    CHECK(shop.points(shop.alice) == 450);
    CHECK(shop.entries(order, "earn") == 1);
    CHECK(shop.payments().request(shop.alice, order, "card").error().reason == "ALREADY_PAID");

    auto st = shop.payments().status(shop.alice, req->payment_id);
    REQUIRE(st.is_ok());
    CHECK(st->status == "done");
    CHECK(st->is_paid);
    CHECK(st->order_status == "paid");
    CHECK(st->order_id == order);
  }

  TEST_CASE("confirm without a request creates the payment on the fly (the Locust PaymentUser)") {
    PaymentShop shop;
    const auto order = shop.confirmed_order(shop.alice, {{shop.product_a, 1}});
    auto c = shop.payments().confirm(shop.alice, order, "test_key_1_2", shop.final_amount(order));
    REQUIRE_MESSAGE(c.is_ok(), (c.is_ok() ? "" : c.error().message));
    CHECK(c->payment.amount == 13000);
    CHECK(c->payment.method == "card");
    CHECK(shop.order_status(order) == "paid");
    CHECK(shop.scalar("SELECT COUNT(*) FROM payments") == 1);
  }

  TEST_CASE("confirm checks ownership, amount and order state and changes nothing on refusal") {
    PaymentShop shop;
    const auto order = shop.confirmed_order(shop.alice, {{shop.product_a, 1}});
    auto req = shop.payments().request(shop.alice, order, "card");
    REQUIRE(req.is_ok());
    CHECK(shop.payments().confirm(shop.bob, order, "k", req->amount).error().code ==
          ErrorCode::kNotFound);
    auto wrong = shop.payments().confirm(shop.alice, order, "k", req->amount - 1);
    CHECK(wrong.error().reason == "AMOUNT_MISMATCH");
    CHECK(shop.payments().confirm(shop.alice, order, "", req->amount).error().field ==
          "payment_key");
    CHECK(shop.payments().confirm(shop.alice, order, "k", -1).error().field == "amount");
    CHECK(shop.payments()
              .confirm(shop.alice, order, std::string(201, 'k'), req->amount)
              .error()
              .field == "payment_key");
    CHECK(shop.payments().get(shop.alice, req->payment_id)->status == "ready");
    CHECK(shop.order_status(order) == "confirmed");

    const auto pending = shop.confirmed_order(shop.alice, {{shop.product_b, 1}});
    shop.exec("UPDATE orders SET status = 'pending' WHERE id = " + std::to_string(pending));
    CHECK(shop.payments()
              .confirm(shop.alice, pending, "k", shop.final_amount(pending))
              .error()
              .reason == "ORDER_NOT_CONFIRMED");
    CHECK(shop.scalar("SELECT COUNT(*) FROM payments") == 1);
  }

  TEST_CASE("a declined key aborts the payment, keeps the order confirmed, and a retry can pay") {
    PaymentShop shop;
    const auto order = shop.confirmed_order(shop.alice, {{shop.product_a, 1}});
    auto req = shop.payments().request(shop.alice, order, "card");
    REQUIRE(req.is_ok());
    auto declined = shop.payments().confirm(shop.alice, order, "fail_insufficient_funds", 13000);
    REQUIRE_FALSE(declined.is_ok());
    CHECK(declined.error().code == ErrorCode::kInvalidArgument);
    CHECK(declined.error().reason == "PAYMENT_DECLINED");
    auto p = shop.payments().get(shop.alice, req->payment_id);
    REQUIRE(p.is_ok());
    CHECK(p->status == "aborted");
    CHECK(p->failure_reason.find("PAYMENT_DECLINED") != std::string::npos);
    CHECK(shop.order_status(order) == "confirmed");
    CHECK(shop.sold(shop.product_a) == 0);

    auto retry = shop.payments().confirm(shop.alice, order, "test_key_ok", 13000);
    REQUIRE_MESSAGE(retry.is_ok(), (retry.is_ok() ? "" : retry.error().message));
    CHECK(retry->payment.id != req->payment_id);
    CHECK(shop.order_status(order) == "paid");
    auto aborted = shop.payments().list(shop.alice, "aborted", 1, 10);
    REQUIRE(aborted.is_ok());
    CHECK(aborted->count == 1);
  }

  TEST_CASE("a provider outage changes nothing and leaves the payment retryable") {
    PaymentShop shop;
    auto provider = std::make_unique<CountingProvider>();
    auto* counting = provider.get();
    shop.payments().set_provider(std::move(provider));
    const auto order = shop.confirmed_order(shop.alice, {{shop.product_a, 1}});
    counting->outage = true;
    auto r = shop.payments().confirm(shop.alice, order, "test_key", 13000);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.error().code == ErrorCode::kUnavailable);
    CHECK(shop.scalar("SELECT COUNT(*) FROM payments") == 0);  // the on-the-fly row rolled back
    CHECK(shop.order_status(order) == "confirmed");
    counting->outage = false;
    CHECK(shop.payments().confirm(shop.alice, order, "test_key", 13000).is_ok());
    CHECK(counting->confirms == 2);
  }

  TEST_CASE("cancel reverses stock, sold_count and points exactly once") {
    PaymentShop shop;
    // 2 x Banana = 50,000 goods, 1,000 points used: final 49,000; earns 500 (1 % of goods).
    const auto order = shop.confirmed_order(shop.alice, {{shop.product_b, 2}}, 1000);
    CHECK(shop.points(shop.alice) == 0);
    CHECK(shop.stock(shop.product_b) == 8);
    auto c = shop.payments().confirm(shop.alice, order, "test_key", shop.final_amount(order));
    REQUIRE_MESSAGE(c.is_ok(), (c.is_ok() ? "" : c.error().message));
    CHECK(c->earned_points == 500);
    CHECK(shop.points(shop.alice) == 500);
    CHECK(shop.sold(shop.product_b) == 2);

    auto x = shop.payments().cancel(shop.alice, c->payment.id, "changed my mind");
    REQUIRE_MESSAGE(x.is_ok(), (x.is_ok() ? "" : x.error().message));
    CHECK(x->payment.status == "canceled");
    CHECK(x->payment.cancel_reason == "changed my mind");
    CHECK(x->payment.canceled_at == shop.te.clock.now());
    CHECK(x->refund_amount == 49000);
    CHECK(x->refunded_points == 1000);
    CHECK(x->deducted_points == 500);
    CHECK(shop.order_status(order) == "canceled");
    CHECK(shop.stock(shop.product_b) == 10);
    CHECK(shop.sold(shop.product_b) == 0);
    CHECK(shop.points(shop.alice) == 1000);  // the used 1,000 back, the earned 500 taken back
    CHECK(shop.entries(order, "cancel_refund") == 1);
    CHECK(shop.entries(order, "cancel_deduct") == 1);
    CHECK(shop.scalar("SELECT COUNT(*) FROM order_items WHERE stock_state = 2") == 1);

    auto twice = shop.payments().cancel(shop.alice, c->payment.id, "again");
    REQUIRE_FALSE(twice.is_ok());
    CHECK(twice.error().reason == "ALREADY_CANCELED");
    CHECK(shop.stock(shop.product_b) == 10);
    CHECK(shop.points(shop.alice) == 1000);
    CHECK(shop.entries(order, "cancel_refund") == 1);
    CHECK(shop.entries(order, "cancel_deduct") == 1);
  }

  TEST_CASE("cancel floors sold_count at 0") {
    PaymentShop shop;
    const auto order = shop.confirmed_order(shop.alice, {{shop.product_a, 3}});
    auto c = shop.payments().confirm(shop.alice, order, "test_key", shop.final_amount(order));
    REQUIRE(c.is_ok());
    shop.exec("UPDATE products SET sold_count = 1 WHERE id = " + std::to_string(shop.product_a));
    REQUIRE(shop.payments().cancel(shop.alice, c->payment.id, "r").is_ok());
    CHECK(shop.sold(shop.product_a) == 0);
    CHECK(shop.stock(shop.product_a) == 10);
  }

  TEST_CASE("cancel with a balance too low for the earned points changes nothing") {
    PaymentShop shop;
    const auto order = shop.confirmed_order(shop.alice, {{shop.product_b, 2}});
    auto c = shop.payments().confirm(shop.alice, order, "test_key", shop.final_amount(order));
    REQUIRE(c.is_ok());
    CHECK(shop.points(shop.alice) == 500);
    // Spend the earned points elsewhere.
    REQUIRE(shop.store()
                .write([&](Db& db) -> Status {
                  return shop::ledger::spend_fifo(db, shop.alice, 400, std::nullopt, "elsewhere",
                                                  shop.te.clock.now())
                      .status();
                })
                .is_ok());
    auto x = shop.payments().cancel(shop.alice, c->payment.id, "r");
    REQUIRE_FALSE(x.is_ok());
    CHECK(x.error().code != ErrorCode::kInternal);
    CHECK(x.error().reason == "INSUFFICIENT_POINTS");
    CHECK(shop.payments().get(shop.alice, c->payment.id)->status == "done");
    CHECK(shop.order_status(order) == "paid");
    CHECK(shop.stock(shop.product_b) == 8);
    CHECK(shop.sold(shop.product_b) == 2);
    CHECK(shop.points(shop.alice) == 100);
    CHECK(shop.entries(order, "cancel_deduct") == 0);
  }

  TEST_CASE("a provider refusing the cancel changes nothing") {
    PaymentShop shop;
    const auto order = shop.confirmed_order(shop.alice, {{shop.product_a, 1}});
    auto c = shop.payments().confirm(shop.alice, order, "nocancel_key", shop.final_amount(order));
    REQUIRE(c.is_ok());
    auto x = shop.payments().cancel(shop.alice, c->payment.id, "r");
    REQUIRE_FALSE(x.is_ok());
    CHECK(x.error().reason == "CANCEL_REFUSED");
    CHECK(shop.order_status(order) == "paid");
    CHECK(shop.stock(shop.product_a) == 9);
    CHECK(shop.points(shop.alice) == 100);
  }

  TEST_CASE("cancel refuses others' payments, payments not done and bad reasons") {
    PaymentShop shop;
    const auto order = shop.confirmed_order(shop.alice, {{shop.product_a, 1}});
    auto req = shop.payments().request(shop.alice, order, "card");
    REQUIRE(req.is_ok());
    CHECK(shop.payments().cancel(shop.alice, req->payment_id, "r").error().reason ==
          "PAYMENT_NOT_CANCELABLE");
    CHECK(shop.payments().cancel(shop.bob, req->payment_id, "r").error().code ==
          ErrorCode::kNotFound);
    CHECK(shop.payments().cancel(shop.alice, 999, "r").error().code == ErrorCode::kNotFound);
    CHECK(shop.payments().cancel(shop.alice, req->payment_id, " ").error().field ==
          "cancel_reason");
    CHECK(
        shop.payments().cancel(shop.alice, req->payment_id, std::string(201, 'r')).error().field ==
        "cancel_reason");
    // 200 characters of Hangul (3 bytes each) are within the limit.
    std::string hangul;
    for (int i = 0; i < 200; ++i) hangul += "가";
    CHECK(shop.payments().cancel(shop.alice, req->payment_id, hangul).error().reason ==
          "PAYMENT_NOT_CANCELABLE");
  }

  TEST_CASE("fail aborts the ready payment; a done one is refused") {
    PaymentShop shop;
    const auto order = shop.confirmed_order(shop.alice, {{shop.product_a, 1}});
    CHECK(shop.payments().fail(shop.alice, order, "USER_CANCEL", "closed").error().code ==
          ErrorCode::kNotFound);  // no payment yet
    auto req = shop.payments().request(shop.alice, order, "card");
    REQUIRE(req.is_ok());
    CHECK(shop.payments().fail(shop.bob, order, "USER_CANCEL", "m").error().code ==
          ErrorCode::kNotFound);
    auto f = shop.payments().fail(shop.alice, order, "USER_CANCEL", "closed the window");
    REQUIRE(f.is_ok());
    CHECK(f->payment.status == "aborted");
    CHECK(f->payment.failure_reason == "[USER_CANCEL] closed the window");
    CHECK(shop.order_status(order) == "confirmed");
    CHECK(shop.payments().fail(shop.alice, order, "X", "again").error().reason ==
          "PAYMENT_NOT_READY");
    auto c = shop.payments().confirm(shop.alice, order, "test_key", 13000);
    REQUIRE(c.is_ok());
    CHECK(shop.payments().fail(shop.alice, order, "X", "late").error().reason == "ALREADY_PAID");
  }

  TEST_CASE("list pages newest first, filters by status and shows only the caller's") {
    PaymentShop shop;
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 5; ++i) {
      const auto order = shop.confirmed_order(shop.alice, {{shop.product_a, 1}});
      auto r = shop.payments().request(shop.alice, order, "card");
      REQUIRE(r.is_ok());
      ids.push_back(r->payment_id);
    }
    const auto bobs = shop.confirmed_order(shop.bob, {{shop.product_b, 1}});
    auto bob_payment = shop.payments().request(shop.bob, bobs, "card");
    REQUIRE(bob_payment.is_ok());

    auto page1 = shop.payments().list(shop.alice, "", 1, 2);
    REQUIRE(page1.is_ok());
    CHECK(page1->count == 5);
    CHECK(page1->page == 1);
    CHECK(page1->page_size == 2);
    REQUIRE(page1->results.size() == 2);
    CHECK(page1->results[0].id == ids[4]);
    CHECK(page1->results[1].id == ids[3]);
    auto page3 = shop.payments().list(shop.alice, "", 3, 2);
    REQUIRE(page3.is_ok());
    REQUIRE(page3->results.size() == 1);
    CHECK(page3->results[0].id == ids[0]);
    CHECK(shop.payments().list(shop.alice, "", 4, 2)->results.empty());
    CHECK(shop.payments().list(shop.alice, "", INT64_MAX, 100)->results.empty());
    CHECK(shop.payments().list(shop.alice, "done", 1, 10)->count == 0);
    CHECK(shop.payments().list(shop.alice, "ready", 1, 10)->count == 5);

    CHECK(shop.payments().list(shop.alice, "bogus", 1, 10).error().field == "status");
    CHECK(shop.payments().list(shop.alice, "", 0, 10).error().field == "page");
    CHECK(shop.payments().list(shop.alice, "", 1, 0).error().field == "page_size");
    CHECK(shop.payments().list(shop.alice, "", 1, 101).error().field == "page_size");
    CHECK(shop.payments().list(shop.alice, "", 1, 100).is_ok());

    CHECK(shop.payments().get(shop.alice, bob_payment->payment_id).error().code ==
          ErrorCode::kNotFound);
    CHECK(shop.payments().status(shop.alice, bob_payment->payment_id).error().code ==
          ErrorCode::kNotFound);
    CHECK(shop.payments().status(shop.bob, bob_payment->payment_id).is_ok());
  }
}

TEST_SUITE("payments concurrency") {
  TEST_CASE("many threads confirming one order: one payment, one earn, one sold_count") {
    PaymentShop shop;
    const auto order = shop.confirmed_order(shop.alice, {{shop.product_b, 2}});
    const auto amount = shop.final_amount(order);
    std::atomic<int> ok{0}, already{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 5; ++i) {
          auto r = shop.payments().confirm(
              shop.alice, order, "test_key_" + std::to_string(t) + "_" + std::to_string(i), amount);
          if (r.is_ok()) {
            ++ok;
          } else if (r.error().reason == "ALREADY_PAID") {
            ++already;
          } else {
            ++other;
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(ok == 1);
    CHECK(already == 39);
    CHECK(other == 0);
    CHECK(shop.scalar("SELECT COUNT(*) FROM payments") == 1);
    CHECK(shop.sold(shop.product_b) == 2);
    CHECK(shop.entries(order, "earn") == 1);
    CHECK(shop.points(shop.alice) == 500);
  }
}
