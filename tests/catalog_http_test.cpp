// HTTP tests for /api/products/ and /api/categories/ against a real shopd: shapes, paging links,
// filters, seller writes and bad input.
#include <doctest/doctest.h>

#include <functional>

#include "shop/auth.h"
#include "shop/catalog.h"
#include "support/test_support.h"

using shoptest::http;
using shoptest::http_raw;
using shoptest::json;

namespace {

struct Ids {
  std::int64_t electronics = 0, phones = 0, food = 0, seller = 0;
};

// 15 products: 10 phones (stock 0..9 for the first few), 5 foods; a seller account and a buyer.
struct CatalogServer {
  shoptest::TempDir dir;
  Ids ids;
  std::unique_ptr<shoptest::ShopdProcess> srv;
  std::unique_ptr<httplib::Client> c;
  std::string base;

  CatalogServer() {
    {
      shop::EngineOptions o;
      o.db_path = dir.file("shop.db");
      o.password_iterations = 1000;
      o.jwt_secret = "test-secret";
      auto opened = shop::Engine::open(o);
      REQUIRE(opened.is_ok());
      shop::Engine& e = **opened;
      shop::NewUser u;
      u.username = "seller1";
      u.email = "seller1@example.com";
      u.password = "testpass123";
      u.is_seller = true;
      ids.seller = *e.auth().create_user(u);
      u.username = "buyer1";
      u.email = "buyer1@example.com";
      u.is_seller = false;
      REQUIRE(e.auth().create_user(u).is_ok());
      shop::NewCategory c;
      c.name = "Electronics";
      ids.electronics = *e.catalog().create_category(c);
      c.name = "Phones";
      c.parent_id = ids.electronics;
      ids.phones = *e.catalog().create_category(c);
      c.name = "Food";
      c.parent_id.reset();
      ids.food = *e.catalog().create_category(c);
      for (int i = 0; i < 15; ++i) {
        shop::NewProduct p;
        p.name = (i < 10 ? "Phone " : "Snack ") + std::to_string(i);
        p.category_id = i < 10 ? ids.phones : ids.food;
        p.price = 1000 * (i + 1);
        p.stock = i < 3 ? i * 5 : 100;  // 0, 5, 10, then plenty
        p.description = i == 0 ? "the flagship" : "";
        if (i < 10) p.seller_id = ids.seller;
        REQUIRE(e.catalog().create_product(p).is_ok());
      }
    }
    srv = std::make_unique<shoptest::ShopdProcess>(dir.file("shop.db"));
    c = srv->client();
    base = "http://127.0.0.1:" + std::to_string(srv->port());
  }

  std::string token(const std::string& user) {
    auto r =
        http(*c, "POST", "/api/auth/login/", {{"username", user}, {"password", "testpass123"}});
    REQUIRE(r.status == 200);
    return r.body["access"];
  }
};

}  // namespace

TEST_SUITE("catalog http") {
  TEST_CASE("product list: envelope, item shape, absolute next/previous links") {
    CatalogServer s;
    auto r = http(*s.c, "GET", "/api/products/");
    REQUIRE(r.status == 200);
    CHECK(r.body["count"] == 15);
    CHECK(r.body["previous"].is_null());
    CHECK(r.body["next"] == s.base + "/api/products/?page=2");
    REQUIRE(r.body["results"].size() == 12);
    const json& item = r.body["results"][0];
    CHECK(item["name"] == "Snack 14");  // newest first
    CHECK(item["price"] == "15000");
    CHECK(item["discounted_price"] == "15000");
    CHECK(item["stock"] == 100);
    CHECK(item["stock_quantity"] == 100);
    CHECK(item["stock_status"] == "재고 충분");
    CHECK(item["category_name"] == "Food");
    CHECK(item["seller_username"].is_null());
    CHECK(item["thumbnail_image"].is_null());
    CHECK(item["average_rating"].is_number_float());
    CHECK(item["review_count"] == 0);
    CHECK(item["wishlist_count"] == 0);
    CHECK(item["is_wished"] == false);
    CHECK(item["is_active"] == true);
    CHECK(item["created_at"].get<std::string>().ends_with("+09:00"));
    for (const char* f : {"id", "slug"}) CHECK(item.contains(f));

    auto p2 = http(*s.c, "GET", "/api/products/?page=2");
    REQUIRE(p2.status == 200);
    CHECK(p2.body["next"].is_null());
    CHECK(p2.body["previous"] == s.base + "/api/products/");
    CHECK(p2.body["results"].size() == 3);
    auto sized = http(*s.c, "GET", "/api/products/?page_size=5&page=2&ordering=price");
    REQUIRE(sized.status == 200);
    CHECK(sized.body["results"].size() == 5);
    CHECK(sized.body["results"][0]["price"] == "6000");
    const std::string next = sized.body["next"];
    CHECK(next.find("page=3") != std::string::npos);
    CHECK(next.find("page_size=5") != std::string::npos);
    CHECK(next.find("ordering=price") != std::string::npos);

    for (const char* bad :
         {"/api/products/?page=3", "/api/products/?page=0", "/api/products/?page=abc",
          "/api/products/?page=-1", "/api/products/?page=99999999999999999999999"}) {
      CAPTURE(bad);
      auto nf = http(*s.c, "GET", bad);
      CHECK(nf.status == 404);
      CHECK(nf.body["detail"] == "Invalid page.");
    }
    CHECK(http(*s.c, "GET", "/api/products/?page=last").body["results"].size() == 3);
    // Invalid page sizes fall back to the default; big ones are clamped.
    CHECK(http(*s.c, "GET", "/api/products/?page_size=abc").body["results"].size() == 12);
    CHECK(http(*s.c, "GET", "/api/products/?page_size=100000").body["results"].size() == 15);
  }

  TEST_CASE("product list filters over HTTP") {
    CatalogServer s;
    auto count = [&](const std::string& q) {
      auto r = http(*s.c, "GET", "/api/products/" + q);
      REQUIRE(r.status == 200);
      return r.body["count"].get<int>();
    };
    CHECK(count("?category=" + std::to_string(s.ids.electronics)) == 10);  // via Phones
    CHECK(count("?category=" + std::to_string(s.ids.food)) == 5);
    CHECK(count("?category=999") == 15);  // unknown: ignored
    CHECK(count("?category=abc") == 15);  // non-numeric: ignored
    CHECK(count("?min_price=abc&max_price=") == 15);
    CHECK(count("?min_price=3000&max_price=5000") == 3);
    CHECK(count("?in_stock=false") == 1);
    CHECK(count("?in_stock=true") == 14);
    CHECK(count("?in_stock=maybe") == 15);
    CHECK(count("?search=PHONE") == 10);
    CHECK(count("?search=phone%201") == 1);  // "Phone 1" and "1" (ANDed): Phone 1 only
    CHECK(count("?search=flagship") == 1);   // description
    CHECK(count("?search=food") == 5);       // category name
    CHECK(count("?search=%25") == 0);        // a literal '%'
    CHECK(count("?seller=" + std::to_string(s.ids.seller)) == 10);
    CHECK(count("?ordering=;DROP") == 15);
    auto low = http(*s.c, "GET", "/api/products/?ordering=stock&page_size=3");
    REQUIRE(low.status == 200);
    CHECK(low.body["results"][0]["stock_status"] == "품절");
    CHECK(low.body["results"][1]["stock_status"] == "재고 부족");
    CHECK(low.body["results"][2]["stock_status"] == "재고 충분");
  }

  TEST_CASE("product detail and category endpoints") {
    CatalogServer s;
    auto d = http(*s.c, "GET", "/api/products/1/");
    REQUIRE(d.status == 200);
    CHECK(d.body["name"] == "Phone 0");
    CHECK(d.body["description"] == "the flagship");
    CHECK(d.body["price"] == "1000");
    CHECK(d.body["stock"] == 0);
    CHECK(d.body["stock_quantity"] == 0);
    CHECK(d.body["is_in_stock"] == false);
    CHECK(d.body["category_id"] == s.ids.phones);
    CHECK(d.body["category_name"] == "Phones");
    CHECK(d.body["category_parent_name"] == "Electronics");
    CHECK(d.body["seller_username"] == "seller1");
    CHECK(d.body["seller_level"] == "bronze");
    CHECK(d.body["seller_product_count"] == 10);
    CHECK(d.body["images"].is_array());
    CHECK(d.body["recent_reviews"].is_array());
    CHECK(d.body["updated_at"].is_string());
    auto missing = http(*s.c, "GET", "/api/products/999/");
    CHECK(missing.status == 404);
    CHECK(missing.body["detail"].is_string());

    auto cats = http(*s.c, "GET", "/api/categories/");
    REQUIRE(cats.status == 200);
    CHECK(cats.body["count"] == 3);
    CHECK(cats.body["next"].is_null());
    const json& first = cats.body["results"][0];  // by name: Electronics
    CHECK(first["name"] == "Electronics");
    CHECK(first["parent"].is_null());
    CHECK(first["children_count"] == 1);
    CHECK(first["product_count"] == 0);
    auto phones = http(*s.c, "GET", "/api/categories/" + std::to_string(s.ids.phones) + "/");
    REQUIRE(phones.status == 200);
    CHECK(phones.body["full_path"] == "Electronics > Phones");
    CHECK(phones.body["parent_id"] == s.ids.electronics);
    CHECK(phones.body["parent_name"] == "Electronics");
    CHECK(phones.body["product_count"] == 10);
    CHECK(http(*s.c, "GET", "/api/categories/999/").status == 404);
    CHECK(http(*s.c, "GET", "/api/categories/?page=2").status == 404);

    auto tree = http(*s.c, "GET", "/api/categories/tree/");
    REQUIRE(tree.status == 200);
    REQUIRE(tree.body.is_array());
    REQUIRE(tree.body.size() == 2);
    CHECK(tree.body[0]["name"] == "Electronics");
    CHECK(tree.body[0]["children"][0]["name"] == "Phones");
    CHECK(tree.body[0]["children"][0]["product_count"] == 10);
    CHECK(tree.body[1]["children"].empty());

    auto products =
        http(*s.c, "GET", "/api/categories/" + std::to_string(s.ids.electronics) + "/products/");
    REQUIRE(products.status == 200);
    CHECK(products.body["count"] == 10);
    CHECK(products.body["results"].size() == 10);
    CHECK(http(*s.c, "GET", "/api/categories/999/products/").status == 404);
  }

  TEST_CASE("sellers create products; others get 403; bad bodies get field errors") {
    CatalogServer s;
    const std::string seller = s.token("seller1");
    const std::string buyer = s.token("buyer1");
    json body = {{"name", "New Phone"},
                 {"category", s.ids.phones},
                 {"description", "shiny"},
                 {"price", "25000"},
                 {"stock", 7},
                 {"sku", "NP-1"},
                 {"tags", "new, phone, new"}};
    CHECK(http(*s.c, "POST", "/api/products/", body).status == 401);
    auto forbidden = http(*s.c, "POST", "/api/products/", body, buyer);
    CHECK(forbidden.status == 403);
    CHECK(forbidden.body["detail"].is_string());
    auto created = http(*s.c, "POST", "/api/products/", body, seller);
    REQUIRE(created.status == 201);
    CHECK(created.body["price"] == "25000");
    CHECK(created.body["slug"] == "new-phone");
    CHECK(created.body["seller"] == s.ids.seller);
    CHECK(created.body["seller_username"] == "seller1");
    CHECK(created.body["tags"] == "new,phone");
    CHECK(created.body["sold_count"] == 0);
    const auto id = created.body["id"].get<std::int64_t>();
    auto dup = http(*s.c, "POST", "/api/products/", body, seller);
    CHECK(dup.status == 400);
    CHECK(dup.body["sku"].is_array());

    auto empty = http(*s.c, "POST", "/api/products/", json::object(), seller);
    CHECK(empty.status == 400);
    for (const char* f : {"name", "category", "description", "price", "sku"}) {
      CHECK(empty.body[f].is_array());
    }
    json bad = body;
    bad["sku"] = "NP-2";
    bad["price"] = "12.5";
    bad["stock"] = json::parse("99999999999999999999");
    bad["category"] = "phones";
    auto typed = http(*s.c, "POST", "/api/products/", bad, seller);
    CHECK(typed.status == 400);
    for (const char* f : {"price", "stock", "category"}) CHECK(typed.body[f].is_array());
    bad = body;
    bad["sku"] = "NP-3";
    bad["price"] = 1e30;
    CHECK(http(*s.c, "POST", "/api/products/", bad, seller).body["price"].is_array());
    bad["price"] = -5;
    CHECK(http(*s.c, "POST", "/api/products/", bad, seller).body["price"].is_array());
    bad["price"] = 100;
    bad["category"] = 999;
    CHECK(http(*s.c, "POST", "/api/products/", bad, seller).body["category"].is_array());
    bad["category"] = s.ids.food;
    bad["name"] = std::string(201, 'n');
    CHECK(http(*s.c, "POST", "/api/products/", bad, seller).body["name"].is_array());

    const std::string path = "/api/products/" + std::to_string(id) + "/";
    auto patched = http(*s.c, "PATCH", path, {{"price", 30000}, {"name", "Renamed"}}, seller);
    REQUIRE(patched.status == 200);
    CHECK(patched.body["price"] == "30000");
    CHECK(patched.body["slug"] == "renamed");
    CHECK(http(*s.c, "PATCH", path, {{"price", 1}}, buyer).status == 403);
    CHECK(http(*s.c, "PUT", path, {{"price", 1}}, seller).status == 400);
    CHECK(http(*s.c, "DELETE", path, nullptr, buyer).status == 403);
    CHECK(http(*s.c, "DELETE", path, nullptr, seller).status == 204);
    CHECK(http(*s.c, "GET", path).status == 404);
  }
}
