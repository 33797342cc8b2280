// testdata_test.cpp — the create-test-data presets, the origin-based clear and the load-test
// users: counts from the contract, every invariant afterwards, determinism, idempotence.
#include "shop/testdata.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "auth/password.h"
#include "engine_context.h"
#include "shop/admin.h"
#include "shop/auth.h"
#include "shop/cart.h"
#include "shop/catalog.h"
#include "shop/orders.h"
#include "support/test_support.h"

using shop::Result;
namespace testdata = shop::testdata;

namespace {

std::int64_t scalar(shoptest::TestEngine& te, const std::string& sql) {
  auto v = te->context().store->read(
      [&](shop::store::Db& db) -> Result<std::int64_t> { return db.scalar_int(sql, -1); });
  REQUIRE(v.is_ok());
  return *v;
}

// One text column of every row, concatenated (to compare whole generated data sets).
std::string dump(shoptest::TestEngine& te, const std::string& sql) {
  auto v = te->context().store->read([&](shop::store::Db& db) -> Result<std::string> {
    std::string out;
    auto& q = db.stmt(sql);
    while (q.executeStep()) out += q.getColumn(0).getString() + "\n";
    return out;
  });
  REQUIRE(v.is_ok());
  return *v;
}

void require_clean(shoptest::TestEngine& te) {
  auto r = te->admin().verify({/*strict=*/true});
  REQUIRE(r.is_ok());
  std::string all;
  for (const auto& v : r->violations) all += "[" + v.check + "] " + v.message + "\n";
  CHECK_MESSAGE(r->ok(), all);
}

testdata::Report create(shoptest::TestEngine& te, const std::string& preset, std::uint64_t seed = 1,
                        bool clear = false) {
  testdata::Options o;
  o.preset = preset;
  o.seed = seed;
  o.clear_first = clear;
  auto r = te->admin().create_test_data(o);
  REQUIRE_MESSAGE(r.is_ok(), r.error().message);
  return *r;
}

shop::OrderRequest order_request() {
  shop::OrderRequest req;
  req.shipping_name = "Real Customer";
  req.shipping_phone = "010-1111-2222";
  req.shipping_postal_code = "06236";
  req.shipping_address = "Seoul";
  return req;
}

}  // namespace

TEST_SUITE("testdata") {
  TEST_CASE("the presets have the contract's counts") {
    REQUIRE(testdata::presets().size() == 3);
    CHECK(testdata::preset_names() == "minimal, basic, full");
    CHECK(testdata::find_preset("huge") == nullptr);
    const auto* full = testdata::find_preset("full");
    REQUIRE(full != nullptr);
    CHECK(full->top_categories == 5);
    CHECK(full->users == 20);
    CHECK(full->carts == 10);
    CHECK(full->max_orders == 15);
  }

  struct Expected {
    const char* preset;
    std::int64_t tops, subs, products, users, carts, max_orders;
  };
  TEST_CASE("each preset creates its counts and satisfies every invariant") {
    const Expected all[] = {{"minimal", 2, 8, 8, 2, 1, 1},
                            {"basic", 3, 12, 48, 5, 3, 3},
                            {"full", 5, 20, 99, 20, 10, 15}};
    for (const auto& e : all) {
      CAPTURE(e.preset);
      shoptest::TestEngine te;
      auto r = create(te, e.preset);
      CHECK(r.top_categories == e.tops);
      CHECK(r.sub_categories == e.subs);
      CHECK(r.products == e.products);
      CHECK(r.users == e.users + 1);  // + admin
      CHECK(r.carts == e.carts);
      CHECK(r.orders >= 1);
      CHECK(r.orders <= e.max_orders);
      CHECK(scalar(te, "SELECT COUNT(*) FROM categories WHERE parent_id IS NULL") == e.tops);
      CHECK(scalar(te, "SELECT COUNT(*) FROM categories WHERE parent_id IS NOT NULL") == e.subs);
      CHECK(scalar(te, "SELECT COUNT(*) FROM products") == e.products);
      // Products only in subcategories, stock 15..200, SKU <base>_<n>.
      CHECK(scalar(te,
                   "SELECT COUNT(*) FROM products p JOIN categories c ON c.id = "
                   "p.category_id WHERE c.parent_id IS NULL") == 0);
      CHECK(scalar(te,
                   "SELECT COUNT(*) FROM products WHERE initial_stock NOT BETWEEN 15 AND "
                   "200") == 0);
      CHECK(scalar(te, "SELECT COUNT(*) FROM products WHERE sku NOT LIKE '%\\_%' ESCAPE '\\'") ==
            0);
      CHECK(scalar(te,
                   "SELECT COUNT(*) FROM users WHERE username LIKE 'test\\_user%' ESCAPE "
                   "'\\' AND is_email_verified = 1") == e.users);
      CHECK(scalar(te, "SELECT is_superuser + is_staff FROM users WHERE username = 'admin'") == 2);
      CHECK(scalar(te, "SELECT membership_level = 'vip' FROM users WHERE username = 'admin'") == 1);
      CHECK(scalar(te, "SELECT COUNT(*) FROM orders") == r.orders);
      CHECK(scalar(te, "SELECT COUNT(*) FROM orders WHERE status = 'pending'") == 0);
      // Every row is tagged from the start.
      for (const char* table : {"users", "categories", "products", "orders", "carts"}) {
        CAPTURE(table);
        CHECK(scalar(te, std::string("SELECT COUNT(*) FROM ") + table +
                             " WHERE origin IS NOT 'testdata'") == 0);
      }
      // Points went through the ledger as lots expiring in a year, never written directly.
      CHECK(scalar(te,
                   "SELECT COUNT(*) FROM point_entries WHERE type = 'event' AND "
                   "(lot_remaining IS NULL OR expires_at IS NULL)") == 0);
      CHECK(r.points_granted ==
            scalar(te,
                   "SELECT COALESCE(SUM(points), 0) FROM point_entries WHERE type = "
                   "'event'"));
      require_clean(te);
    }
  }

  TEST_CASE("the same seed gives the same data; another seed other data") {
    shoptest::TestEngine a, b, c;
    create(a, "basic", 99);
    create(b, "basic", 99);
    create(c, "basic", 100);
    const std::string products =
        "SELECT name || ' ' || stock || ' ' || sku FROM products ORDER BY id";
    const std::string users =
        "SELECT username || ' ' || membership_level || ' ' || points || ' ' || last_name || "
        "first_name FROM users ORDER BY id";
    const std::string orders =
        "SELECT status || ' ' || total_amount || ' ' || used_points FROM orders ORDER BY id";
    CHECK(dump(a, products) == dump(b, products));
    CHECK(dump(a, users) == dump(b, users));
    CHECK(dump(a, orders) == dump(b, orders));
    CHECK(dump(a, products + "") != dump(c, products));
  }

  TEST_CASE("a second run needs --clear; clear then create gives the same counts") {
    shoptest::TestEngine te;
    create(te, "minimal");
    testdata::Options o;
    o.preset = "minimal";
    auto again = te->admin().create_test_data(o);
    REQUIRE_FALSE(again.is_ok());
    CHECK(again.error().reason == "TEST_DATA_PRESENT");
    CHECK(scalar(te, "SELECT COUNT(*) FROM products") == 8);

    auto r = create(te, "basic", 5, /*clear=*/true);
    REQUIRE(r.cleared.has_value());
    CHECK(r.cleared->products == 8);
    CHECK(r.cleared->users == 3);
    CHECK(r.cleared->categories == 10);
    CHECK(scalar(te, "SELECT COUNT(*) FROM products") == 48);
    CHECK(scalar(te, "SELECT COUNT(*) FROM users") == 6);
    require_clean(te);

    auto cleared = te->admin().clear_test_data();
    REQUIRE(cleared.is_ok());
    CHECK(cleared->products == 48);
    for (const char* table : {"users", "categories", "products", "orders", "carts", "point_entries",
                              "order_items", "cart_items", "payments"}) {
      CAPTURE(table);
      CHECK(scalar(te, std::string("SELECT COUNT(*) FROM ") + table) == 0);
    }
    require_clean(te);
  }

  TEST_CASE("clear removes only test data and keeps the stock bookkeeping exact") {
    shoptest::TestEngine te;
    create(te, "minimal");
    // Real data next to the test data: a customer, a product of theirs in a test category, and
    // orders that cross over both ways.
    shop::NewUser nu;
    nu.username = "real_customer";
    nu.email = "real@example.com";
    nu.password = "a-Real-passw0rd!";
    nu.is_email_verified = true;
    auto real_user = te->auth().create_user(nu);
    REQUIRE_MESSAGE(real_user.is_ok(), real_user.error().message);
    const std::int64_t test_category =
        scalar(te, "SELECT MIN(id) FROM categories WHERE parent_id IS NOT NULL");
    shop::NewProduct np;
    np.name = "Real Product";
    np.category_id = test_category;
    np.price = 10000;
    np.stock = 50;
    np.sku = "REAL-1";
    auto real_product = te->catalog().create_product(np);
    REQUIRE_MESSAGE(real_product.is_ok(), real_product.error().message);
    const std::int64_t test_product = scalar(te,
                                             "SELECT MIN(id) FROM products WHERE origin = "
                                             "'testdata' AND stock >= 2");
    const std::string test_product_name =
        dump(te, "SELECT name FROM products WHERE id = " + std::to_string(test_product));

    // The real customer buys a test product...
    REQUIRE(te->carts().add_item(shop::CartOwner::user(*real_user), test_product, 2).is_ok());
    auto real_order = te->orders().intake(*real_user, order_request());
    REQUIRE_MESSAGE(real_order.is_ok(), real_order.error().message);
    // ...and a test account buys the real product (an order it placed itself, over "HTTP").
    const std::int64_t test_user = scalar(te,
                                          "SELECT id FROM users WHERE username = "
                                          "'test_user2'");
    REQUIRE(te->carts().add_item(shop::CartOwner::user(test_user), *real_product, 3).is_ok());
    auto test_order = te->orders().intake(test_user, order_request());
    REQUIRE_MESSAGE(test_order.is_ok(), test_order.error().message);
    REQUIRE(te->orders().drain_queue().is_ok());
    REQUIRE(scalar(te, "SELECT stock FROM products WHERE id = " + std::to_string(*real_product)) ==
            47);
    require_clean(te);

    auto cleared = te->admin().clear_test_data();
    REQUIRE(cleared.is_ok());
    CHECK(cleared->foreign_orders == 1);
    CHECK(scalar(te, "SELECT COUNT(*) FROM users") == 1);
    CHECK(scalar(te, "SELECT COUNT(*) FROM products") == 1);
    // The real product's category stays (with its parent), the rest goes.
    CHECK(scalar(te, "SELECT COUNT(*) FROM categories") == 2);
    // The real order keeps its item snapshot; the product link is gone.
    CHECK(scalar(te, "SELECT COUNT(*) FROM orders") == 1);
    CHECK(scalar(te, "SELECT COUNT(*) FROM order_items WHERE order_id = " +
                         std::to_string(real_order->order_id) + " AND product_id IS NULL") == 1);
    CHECK(dump(te, "SELECT product_name FROM order_items") == test_product_name);
    // The real product's stock is what it was (the goods were sold); verify still balances.
    CHECK(scalar(te, "SELECT stock FROM products") == 47);
    require_clean(te);
  }

  TEST_CASE("bad options are refused and change nothing") {
    shoptest::TestEngine te;
    testdata::Options o;
    o.preset = "huge";
    auto r = te->admin().create_test_data(o);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.error().code == shop::ErrorCode::kInvalidArgument);
    CHECK(r.error().message.find("minimal, basic, full") != std::string::npos);
    o.preset = "minimal";
    o.users = 0;
    CHECK_FALSE(te->admin().create_test_data(o).is_ok());
    o.users = 100000;
    CHECK_FALSE(te->admin().create_test_data(o).is_ok());
    CHECK(scalar(te, "SELECT COUNT(*) FROM users") == 0);

    testdata::LoadTestUsersOptions lo;
    lo.count = -1;
    CHECK_FALSE(te->admin().create_load_test_users(lo).is_ok());
    lo.count = 5;
    lo.points = -10;
    CHECK_FALSE(te->admin().create_load_test_users(lo).is_ok());
    CHECK(scalar(te, "SELECT COUNT(*) FROM users") == 0);
  }

  TEST_CASE("--users overrides the preset's user count") {
    shoptest::TestEngine te;
    testdata::Options o;
    o.preset = "minimal";
    o.users = 7;
    auto r = te->admin().create_test_data(o);
    REQUIRE(r.is_ok());
    CHECK(r->users == 8);
    CHECK(scalar(te, "SELECT COUNT(*) FROM users WHERE username = 'test_user7'") == 1);
    require_clean(te);
  }

  TEST_CASE("load-test users: accounts, points as one lot, cheap test hash, idempotent") {
    shoptest::TestEngine te;
    testdata::LoadTestUsersOptions o;
    o.count = 60;
    o.points = 50000;
    auto r = te->admin().create_load_test_users(o);
    REQUIRE_MESSAGE(r.is_ok(), r.error().message);
    CHECK(r->created == 60);
    CHECK(r->skipped == 0);
    CHECK(r->points_granted == 60 * 50000);
    CHECK(scalar(te,
                 "SELECT COUNT(*) FROM users WHERE username LIKE 'load\\_test\\_user\\_%' "
                 "ESCAPE '\\' AND is_email_verified = 1 AND points = 50000") == 60);
    CHECK(scalar(te, "SELECT COUNT(*) FROM users WHERE email = 'load_test_59@example.com'") == 1);
    // One lot each, expiring a year after creation.
    CHECK(scalar(te,
                 "SELECT COUNT(*) FROM point_entries WHERE lot_remaining = 50000 AND "
                 "expires_at = created_at + 365 * 86400000000") == 60);
    const std::string hash =
        dump(te, "SELECT password_hash FROM users WHERE username = 'load_test_user_0'");
    const std::string encoded = hash.substr(0, hash.size() - 1);  // drop dump's newline
    CHECK(shop::password::iterations_of(encoded) == testdata::kLoadTestIterations);
    CHECK(shop::password::verify(testdata::kLoadTestPassword, encoded));
    auto login = te->auth().login("load_test_user_3", testdata::kLoadTestPassword, "127.0.0.1");
    CHECK(login.is_ok());
    require_clean(te);

    // Again: nothing new. More: only the new ones.
    auto again = te->admin().create_load_test_users(o);
    REQUIRE(again.is_ok());
    CHECK(again->created == 0);
    CHECK(again->skipped == 60);
    o.count = 70;
    auto more = te->admin().create_load_test_users(o);
    REQUIRE(more.is_ok());
    CHECK(more->created == 10);
    CHECK(more->skipped == 60);
    CHECK(scalar(te, "SELECT COUNT(*) FROM users") == 70);

    // --clear: the earlier ones go (with what hangs off them), then all are made afresh.
    o.count = 5;
    o.clear_first = true;
    auto fresh = te->admin().create_load_test_users(o);
    REQUIRE(fresh.is_ok());
    CHECK(fresh->cleared == 70);
    CHECK(fresh->created == 5);
    CHECK(scalar(te, "SELECT COUNT(*) FROM users") == 5);
    CHECK(scalar(te, "SELECT COUNT(*) FROM point_entries") == 5);
    require_clean(te);
  }

  TEST_CASE("load-test users skip a taken e-mail and leave other users alone") {
    shoptest::TestEngine te;
    shop::NewUser nu;
    nu.username = "someone";
    nu.email = "load_test_2@example.com";
    nu.password = "a-Real-passw0rd!";
    REQUIRE(te->auth().create_user(nu).is_ok());
    testdata::LoadTestUsersOptions o;
    o.count = 4;
    o.points = 0;
    auto r = te->admin().create_load_test_users(o);
    REQUIRE(r.is_ok());
    CHECK(r->created == 3);
    CHECK(r->skipped == 1);
    CHECK(scalar(te, "SELECT COUNT(*) FROM point_entries") == 0);
    o.clear_first = true;
    o.count = 1;
    REQUIRE(te->admin().create_load_test_users(o).is_ok());
    CHECK(scalar(te, "SELECT COUNT(*) FROM users WHERE username = 'someone'") == 1);
  }
}
