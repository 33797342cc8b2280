// cart_test.cpp — the cart module at engine level: lines, quantities, stock checks, ownership,
// session carts and their merge at login.
#include "shop/cart.h"

#include <doctest/doctest.h>

#include "orders_fixtures.h"
#include "support/test_support.h"

using shop::CartOwner;

namespace {
struct CartFixture {
  shoptest::TestEngine te;
  ordtest::Seed seed{te.dir.file("shop.db")};
  shop::Carts& carts() { return te->carts(); }
};
}  // namespace

TEST_SUITE("cart") {
  TEST_CASE("adding a product creates the cart; adding it again increases the same line") {
    CartFixture f;
    const auto u = f.seed.user("alice");
    const auto p = f.seed.product("Mug", 12000, 10);
    auto first = f.carts().add_item(CartOwner::user(u), p, 2);
    REQUIRE(first.is_ok());
    CHECK(first->quantity == 2);
    CHECK(first->product.name == "Mug");
    CHECK(first->product.category_name == "Test");
    CHECK(first->subtotal() == 24000);
    CHECK(first->is_available());
    auto second = f.carts().add_item(CartOwner::user(u), p, 3);
    REQUIRE(second.is_ok());
    CHECK(second->id == first->id);
    CHECK(second->quantity == 5);
    auto items = f.carts().items(CartOwner::user(u));
    REQUIRE(items.is_ok());
    CHECK(items->size() == 1);
    CHECK(f.seed.scalar("SELECT COUNT(*) FROM carts WHERE user_id = " + std::to_string(u)) == 1);
  }

  TEST_CASE("add checks the product and the quantity, with reasons and fields") {
    CartFixture f;
    const auto u = CartOwner::user(f.seed.user("bob"));
    const auto p = f.seed.product("Pen", 1000, 5);
    const auto inactive = f.seed.product("Old", 1000, 5, /*active=*/false);
    const auto sold_out = f.seed.product("Gone", 1000, 0);
    struct Case {
      std::int64_t product, qty;
      const char *reason, *field;
    } cases[] = {
        {p, 0, "INVALID_QUANTITY", "quantity"},
        {p, -3, "INVALID_QUANTITY", "quantity"},
        {p, 1000, "QUANTITY_EXCEEDED", "quantity"},
        {p, 6, "INSUFFICIENT_STOCK", "quantity"},
        {999999, 1, "PRODUCT_NOT_FOUND", "product_id"},
        {inactive, 1, "PRODUCT_NOT_FOUND", "product_id"},
        {sold_out, 1, "INSUFFICIENT_STOCK", "product_id"},
    };
    for (const auto& c : cases) {
      CAPTURE(c.product);
      CAPTURE(c.qty);
      auto r = f.carts().add_item(u, c.product, c.qty);
      REQUIRE_FALSE(r.is_ok());
      CHECK(r.error().code == shop::ErrorCode::kInvalidArgument);
      CHECK(r.error().reason == c.reason);
      CHECK(r.error().field == c.field);
    }
    CHECK(f.seed.scalar("SELECT COUNT(*) FROM cart_items") == 0);
  }

  TEST_CASE("the cumulative quantity in the cart may not exceed the stock (no field)") {
    CartFixture f;
    const auto u = CartOwner::user(f.seed.user("carol"));
    const auto p = f.seed.product("Cup", 3000, 5);
    REQUIRE(f.carts().add_item(u, p, 4).is_ok());
    auto r = f.carts().add_item(u, p, 2);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.error().reason == "INSUFFICIENT_STOCK");
    CHECK(r.error().field.empty());
    CHECK((*f.carts().items(u))[0].quantity == 4);  // unchanged
  }

  TEST_CASE("lines are listed newest first; set_quantity updates, 0 deletes") {
    CartFixture f;
    const auto u = CartOwner::user(f.seed.user("dave"));
    const auto a = f.seed.product("A", 100, 50);
    const auto b = f.seed.product("B", 200, 50);
    auto la = f.carts().add_item(u, a, 1);
    f.te.clock.advance(shop::kMicrosPerSecond);
    auto lb = f.carts().add_item(u, b, 1);
    REQUIRE(la.is_ok());
    REQUIRE(lb.is_ok());
    auto items = *f.carts().items(u);
    REQUIRE(items.size() == 2);
    CHECK(items[0].product.id == b);
    CHECK(items[1].product.id == a);

    auto up = f.carts().set_quantity(u, la->id, 7);
    REQUIRE(up.is_ok());
    REQUIRE(up->has_value());
    CHECK((*up)->quantity == 7);
    auto too_many = f.carts().set_quantity(u, la->id, 51);
    REQUIRE_FALSE(too_many.is_ok());
    CHECK(too_many.error().reason == "INSUFFICIENT_STOCK");
    CHECK(f.carts().set_quantity(u, la->id, 1000).error().reason == "QUANTITY_EXCEEDED");
    CHECK(f.carts().set_quantity(u, la->id, -1).error().reason == "INVALID_QUANTITY");

    auto gone = f.carts().set_quantity(u, la->id, 0);
    REQUIRE(gone.is_ok());
    CHECK_FALSE(gone->has_value());
    CHECK(f.carts().items(u)->size() == 1);
  }

  TEST_CASE("another cart's line is not found, for update and delete") {
    CartFixture f;
    const auto alice = CartOwner::user(f.seed.user("alice"));
    const auto mallory = CartOwner::user(f.seed.user("mallory"));
    const auto anon = CartOwner::session(shop::Carts::new_session_key());
    const auto p = f.seed.product("Book", 15000, 3);
    auto line = f.carts().add_item(alice, p, 1);
    REQUIRE(line.is_ok());
    CHECK(f.carts().set_quantity(mallory, line->id, 2).error().code == shop::ErrorCode::kNotFound);
    CHECK(f.carts().remove_item(mallory, line->id).error().code == shop::ErrorCode::kNotFound);
    CHECK(f.carts().remove_item(anon, line->id).error().code == shop::ErrorCode::kNotFound);
    CHECK(f.carts().items(alice)->at(0).quantity == 1);
    CHECK(f.carts().remove_item(alice, line->id).is_ok());
    CHECK(f.carts().remove_item(alice, line->id).error().code == shop::ErrorCode::kNotFound);
  }

  TEST_CASE("clear empties the cart; clearing an empty cart is CART_EMPTY") {
    CartFixture f;
    const auto u = CartOwner::user(f.seed.user("erin"));
    CHECK(f.carts().clear(u).error().reason == "CART_EMPTY");  // no cart at all
    REQUIRE(f.carts().add_item(u, f.seed.product("X", 100, 9), 2).is_ok());
    CHECK(f.carts().clear(u).is_ok());
    CHECK(f.carts().items(u)->empty());
    CHECK(f.carts().clear(u).error().reason == "CART_EMPTY");
  }

  TEST_CASE("bulk_add adds the good lines and reports the bad ones by index") {
    CartFixture f;
    const auto u = CartOwner::user(f.seed.user("frank"));
    const auto a = f.seed.product("A", 100, 5);
    const auto b = f.seed.product("B", 100, 1);
    auto r = f.carts().bulk_add(u, {{a, 2}, {424242, 1}, {b, 3}, {a, 1}});
    REQUIRE(r.is_ok());
    CHECK(r->added.size() == 2);
    REQUIRE(r->failures.size() == 2);
    CHECK(r->failures[0].index == 1);
    CHECK(r->failures[0].error.reason == "PRODUCT_NOT_FOUND");
    CHECK(r->failures[1].index == 2);
    CHECK(r->failures[1].error.reason == "INSUFFICIENT_STOCK");
    CHECK(f.seed.cart_quantity(*u.user_id, a) == 3);
    CHECK(f.carts().bulk_add(u, {}).error().reason == "EMPTY_ITEMS");
  }

  TEST_CASE("cart view: totals and unavailable lines; check_stock lists the issues") {
    CartFixture f;
    const auto uid = f.seed.user("gina");
    const auto u = CartOwner::user(uid);
    const auto a = f.seed.product("A", 1000, 10);
    const auto b = f.seed.product("B", 2500, 10);
    REQUIRE(f.carts().add_item(u, a, 3).is_ok());
    REQUIRE(f.carts().add_item(u, b, 2).is_ok());
    auto cart = f.carts().get(u, false);
    REQUIRE(cart.is_ok());
    REQUIRE(cart->id.has_value());
    CHECK(cart->user_username == "gina");
    CHECK(cart->total_amount() == 8000);
    CHECK(cart->total_quantity() == 5);
    CHECK(cart->item_count() == 2);
    CHECK(cart->stock_issues().empty());
    CHECK(f.carts().check_stock(u)->empty());

    f.seed.exec("UPDATE products SET stock = 1 WHERE id = " + std::to_string(a));
    f.seed.exec("UPDATE products SET is_active = 0 WHERE id = " + std::to_string(b));
    auto issues = f.carts().check_stock(u);
    REQUIRE(issues.is_ok());
    REQUIRE(issues->size() == 2);
    for (const auto& i : *issues) {
      if (i.product_id == a) {
        CHECK(i.kind == shop::StockIssueKind::kInsufficient);
        CHECK(i.requested == 3);
        CHECK(i.available == 1);
      } else {
        CHECK(i.kind == shop::StockIssueKind::kDiscontinued);
      }
    }
  }

  TEST_CASE("get(create=false) creates nothing for a visitor without a cart; create makes one") {
    CartFixture f;
    const auto anon = CartOwner::session(shop::Carts::new_session_key());
    auto none = f.carts().get(anon, false);
    REQUIRE(none.is_ok());
    CHECK_FALSE(none->id.has_value());
    CHECK(none->items.empty());
    CHECK(f.seed.scalar("SELECT COUNT(*) FROM carts") == 0);
    const auto u = CartOwner::user(f.seed.user("hank"));
    auto made = f.carts().get(u, true);
    REQUIRE(made.is_ok());
    CHECK(made->id.has_value());
    CHECK(f.carts().get(u, true)->id == made->id);  // one active cart per user
  }

  TEST_CASE("session keys: what we issue is accepted, anything else is not") {
    const auto k = shop::Carts::new_session_key();
    CHECK(shop::Carts::is_session_key(k));
    CHECK(shop::Carts::new_session_key() != k);
    CHECK_FALSE(shop::Carts::is_session_key(""));
    CHECK_FALSE(shop::Carts::is_session_key("short"));
    CHECK_FALSE(shop::Carts::is_session_key(std::string(32, ';')));
    CHECK_FALSE(shop::Carts::is_session_key(std::string(33, 'a')));
  }

  TEST_CASE("session carts are separate; merge adds into the user's cart capped by stock") {
    CartFixture f;
    const auto uid = f.seed.user("ivy");
    const auto user = CartOwner::user(uid);
    const auto session = CartOwner::session(shop::Carts::new_session_key());
    const auto other = CartOwner::session(shop::Carts::new_session_key());
    const auto a = f.seed.product("A", 100, 5);
    const auto b = f.seed.product("B", 100, 5);
    const auto c = f.seed.product("C", 100, 5);
    REQUIRE(f.carts().add_item(user, a, 3).is_ok());
    REQUIRE(f.carts().add_item(session, a, 4).is_ok());  // 3 + 4 > 5: capped at 5
    REQUIRE(f.carts().add_item(session, b, 2).is_ok());
    REQUIRE(f.carts().add_item(session, c, 1).is_ok());
    REQUIRE(f.carts().add_item(other, b, 1).is_ok());
    CHECK(f.carts().items(other)->size() == 1);
    f.seed.exec("UPDATE products SET is_active = 0 WHERE id = " + std::to_string(c));

    REQUIRE(f.carts().merge_session_cart(session.session_key, uid).is_ok());
    CHECK(f.seed.cart_quantity(uid, a) == 5);
    CHECK(f.seed.cart_quantity(uid, b) == 2);
    CHECK(f.seed.cart_quantity(uid, c) == 0);  // inactive: dropped
    CHECK(f.carts().items(session)->empty());  // deactivated: the session has no cart now
    CHECK(f.carts().items(other)->size() == 1);
    // Merging again (or a session without a cart) does nothing.
    REQUIRE(f.carts().merge_session_cart(session.session_key, uid).is_ok());
    CHECK(f.seed.cart_quantity(uid, a) == 5);
    CHECK(f.carts().merge_session_cart("", uid).is_ok());
  }
}
