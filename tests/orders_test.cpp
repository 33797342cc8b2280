// orders_test.cpp — the order module at engine level: shipping math, intake validation and the
// snapshot, processing (all or nothing, lines back in the cart, idempotent), cancel, the bounded
// queue, recovery of pending orders, reading. Workers are off (0) unless a case needs them;
// processing then runs on the test's thread (drain_queue/process_now), so nothing is timed.
#include "shop/orders.h"

#include <doctest/doctest.h>

#include <chrono>

#include "engine_context.h"
#include "orders/order_ops.h"
#include "orders_fixtures.h"
#include "shop/cart.h"
#include "store/store.h"
#include "support/test_support.h"

using shop::CartOwner;
using shop::ErrorCode;
using shop::ProcessOutcome;

namespace {

struct OrderFixture {
  explicit OrderFixture(int workers = 0, std::size_t capacity = 10000) : te(workers, capacity) {
    te->orders().set_task_log(false);
  }
  shoptest::TestEngine te;
  ordtest::Seed seed{te.dir.file("shop.db")};

  shop::Carts& carts() { return te->carts(); }
  shop::Orders& orders() { return te->orders(); }
  void add(std::int64_t user, std::int64_t product, std::int64_t qty) {
    auto r = carts().add_item(CartOwner::user(user), product, qty);
    REQUIRE_MESSAGE(r.is_ok(), r.error().message);
  }
  std::int64_t place(std::int64_t user, std::string postal = "12345", std::int64_t points = 0) {
    auto r = orders().intake(user, ordtest::order_request(std::move(postal), points));
    REQUIRE_MESSAGE(r.is_ok(), r.error().message);
    return r->order_id;
  }
  // Reopens the engine on the same database (as a restart would) with these options.
  void reopen(int workers, bool verified_only = false) {
    te.engine.reset();
    shop::EngineOptions o;
    o.db_path = te.dir.file("shop.db");
    o.clock = &te.clock;
    o.password_iterations = 1000;
    o.order_workers = workers;
    o.jwt_secret = "test-secret";
    o.require_verified_email_for_orders = verified_only;
    auto e = shop::Engine::open(o);
    REQUIRE(e.is_ok());
    te.engine = std::move(*e);
    te->orders().set_task_log(false);
  }
};

}  // namespace

TEST_SUITE("orders") {
  TEST_CASE("shipping: free from 30,000; remote areas pay 3,000 more, even when free") {
    auto q = shop::quote_shipping(29'999, "12345");
    CHECK(q.shipping_fee == 3000);
    CHECK(q.additional_shipping_fee == 0);
    CHECK_FALSE(q.is_free_shipping);
    q = shop::quote_shipping(30'000, "12345");
    CHECK(q.shipping_fee == 0);
    CHECK(q.is_free_shipping);
    CHECK(q.total() == 0);
    for (const char* remote : {"63000", "59123", "52999"}) {
      CAPTURE(remote);
      CHECK(shop::quote_shipping(10'000, remote).total() == 6000);
      auto free = shop::quote_shipping(50'000, remote);
      CHECK(free.is_free_shipping);
      CHECK(free.additional_shipping_fee == 3000);
    }
    CHECK(shop::quote_shipping(10'000, "6").additional_shipping_fee == 0);
    CHECK(shop::quote_shipping(10'000, "").additional_shipping_fee == 0);
    CHECK(shop::quote_shipping(10'000, "53000").additional_shipping_fee == 0);
  }

  TEST_CASE("intake snapshots the cart into a pending order and empties the cart") {
    OrderFixture f;
    const auto u = f.seed.user("alice");
    const auto a = f.seed.product("Apple", 1200, 10);
    const auto b = f.seed.product("Banana", 800, 10);
    f.add(u, b, 2);
    f.add(u, a, 3);
    auto r = f.orders().intake(u, ordtest::order_request("63100"));
    REQUIRE(r.is_ok());
    CHECK(r->total_amount == 3 * 1200 + 2 * 800);
    CHECK(r->final_amount == 5200 + 3000 + 3000);
    // kTestEpoch is 2026-01-15 12:00 in Seoul.
    CHECK(r->order_number == "20260115" + std::string(6 - std::to_string(r->order_id).size(), '0') +
                                 std::to_string(r->order_id));
    CHECK(r->task_id.size() == 36);
    CHECK(f.seed.status(r->order_id) == "pending");
    CHECK(f.carts().items(CartOwner::user(u))->empty());
    CHECK(f.seed.stock(a) == 10);  // nothing taken at intake

    // The snapshot keeps name and price of that moment (D1).
    f.seed.exec("UPDATE products SET price = 99999, name = 'Renamed' WHERE id = " +
                std::to_string(a));
    auto order = f.orders().get({u, false}, r->order_id);
    REQUIRE(order.is_ok());
    REQUIRE(order->items.size() == 2);
    CHECK(order->items[0].product_id == a);  // product-id order
    CHECK(order->items[0].product_name == "Apple");
    CHECK(order->items[0].price == 1200);
    CHECK(order->items[0].quantity == 3);
    CHECK(order->items[0].product->name == "Renamed");  // the live product beside the snapshot
    CHECK(order->total_amount == 5200);
    CHECK(order->shipping_fee == 3000);
    CHECK(order->additional_shipping_fee == 3000);
    CHECK(order->item_count == 2);
    CHECK(order->can_cancel());

    // A second order on the emptied cart is refused (D2): never an order without items.
    auto again = f.orders().intake(u, ordtest::order_request());
    REQUIRE_FALSE(again.is_ok());
    CHECK(again.error().reason == "CART_EMPTY");
    CHECK(f.seed.scalar("SELECT COUNT(*) FROM orders") == 1);
  }

  TEST_CASE("the order number uses the local date") {
    OrderFixture f;
    const auto u = f.seed.user("late");
    f.add(u, f.seed.product("P", 100, 5), 1);
    f.te.clock.set(shoptest::kTestEpoch + 13 * 3600 * shop::kMicrosPerSecond);  // 01:00 next day
    auto r = f.orders().intake(u, ordtest::order_request());
    REQUIRE(r.is_ok());
    CHECK(r->order_number.substr(0, 8) == "20260116");
  }

  TEST_CASE("intake validation refuses and writes nothing") {
    OrderFixture f;
    const auto u = f.seed.user("bob", /*points=*/1000);
    const auto a = f.seed.product("A", 5000, 10);

    SUBCASE("an empty or missing cart") {
      auto r = f.orders().intake(u, ordtest::order_request());
      CHECK(r.error().reason == "CART_EMPTY");
      CHECK(r.error().field.empty());
    }
    SUBCASE("blank or long shipping fields, negative points") {
      f.add(u, a, 1);
      auto req = ordtest::order_request();
      req.shipping_name = "  ";
      CHECK(f.orders().intake(u, req).error().field == "shipping_name");
      req = ordtest::order_request();
      req.shipping_postal_code = "12345678901";
      CHECK(f.orders().intake(u, req).error().field == "shipping_postal_code");
      req = ordtest::order_request();
      req.use_points = -1;
      CHECK(f.orders().intake(u, req).error().field == "use_points");
    }
    SUBCASE("unavailable lines: one message per line") {
      const auto b = f.seed.product("B", 100, 10);
      f.add(u, a, 5);
      f.add(u, b, 1);
      f.seed.exec("UPDATE products SET stock = 2 WHERE id = " + std::to_string(a));
      f.seed.exec("UPDATE products SET is_active = 0 WHERE id = " + std::to_string(b));
      auto r = f.orders().intake(u, ordtest::order_request());
      REQUIRE_FALSE(r.is_ok());
      CHECK(r.error().reason == shop::kCartItemsUnavailable);
      CHECK(r.error().field == "cart_items");
      CHECK(std::count(r.error().message.begin(), r.error().message.end(), '\n') == 1);
      CHECK(f.carts().items(CartOwner::user(u))->size() == 2);  // cart untouched
    }
    SUBCASE("points rules: minimum 100, balance, payable amount") {
      f.add(u, a, 1);  // 5000 + 3000 shipping = 8000 payable
      CHECK(f.orders().intake(u, ordtest::order_request("12345", 99)).error().reason ==
            "MINIMUM_AMOUNT_NOT_MET");
      CHECK(f.orders().intake(u, ordtest::order_request("12345", 1001)).error().reason ==
            "INSUFFICIENT_POINTS");
      f.seed.exec("UPDATE users SET points = 100000 WHERE id = " + std::to_string(u));
      CHECK(f.orders().intake(u, ordtest::order_request("12345", 8001)).error().reason ==
            "EXCEEDS_ORDER_AMOUNT");
      CHECK(shop::is_points_rule_reason("EXCEEDS_ORDER_AMOUNT"));
    }
    CHECK(f.seed.scalar("SELECT COUNT(*) FROM orders") == 0);
    CHECK(f.seed.scalar("SELECT COUNT(*) FROM order_items") == 0);
    CHECK(f.orders().metrics().queue_depth == 0);  // refused intakes give their slot back
  }

  TEST_CASE("points may pay the whole amount (goods + shipping)") {
    OrderFixture f;
    const auto u = f.seed.user("rich", /*points=*/20000);
    f.add(u, f.seed.product("A", 5000, 10), 1);
    auto ok = f.orders().intake(u, ordtest::order_request("52000", 11000));  // 5000+3000+3000
    REQUIRE(ok.is_ok());
    CHECK(ok->final_amount == 0);
    REQUIRE(f.orders().drain_queue().is_ok());
    CHECK(f.seed.status(ok->order_id) == "confirmed");
    CHECK(f.seed.points(u) == 9000);
  }

  TEST_CASE("processing confirms: stock taken once, items marked taken; reprocessing skips") {
    OrderFixture f;
    const auto u = f.seed.user("carol");
    const auto a = f.seed.product("A", 1000, 10);
    const auto b = f.seed.product("B", 2000, 3);
    f.add(u, a, 4);
    f.add(u, b, 3);
    const auto id = f.place(u);
    CHECK(f.orders().metrics().queue_depth == 1);
    auto drained = f.orders().drain_queue();
    REQUIRE(drained.is_ok());
    CHECK(*drained == 1);
    CHECK(f.seed.status(id) == "confirmed");
    CHECK(f.seed.stock(a) == 6);
    CHECK(f.seed.stock(b) == 0);
    CHECK(f.seed.scalar("SELECT COUNT(*) FROM order_items WHERE stock_state = 1") == 2);
    CHECK(f.seed.scalar("SELECT processed_at IS NOT NULL FROM orders") == 1);
    // Idempotent: a second delivery of the same id changes nothing.
    auto again = f.orders().process_now(id);
    REQUIRE(again.is_ok());
    CHECK(*again == ProcessOutcome::kSkipped);
    CHECK(f.seed.stock(a) == 6);
    CHECK(f.seed.stock_accounting_holds(a));
    CHECK(f.seed.stock_accounting_holds(b));
    auto m = f.orders().metrics();
    CHECK(m.accepted == 1);
    CHECK(m.confirmed == 1);
    CHECK(m.skipped == 1);
    CHECK(m.queue_depth == 0);
    CHECK(m.in_flight == 0);
  }

  TEST_CASE("processing is all or nothing: one short line fails the order, lines go back") {
    OrderFixture f;
    const auto u = f.seed.user("dave");
    const auto a = f.seed.product("Alpha", 1000, 10);
    const auto b = f.seed.product("Beta", 1000, 10);
    f.add(u, a, 2);
    f.add(u, b, 5);
    const auto id = f.place(u);
    f.seed.exec("UPDATE products SET stock = 4 WHERE id = " + std::to_string(b));  // sold elsewhere
    f.add(u, a, 1);  // the user keeps shopping meanwhile
    REQUIRE(f.orders().process_now(id).value() == ProcessOutcome::kFailed);
    CHECK(f.seed.status(id) == "failed");
    CHECK(f.seed.text("SELECT failure_reason FROM orders") == "out of stock: Beta");
    CHECK(f.seed.stock(a) == 10);  // nothing taken (D3)
    CHECK(f.seed.stock(b) == 4);
    CHECK(f.seed.scalar("SELECT COUNT(*) FROM order_items WHERE stock_state <> 0") == 0);
    CHECK(f.seed.cart_quantity(u, a) == 3);  // merged with the line added meanwhile
    CHECK(f.seed.cart_quantity(u, b) == 5);
    auto order = f.orders().get({u, false}, id);
    CHECK(order->failure_reason == "out of stock: Beta");
    CHECK_FALSE(order->can_cancel());
    CHECK(f.orders().cancel({u, false}, id).error().reason == "CANNOT_CANCEL");
  }

  TEST_CASE("a product deactivated after intake fails the order") {
    OrderFixture f;
    const auto u = f.seed.user("eve");
    const auto a = f.seed.product("Gamma", 1000, 10);
    f.add(u, a, 1);
    const auto id = f.place(u);
    f.seed.exec("UPDATE products SET is_active = 0 WHERE id = " + std::to_string(a));
    CHECK(f.orders().process_now(id).value() == ProcessOutcome::kFailed);
    CHECK(f.seed.text("SELECT failure_reason FROM orders").find("Gamma") != std::string::npos);
  }

  TEST_CASE("cancel: pending is skipped by the worker; confirmed gives the stock back; once") {
    OrderFixture f;
    const auto u = f.seed.user("frank");
    const auto a = f.seed.product("A", 1000, 10);
    f.add(u, a, 2);
    const auto pending = f.place(u);
    REQUIRE(f.orders().cancel({u, false}, pending).is_ok());
    CHECK(f.seed.status(pending) == "canceled");
    REQUIRE(f.orders().drain_queue().is_ok());
    CHECK(f.seed.status(pending) == "canceled");  // the worker skipped it
    CHECK(f.seed.stock(a) == 10);
    CHECK(f.orders().metrics().skipped == 1);

    f.add(u, a, 3);
    const auto confirmed = f.place(u);
    REQUIRE(f.orders().drain_queue().is_ok());
    REQUIRE(f.seed.status(confirmed) == "confirmed");
    CHECK(f.seed.stock(a) == 7);
    REQUIRE(f.orders().cancel({u, false}, confirmed).is_ok());
    CHECK(f.seed.stock(a) == 10);
    CHECK(f.seed.scalar("SELECT stock_state FROM order_items WHERE order_id = " +
                        std::to_string(confirmed)) == 2);
    CHECK(f.seed.scalar("SELECT canceled_at IS NOT NULL FROM orders WHERE id = " +
                        std::to_string(confirmed)) == 1);
    auto twice = f.orders().cancel({u, false}, confirmed);
    REQUIRE_FALSE(twice.is_ok());
    CHECK(twice.error().code == ErrorCode::kConflict);
    CHECK(f.seed.stock(a) == 10);
    CHECK(f.seed.stock_accounting_holds(a));
    CHECK(f.orders().metrics().canceled == 2);
  }

  TEST_CASE("cancel: someone else's order is not found; staff may cancel any") {
    OrderFixture f;
    const auto owner = f.seed.user("gina");
    const auto other = f.seed.user("mallory");
    const auto staff = f.seed.user("admin", 0, /*staff=*/true);
    f.add(owner, f.seed.product("A", 100, 5), 1);
    const auto id = f.place(owner);
    CHECK(f.orders().cancel({other, false}, id).error().code == ErrorCode::kNotFound);
    CHECK(f.orders().get({other, false}, id).error().code == ErrorCode::kNotFound);
    CHECK(f.orders().cancel({owner, false}, 987654).error().code == ErrorCode::kNotFound);
    CHECK(f.orders().get({staff, true}, id).is_ok());
    CHECK(f.orders().cancel({staff, true}, id).is_ok());
  }

  TEST_CASE("paid orders: sold_count moves with payment and cancel; the payment row is canceled") {
    OrderFixture f;
    const auto u = f.seed.user("hank");
    const auto a = f.seed.product("A", 40000, 10);
    f.add(u, a, 2);
    const auto id = f.place(u);
    REQUIRE(f.orders().drain_queue().is_ok());
    auto& store = *f.te->context().store;
    const auto now = f.te.clock.now();
    // A paid order is reached through the payments module; here its order effect directly.
    REQUIRE(store
                .write([&](shop::store::Db& db) {
                  return shop::order_ops::mark_paid_in_tx(db, id, "card", now);
                })
                .is_ok());
    CHECK(f.seed.status(id) == "paid");
    CHECK(f.seed.sold(a) == 2);
    // Paying twice is refused.
    CHECK(store
              .write([&](shop::store::Db& db) {
                return shop::order_ops::mark_paid_in_tx(db, id, "card", now);
              })
              .error()
              .reason == "ORDER_NOT_CONFIRMED");
    f.seed.exec(
        "INSERT INTO payments(order_id, user_id, amount, status, created_at, updated_at) VALUES (" +
        std::to_string(id) + ", " + std::to_string(u) + ", 80000, 'done', 0, 0)");
    REQUIRE(f.orders().cancel({u, false}, id).is_ok());
    CHECK(f.seed.stock(a) == 10);
    CHECK(f.seed.sold(a) == 0);
    CHECK(f.seed.text("SELECT status FROM payments") == "canceled");
  }

  TEST_CASE("fulfilment: staff only, paid -> preparing -> shipped -> delivered") {
    OrderFixture f;
    const auto u = f.seed.user("ivy");
    const auto staff = f.seed.user("boss", 0, true);
    f.add(u, f.seed.product("A", 100, 5), 1);
    const auto id = f.place(u);
    CHECK(f.orders().advance_fulfilment({staff, true}, id).error().code == ErrorCode::kConflict);
    f.seed.exec("UPDATE orders SET status = 'paid'");
    CHECK(f.orders().advance_fulfilment({u, false}, id).error().code ==
          ErrorCode::kPermissionDenied);
    CHECK(f.orders().advance_fulfilment({staff, true}, id).value() == "preparing");
    CHECK(f.orders().advance_fulfilment({staff, true}, id).value() == "shipped");
    CHECK(f.orders().advance_fulfilment({staff, true}, id).value() == "delivered");
    CHECK_FALSE(f.orders().advance_fulfilment({staff, true}, id).is_ok());
    CHECK(f.orders().cancel({u, false}, id).error().reason == "CANNOT_CANCEL");
  }

  TEST_CASE("a full queue refuses the order before anything is written") {
    OrderFixture f(/*workers=*/0, /*capacity=*/2);
    const auto u = f.seed.user("jack");
    const auto a = f.seed.product("A", 100, 100);
    f.add(u, a, 1);
    f.place(u);
    f.add(u, a, 1);
    f.place(u);
    f.add(u, a, 1);
    auto full = f.orders().intake(u, ordtest::order_request());
    REQUIRE_FALSE(full.is_ok());
    CHECK(full.error().code == ErrorCode::kUnavailable);
    CHECK(full.error().reason == "QUEUE_FULL");
    CHECK(f.seed.scalar("SELECT COUNT(*) FROM orders") == 2);
    CHECK(f.seed.cart_quantity(u, a) == 1);  // the cart is untouched
    CHECK(f.orders().metrics().queue_depth == 2);
    REQUIRE(f.orders().drain_queue().value() == 2);
    CHECK(f.orders().intake(u, ordtest::order_request()).is_ok());  // room again
  }

  TEST_CASE("start() recovers orders left pending by a previous process, each processed once") {
    OrderFixture f;
    const auto u = f.seed.user("kate");
    const auto a = f.seed.product("A", 100, 50);
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 5; ++i) {
      f.add(u, a, 2);
      ids.push_back(f.place(u));
    }
    f.reopen(/*workers=*/2);  // the old engine is gone; its queue with it
    CHECK(f.seed.scalar("SELECT COUNT(*) FROM orders WHERE status = 'pending'") == 5);
    REQUIRE(f.te->start().is_ok());
    REQUIRE(f.te->orders().wait_idle(std::chrono::seconds(30)));
    for (auto id : ids) CHECK(f.seed.status(id) == "confirmed");
    CHECK(f.seed.stock(a) == 40);
    CHECK(f.seed.stock_accounting_holds(a));
    // Orders accepted after start are queued by intake, not recovered twice.
    f.add(u, a, 1);
    const auto later = f.place(u);
    REQUIRE(f.te->orders().wait_idle(std::chrono::seconds(30)));
    CHECK(f.seed.status(later) == "confirmed");
    CHECK(f.te->orders().metrics().skipped == 0);
    f.te->stop();
    auto refused = f.te->orders().intake(u, ordtest::order_request());
    CHECK(refused.error().reason == "INTAKE_STOPPED");
  }

  TEST_CASE("listing: own orders only (staff all), status filter incl. failed, pages") {
    OrderFixture f;
    const auto u = f.seed.user("leo");
    const auto other = f.seed.user("max");
    const auto staff = f.seed.user("root", 0, true);
    const auto a = f.seed.product("A", 100, 1000);
    for (int i = 0; i < 12; ++i) {
      f.add(u, a, 1);
      f.place(u);
      f.te.clock.advance(shop::kMicrosPerSecond);
    }
    f.add(other, a, 1);
    f.place(other);
    REQUIRE(f.orders().drain_queue().is_ok());
    f.seed.exec("UPDATE orders SET status = 'failed' WHERE id IN (1, 2)");

    auto page1 = f.orders().list({u, false}, {});
    REQUIRE(page1.is_ok());
    CHECK(page1->count == 12);
    REQUIRE(page1->results.size() == 10);
    CHECK(page1->results[0].id == 12);  // newest first
    CHECK(page1->results[0].item_count == 1);
    shop::OrderListQuery q;
    q.page = 2;
    CHECK(f.orders().list({u, false}, q)->results.size() == 2);
    q.page = 3;
    CHECK(f.orders().list({u, false}, q).error().code == ErrorCode::kNotFound);
    q = {};
    q.oldest_first = true;
    q.page_size = 5;
    CHECK(f.orders().list({u, false}, q)->results[0].id == 1);
    q = {};
    q.status = "failed";
    CHECK(f.orders().list({u, false}, q)->count == 2);
    q.status = "bogus";
    CHECK(f.orders().list({u, false}, q).error().field == "status");
    CHECK(f.orders().list({staff, true}, {})->count == 13);
    q = {};
    q.status = "confirmed";
    CHECK(f.orders().list({other, false}, q)->count == 1);
    // An empty history is page 1 of nothing, not an error.
    CHECK(f.orders().list({staff, false}, {})->count == 0);
  }

  TEST_CASE("an unverified account may not order when the option is on") {
    OrderFixture f;
    const auto u = f.seed.user("nina", 0, false, /*email_verified=*/false);
    f.add(u, f.seed.product("A", 100, 5), 1);
    CHECK(f.orders().check_eligible(u).is_ok());  // the option is off by default
    f.reopen(0, /*verified_only=*/true);
    auto r = f.te->orders().intake(u, ordtest::order_request());
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.error().code == ErrorCode::kPermissionDenied);
    CHECK(r.error().reason == "EMAIL_NOT_VERIFIED");
    CHECK(f.te->orders().check_eligible(u).error().reason == "EMAIL_NOT_VERIFIED");
  }

  TEST_CASE("points: spent when processed, refunded on cancel; too few points fail the order") {
    OrderFixture f;
    const auto u = f.seed.user("olga", /*points=*/1000);
    const auto a = f.seed.product("A", 10000, 10);
    f.add(u, a, 1);
    const auto first = f.place(u, "12345", 600);
    f.add(u, a, 1);
    const auto second = f.place(u, "12345", 600);  // passes intake: nothing is reserved yet
    CHECK(f.seed.points(u) == 1000);
    REQUIRE(f.orders().drain_queue().is_ok());
    CHECK(f.seed.status(first) == "confirmed");
    CHECK(f.seed.points(u) == 400);
    CHECK(f.seed.status(second) == "failed");
    CHECK(f.seed.text("SELECT failure_reason FROM orders WHERE id = " + std::to_string(second))
              .rfind("insufficient points", 0) == 0);
    CHECK(f.seed.stock(a) == 9);
    CHECK(f.seed.cart_quantity(u, a) == 1);  // the failed order's line is back
    REQUIRE(f.orders().cancel({u, false}, first).is_ok());
    CHECK(f.seed.points(u) == 1000);
    CHECK(f.seed.stock(a) == 10);
    CHECK(f.seed.scalar("SELECT COUNT(*) FROM point_entries WHERE type = 'cancel_refund'") == 1);
  }
}
