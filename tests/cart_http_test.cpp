// cart_http_test.cpp — /api/cart-items/ and /api/cart/ against a real shopd: shapes, status codes,
// anonymous session carts (sessionid cookie), ownership, bad input.
#include <doctest/doctest.h>

#include <regex>

#include "orders_fixtures.h"
#include "support/test_support.h"

using shoptest::http;
using shoptest::http_raw;

namespace {

struct Server {
  shoptest::TempDir dir;
  shoptest::ShopdProcess srv{dir.file("shop.db"), {"--workers", "1", "--no-scheduler"}};
  ordtest::Seed seed{dir.file("shop.db")};
  std::unique_ptr<httplib::Client> c = srv.client();
};

// The sessionid a response set, or "".
std::string set_session(const shoptest::HttpResult& r) {
  for (const auto& [k, v] : r.headers) {
    if (k == "Set-Cookie" && v.rfind("sessionid=", 0) == 0) {
      return v.substr(10, v.find(';') - 10);
    }
  }
  return "";
}

httplib::Headers with_session(const std::string& key) {
  return {{"Cookie", "sessionid=" + key}};
}

}  // namespace

TEST_SUITE("cart http") {
  TEST_CASE("anonymous visitors get a session cart through the sessionid cookie") {
    Server s;
    const auto p = s.seed.product("Tea", 4500, 20);
    // GET without a session: an empty array, and no session is created for a read.
    auto empty = http(*s.c, "GET", "/api/cart-items/");
    CHECK(empty.status == 200);
    CHECK(empty.body == shoptest::json::array());
    CHECK(set_session(empty).empty());

    auto add = http(*s.c, "POST", "/api/cart-items/", {{"product_id", p}, {"quantity", 2}});
    REQUIRE(add.status == 201);
    const std::string key = set_session(add);
    REQUIRE(key.size() == 32);
    bool http_only = false;
    for (const auto& [k, v] : add.headers) {
      if (k == "Set-Cookie") http_only = v.find("HttpOnly") != std::string::npos;
    }
    CHECK(http_only);
    // The CartItem shape (contract §1a).
    const auto& it = add.body;
    for (const char* k :
         {"id", "product", "product_id", "product_name", "product_price", "quantity", "subtotal",
          "is_available", "available_stock", "added_at", "updated_at"}) {
      CHECK_MESSAGE(it.contains(k), k);
    }
    for (const char* k :
         {"id", "name", "slug", "price", "discounted_price", "stock", "stock_status",
          "category_name", "seller_username", "thumbnail_image", "is_active", "created_at"}) {
      CHECK_MESSAGE(it["product"].contains(k), k);
    }
    CHECK(it["product_price"] == "4500");
    CHECK(it["subtotal"] == "9000");
    CHECK(it["quantity"] == 2);
    CHECK(it["is_available"] == true);
    CHECK(it["available_stock"] == 20);
    CHECK(std::regex_match(it["added_at"].get<std::string>(),
                           std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+09:00)")));

    // Same session, same product: the line grows, still 201.
    auto again = http(*s.c, "POST", "/api/cart-items/", {{"product_id", p}, {"quantity", 1}}, "",
                      with_session(key));
    CHECK(again.status == 201);
    CHECK(again.body["id"] == it["id"]);
    CHECK(again.body["quantity"] == 3);
    CHECK(set_session(again).empty());  // the session is kept

    auto list = http(*s.c, "GET", "/api/cart-items/", nullptr, "", with_session(key));
    REQUIRE(list.status == 200);
    REQUIRE(list.body.is_array());
    CHECK(list.body.size() == 1);
    // Another visitor sees nothing of it, and cannot touch it.
    auto other = http(*s.c, "POST", "/api/cart-items/", {{"product_id", p}});
    const std::string other_key = set_session(other);
    REQUIRE(other.status == 201);
    CHECK(other.body["quantity"] == 1);  // quantity defaults to 1
    const std::string item = "/api/cart-items/" + std::to_string(it["id"].get<long>()) + "/";
    CHECK(http(*s.c, "PUT", item, {{"quantity", 1}}, "", with_session(other_key)).status == 404);
    CHECK(http(*s.c, "DELETE", item, nullptr, "", with_session(other_key)).status == 404);
    CHECK(http(*s.c, "DELETE", item).status == 404);
    // A forged cookie is not a key: it gets a new session, not someone's cart.
    auto forged = http(*s.c, "GET", "/api/cart-items/", nullptr, "", with_session("x;y"));
    CHECK(forged.body == shoptest::json::array());
  }

  TEST_CASE("item detail: PUT/DELETE only; PUT defaults to 1, 0 deletes (204)") {
    Server s;
    const auto u = s.seed.user("alice");
    const auto tok = ordtest::token_for(u);
    const auto p = s.seed.product("Cake", 30000, 5);
    auto add = http(*s.c, "POST", "/api/cart-items/", {{"product_id", p}, {"quantity", 3}}, tok);
    REQUIRE(add.status == 201);
    const std::string item = "/api/cart-items/" + std::to_string(add.body["id"].get<long>()) + "/";
    CHECK(http(*s.c, "GET", item, nullptr, tok).status == 405);
    CHECK(http(*s.c, "PATCH", item, {{"quantity", 2}}, tok).status == 405);

    auto put_default = http(*s.c, "PUT", item, shoptest::json::object(), tok);
    CHECK(put_default.status == 200);
    CHECK(put_default.body["quantity"] == 1);
    auto put = http(*s.c, "PUT", item, {{"quantity", 4}}, tok);
    CHECK(put.status == 200);
    CHECK(put.body["quantity"] == 4);
    auto over = http(*s.c, "PUT", item, {{"quantity", 6}}, tok);
    CHECK(over.status == 400);
    CHECK(over.body["code"] == "INSUFFICIENT_STOCK");
    CHECK(over.body.contains("error"));
    CHECK(http(*s.c, "PUT", item, {{"quantity", 1000}}, tok).body["code"] == "QUANTITY_EXCEEDED");
    CHECK(http(*s.c, "PUT", item, {{"quantity", -1}}, tok).body["code"] == "INVALID_QUANTITY");
    CHECK(http(*s.c, "PUT", item, {{"quantity", "2"}}, tok).body.contains("quantity"));

    auto zero = http(*s.c, "PUT", item, {{"quantity", 0}}, tok);
    CHECK(zero.status == 204);
    CHECK(zero.raw.empty());
    CHECK(http(*s.c, "DELETE", item, nullptr, tok).status == 404);

    auto add2 = http(*s.c, "POST", "/api/cart-items/", {{"product_id", p}}, tok);
    const std::string item2 =
        "/api/cart-items/" + std::to_string(add2.body["id"].get<long>()) + "/";
    auto del = http(*s.c, "DELETE", item2, nullptr, tok);
    CHECK(del.status == 204);
    CHECK(del.raw.empty());
    auto gone = http(*s.c, "DELETE", item2, nullptr, tok);
    CHECK(gone.status == 404);
    CHECK(gone.body.contains("detail"));
    CHECK(http(*s.c, "PUT", "/api/cart-items/abc/", {{"quantity", 1}}, tok).status == 404);
    CHECK(
        http(*s.c, "PUT", "/api/cart-items/99999999999999999999/", {{"quantity", 1}}, tok).status ==
        404);
  }

  TEST_CASE("add errors: field errors for the values sent, {error, code} for the cart") {
    Server s;
    const auto tok = ordtest::token_for(s.seed.user("bob"));
    const auto p = s.seed.product("Jam", 3000, 3);
    const auto off = s.seed.product("Off", 3000, 3, false);
    auto post = [&](const shoptest::json& body) {
      return http(*s.c, "POST", "/api/cart-items/", body, tok);
    };
    auto r = post({{"product_id", 999999}});
    CHECK(r.status == 400);
    CHECK(r.body["product_id"].is_array());
    CHECK(post({{"product_id", off}}).body["product_id"].is_array());
    CHECK(post({{"quantity", 1}}).body["product_id"].is_array());  // required
    CHECK(post({{"product_id", p}, {"quantity", 0}}).body["quantity"].is_array());
    CHECK(post({{"product_id", p}, {"quantity", 1000}}).body["quantity"].is_array());
    CHECK(post({{"product_id", p}, {"quantity", 4}}).body["quantity"].is_array());
    CHECK(post({{"product_id", p}, {"quantity", "1"}}).body["quantity"].is_array());
    CHECK(post({{"product_id", "1"}}).body["product_id"].is_array());
    CHECK(post({{"product_id", 1.5}}).status == 400);
    CHECK(post({{"product_id", p}, {"quantity", 1e300}}).status == 400);
    REQUIRE(post({{"product_id", p}, {"quantity", 2}}).status == 201);
    auto cumulative = post({{"product_id", p}, {"quantity", 2}});
    CHECK(cumulative.status == 400);
    CHECK(cumulative.body["code"] == "INSUFFICIENT_STOCK");
    CHECK(cumulative.body.contains("error"));

    auto bad_json =
        http_raw(*s.c, "POST", "/api/cart-items/", "{not json", "application/json", tok);
    CHECK(bad_json.status == 400);
    CHECK(bad_json.body.contains("detail"));
    auto not_object = http_raw(*s.c, "POST", "/api/cart-items/", "[1,2]", "application/json", tok);
    CHECK(not_object.status == 400);
    CHECK(not_object.body.contains("non_field_errors"));
    // A present but invalid token is a 401 even on this AllowAny endpoint.
    auto forged = http(*s.c, "GET", "/api/cart-items/", nullptr, "not.a.token");
    CHECK(forged.status == 401);
    CHECK(forged.body["code"] == "token_not_valid");
  }

  TEST_CASE("/api/cart/: view, summary, add_item, items, clear, bulk_add (207), check_stock") {
    Server s;
    const auto u = s.seed.user("carol");
    const auto tok = ordtest::token_for(u);
    const auto a = s.seed.product("A", 1000, 10);
    const auto b = s.seed.product("B", 2500, 2);

    auto view = http(*s.c, "GET", "/api/cart/", nullptr, tok);
    REQUIRE(view.status == 200);
    CHECK(view.body["id"].is_number_integer());
    CHECK(view.body["user_id"] == u);
    CHECK(view.body["user_username"] == "carol");
    CHECK(view.body["items"] == shoptest::json::array());
    CHECK(view.body["total_amount"] == "0");

    auto added =
        http(*s.c, "POST", "/api/cart/add_item/", {{"product_id", a}, {"quantity", 3}}, tok);
    REQUIRE(added.status == 201);
    CHECK(added.body.contains("message"));
    CHECK(added.body["item"]["quantity"] == 3);
    const auto item_id = added.body["item"]["id"].get<long>();

    auto patch = http(*s.c, "PATCH", "/api/cart/items/" + std::to_string(item_id) + "/",
                      {{"quantity", 4}}, tok);
    CHECK(patch.status == 200);
    CHECK(patch.body["item"]["quantity"] == 4);

    auto bulk = http(*s.c, "POST", "/api/cart/bulk_add/",
                     {{"items",
                       {{{"product_id", b}, {"quantity", 2}},
                        {{"product_id", 424242}, {"quantity", 1}},
                        {{"product_id", "x"}},
                        "nope"}}},
                     tok);
    CHECK(bulk.status == 207);
    CHECK(bulk.body["added_items"].size() == 1);
    CHECK(bulk.body["error_count"] == 3);
    CHECK(bulk.body["errors"][0]["index"] == 1);
    CHECK(bulk.body["errors"][0]["errors"].contains("product_id"));
    CHECK(bulk.body["errors"][2]["index"] == 3);
    auto none =
        http(*s.c, "POST", "/api/cart/bulk_add/", {{"items", shoptest::json::array()}}, tok);
    CHECK(none.status == 400);
    CHECK(none.body["code"] == "EMPTY_ITEMS");

    auto summary = http(*s.c, "GET", "/api/cart/summary/", nullptr, tok);
    CHECK(summary.body["total_amount"] == "9000");  // 4*1000 + 2*2500
    CHECK(summary.body["total_quantity"] == 6);
    CHECK(summary.body["item_count"] == 2);
    auto items = http(*s.c, "GET", "/api/cart/items/", nullptr, tok);
    CHECK(items.body.size() == 2);

    CHECK(http(*s.c, "GET", "/api/cart/check_stock/", nullptr, tok).body["has_issues"] == false);
    s.seed.exec("UPDATE products SET stock = 1 WHERE id = " + std::to_string(b));
    auto issues = http(*s.c, "GET", "/api/cart/check_stock/", nullptr, tok);
    CHECK(issues.body["has_issues"] == true);
    CHECK(issues.body["issues"][0]["product_id"] == b);
    CHECK(issues.body["issues"][0]["available"] == 1);
    view = http(*s.c, "GET", "/api/cart/", nullptr, tok);
    CHECK(view.body["is_all_available"] == false);
    CHECK(view.body["unavailable_items"].size() == 1);

    CHECK(http(*s.c, "POST", "/api/cart/clear/", shoptest::json::object(), tok)
              .body.contains("confirm"));
    CHECK(http(*s.c, "POST", "/api/cart/clear/", {{"confirm", false}}, tok).status == 400);
    auto cleared = http(*s.c, "POST", "/api/cart/clear/", {{"confirm", true}}, tok);
    CHECK(cleared.status == 200);
    CHECK(cleared.body.contains("message"));
    auto empty = http(*s.c, "POST", "/api/cart/clear/", {{"confirm", true}}, tok);
    CHECK(empty.status == 400);
    CHECK(empty.body["code"] == "CART_EMPTY");
    CHECK(http(*s.c, "DELETE", "/api/cart/items/" + std::to_string(item_id) + "/", nullptr, tok)
              .status == 404);

    // An anonymous visitor without a session sees an empty cart; nothing is created for it.
    auto anon = http(*s.c, "GET", "/api/cart/");
    CHECK(anon.status == 200);
    CHECK(anon.body["id"].is_null());
    CHECK(anon.body["item_count"] == 0);
    CHECK(s.seed.scalar("SELECT COUNT(*) FROM carts WHERE user_id IS NULL") == 0);
  }
}
