// Engine tests for shop::Catalog: categories, product creation rules, listing filters, search,
// ordering, paging, seller writes and stock adjustments.
#include "shop/catalog.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "catalog/catalog_db.h"
#include "engine_context.h"
#include "shop/auth.h"
#include "store/store.h"
#include "support/test_support.h"

using shop::ErrorCode;
using shop::NewCategory;
using shop::NewProduct;
using shop::ProductQuery;
using shop::Result;
using shop::store::Db;

namespace {

std::int64_t category(shoptest::TestEngine& te, const std::string& name,
                      std::optional<std::int64_t> parent = std::nullopt, bool active = true) {
  NewCategory c;
  c.name = name;
  c.parent_id = parent;
  c.is_active = active;
  auto id = te->catalog().create_category(c);
  REQUIRE_MESSAGE(id.is_ok(), (id.is_ok() ? "" : id.error().message));
  return *id;
}

std::int64_t product(shoptest::TestEngine& te, const std::string& name, std::int64_t cat,
                     std::int64_t price, std::int64_t stock,
                     std::optional<std::int64_t> seller = std::nullopt,
                     const std::string& description = "") {
  NewProduct p;
  p.name = name;
  p.category_id = cat;
  p.price = price;
  p.stock = stock;
  p.seller_id = seller;
  p.description = description;
  auto id = te->catalog().create_product(p);
  REQUIRE_MESSAGE(id.is_ok(), (id.is_ok() ? "" : id.error().message));
  return *id;
}

std::vector<std::string> names(const shop::CatalogPage<shop::ProductSummary>& page) {
  std::vector<std::string> out;
  for (const auto& p : page.results) out.push_back(p.name);
  return out;
}

std::vector<std::string> list(shoptest::TestEngine& te, ProductQuery q) {
  q.page_size = 100;
  auto r = te->catalog().list_products(q);
  REQUIRE_MESSAGE(r.is_ok(), (r.is_ok() ? "" : r.error().message));
  auto n = names(*r);
  return n;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::int64_t scalar(shoptest::TestEngine& te, const std::string& sql) {
  auto r = te->context().store->read(
      [&](Db& db) -> Result<std::int64_t> { return db.scalar_int(sql, -1); });
  REQUIRE(r.is_ok());
  return *r;
}

std::int64_t seller(shoptest::TestEngine& te, const std::string& name, bool is_seller = true) {
  shop::NewUser u;
  u.username = name;
  u.email = name + "@example.com";
  u.password = "Sh0pping!Mall";
  u.is_seller = is_seller;
  auto id = te->auth().create_user(u);
  REQUIRE(id.is_ok());
  return *id;
}

// A small catalogue: Electronics > (Phones > Android, Laptops); Food.
struct Shop {
  std::int64_t electronics, phones, android, laptops, food;
  explicit Shop(shoptest::TestEngine& te) {
    electronics = category(te, "Electronics");
    phones = category(te, "Phones", electronics);
    android = category(te, "Android", phones);
    laptops = category(te, "Laptops", electronics);
    food = category(te, "Food");
  }
};

}  // namespace

TEST_SUITE("catalog") {
  TEST_CASE("slugify follows Django's unicode slugify") {
    using shop::catalog::slugify;
    CHECK(slugify("Hello World") == "hello-world");
    CHECK(slugify("  Hello,  World! -- 2024 ") == "hello-world-2024");
    CHECK(slugify("무선 이어폰 Pro") == "무선-이어폰-pro");
    CHECK(slugify("_-a_b-_") == "a_b");
    CHECK(slugify("!!!") == "");
    CHECK(shop::catalog::normalize_tags(" a, b ,a,, c ") == "a,b,c");
  }

  TEST_CASE("categories: slugs, tree by name, descendants, full path, paging, inactive hidden") {
    shoptest::TestEngine te;
    Shop s(te);
    const auto hidden = category(te, "Hidden", std::nullopt, false);
    const auto dup = category(te, "Phones", s.food);  // same name: slug gets -1
    auto c = te->catalog().get_category(dup);
    REQUIRE(c.is_ok());
    CHECK(c->slug == "phones-1");
    CHECK(c->full_path == "Food > Phones");
    CHECK(c->parent_name == "Food");

    auto android = te->catalog().get_category(s.android);
    REQUIRE(android.is_ok());
    CHECK(android->full_path == "Electronics > Phones > Android");
    CHECK(te->catalog().get_category(hidden).error().code == ErrorCode::kNotFound);
    CHECK(te->catalog().get_category(424242).error().code == ErrorCode::kNotFound);

    auto d = te->catalog().descendants(s.electronics);
    REQUIRE(d.is_ok());
    CHECK(*d == std::vector<std::int64_t>{s.electronics, s.phones, s.android, s.laptops});
    CHECK(te->catalog().descendants(424242).error().code == ErrorCode::kNotFound);

    auto tree = te->catalog().category_tree();
    REQUIRE(tree.is_ok());
    REQUIRE(tree->size() == 2);  // Electronics, Food (Hidden is inactive)
    CHECK((*tree)[0].name == "Electronics");
    REQUIRE((*tree)[0].children.size() == 2);
    CHECK((*tree)[0].children[0].name == "Laptops");  // by name
    CHECK((*tree)[0].children[1].children.at(0).name == "Android");
    CHECK((*tree)[1].children.at(0).slug == "phones-1");

    NewCategory bad;
    bad.name = "Orphan";
    bad.parent_id = 999;
    CHECK(te->catalog().create_category(bad).error().field == "parent");
    bad.parent_id.reset();
    bad.slug = "has space";
    CHECK(te->catalog().create_category(bad).error().field == "slug");
    bad.slug = "electronics";
    CHECK(te->catalog().create_category(bad).error().field == "slug");

    for (int i = 0; i < 8; ++i) category(te, "Extra " + std::to_string(i));
    auto page1 = te->catalog().list_categories(1);
    REQUIRE(page1.is_ok());
    CHECK(page1->count == 14);  // 6 active above + 8 extras
    CHECK(page1->results.size() == 10);
    CHECK(page1->has_next());
    auto page2 = te->catalog().list_categories(2);
    REQUIRE(page2.is_ok());
    CHECK(page2->results.size() == 4);
    CHECK_FALSE(page2->has_next());
    CHECK(te->catalog().list_categories(3).error().code == ErrorCode::kNotFound);
  }

  TEST_CASE("create_product: slug collisions, validation, sku, initial stock") {
    shoptest::TestEngine te;
    Shop s(te);
    const auto a = product(te, "Galaxy Phone", s.phones, 1000, 5);
    const auto b = product(te, "Galaxy Phone", s.phones, 1000, 5);
    const auto c = product(te, "Galaxy Phone!", s.phones, 1000, 5);
    CHECK(te->catalog().get_product(a)->slug == "galaxy-phone");
    CHECK(te->catalog().get_product(b)->slug == "galaxy-phone-1");
    CHECK(te->catalog().get_product(c)->slug == "galaxy-phone-2");
    CHECK(scalar(te, "SELECT initial_stock FROM products WHERE id = " + std::to_string(a)) == 5);
    CHECK(te->catalog().get_product(a)->sku.rfind("SKU-", 0) == 0);  // generated

    NewProduct p;
    p.name = "Thing";
    p.category_id = s.food;
    p.sku = "SKU-1";
    REQUIRE(te->catalog().create_product(p).is_ok());
    auto field = [&](NewProduct q) {
      auto r = te->catalog().create_product(q);
      return r.is_ok() ? std::string("ok") : r.error().field;
    };
    CHECK(field(p) == "sku");  // duplicate SKU
    p.sku.clear();
    NewProduct q = p;
    q.price = -1;
    CHECK(field(q) == "price");
    q = p;
    q.price = shop::kMaxPrice + 1;
    CHECK(field(q) == "price");
    q = p;
    q.stock = -3;
    CHECK(field(q) == "stock");
    q = p;
    q.price = 100;
    q.compare_price = 100;
    CHECK(field(q) == "compare_price");
    q.compare_price = 150;
    CHECK(field(q) == "ok");
    q = p;
    q.category_id = 999;
    CHECK(field(q) == "category");
    q = p;
    q.name = "   ";
    CHECK(field(q) == "name");
    q = p;
    q.name = std::string(201, 'x');
    CHECK(field(q) == "name");
    q = p;
    q.seller_id = 12345;
    CHECK(field(q) == "seller");
    q = p;
    q.tags = "red, blue,red";
    q.name = "Tagged";
    auto id = te->catalog().create_product(q);
    REQUIRE(id.is_ok());
    CHECK(te->catalog().get_product(*id)->tags == "red,blue");
  }

  TEST_CASE("listing: search, category with descendants, prices, stock, seller, ordering") {
    shoptest::TestEngine te;
    Shop s(te);
    const auto sam = seller(te, "samsung_shop");
    product(te, "Galaxy S24", s.android, 1200000, 0, sam, "Android flagship");
    product(te, "Pixel 9", s.android, 990000, 3, std::nullopt, "Google phone");
    product(te, "iPhone 16", s.phones, 1500000, 50, std::nullopt, "iOS");
    product(te, "Galaxy Book", s.laptops, 1800000, 12, sam, "Samsung laptop");
    product(te, "Kimchi 100%", s.food, 15000, 200, std::nullopt, "Fermented_cabbage");
    product(te, "Rice", s.food, 30000, 0, std::nullopt, "");

    // Category includes descendants; an unknown id is ignored.
    ProductQuery q;
    q.category_id = s.electronics;
    CHECK(sorted(list(te, q)) == sorted({"Galaxy S24", "Pixel 9", "iPhone 16", "Galaxy Book"}));
    q.category_id = s.phones;
    CHECK(sorted(list(te, q)) == sorted({"Galaxy S24", "Pixel 9", "iPhone 16"}));
    q.category_id = 9999;
    CHECK(list(te, q).size() == 6);

    // Search: case-insensitive substring over name, description and category name; ANDed terms.
    q = {};
    q.search = "galaxy";
    CHECK(sorted(list(te, q)) == sorted({"Galaxy S24", "Galaxy Book"}));
    q.search = "GALAXY laptop";
    CHECK(list(te, q) == std::vector<std::string>{"Galaxy Book"});
    q.search = "android";  // category name and description
    CHECK(sorted(list(te, q)) == sorted({"Galaxy S24", "Pixel 9"}));
    q.search = "food";  // category name only
    CHECK(list(te, q).size() == 2);
    q.search = "100%";  // wildcards are literal
    CHECK(list(te, q) == std::vector<std::string>{"Kimchi 100%"});
    q.search = "%";
    CHECK(list(te, q) == std::vector<std::string>{"Kimchi 100%"});
    q.search = "t_d";  // '_' is not a wildcard ("ted" would match)
    CHECK(list(te, q).empty());
    q.search = "ed_c";
    CHECK(list(te, q) == std::vector<std::string>{"Kimchi 100%"});
    q.search = "   ";
    CHECK(list(te, q).size() == 6);

    // Prices (inclusive), stock, seller.
    q = {};
    q.min_price = 990000;
    q.max_price = 1500000;
    CHECK(sorted(list(te, q)) == sorted({"Galaxy S24", "Pixel 9", "iPhone 16"}));
    q = {};
    q.in_stock = false;
    CHECK(sorted(list(te, q)) == sorted({"Galaxy S24", "Rice"}));
    q.in_stock = true;
    CHECK(list(te, q).size() == 4);
    q = {};
    q.seller_id = sam;
    CHECK(sorted(list(te, q)) == sorted({"Galaxy S24", "Galaxy Book"}));

    // Ordering; the default is newest first (ties by id), unknown fields are ignored.
    q = {};
    CHECK(list(te, q).front() == "Rice");
    q.ordering = "price";
    CHECK(list(te, q) == std::vector<std::string>{"Kimchi 100%", "Rice", "Pixel 9", "Galaxy S24",
                                                  "iPhone 16", "Galaxy Book"});
    q.ordering = "-price";
    CHECK(list(te, q).front() == "Galaxy Book");
    q.ordering = "name";
    CHECK(list(te, q).front() == "Galaxy Book");
    q.ordering = "-stock,name";
    CHECK(list(te, q) == std::vector<std::string>{"Kimchi 100%", "iPhone 16", "Galaxy Book",
                                                  "Pixel 9", "Galaxy S24", "Rice"});
    q.ordering = "bogus; DROP TABLE products";
    CHECK(list(te, q).front() == "Rice");
    q.ordering = "-created_at";
    CHECK(list(te, q).front() == "Rice");

    auto detail = te->catalog().get_product(1);
    REQUIRE(detail.is_ok());
    CHECK(detail->category_name == "Android");
    CHECK(detail->category_parent_name == "Phones");
    CHECK(detail->seller_username == "samsung_shop");
    CHECK(detail->seller_level == "bronze");
    CHECK(detail->seller_product_count == 2);
    CHECK_FALSE(detail->is_in_stock());
    CHECK(te->catalog().get_product(999).error().code == ErrorCode::kNotFound);
  }

  TEST_CASE("paging: default 12, max 100, last page, out of range is not found") {
    shoptest::TestEngine te;
    Shop s(te);
    for (int i = 0; i < 30; ++i) product(te, "P" + std::to_string(i), s.food, 100 + i, 1);
    ProductQuery q;
    auto p1 = te->catalog().list_products(q);
    REQUIRE(p1.is_ok());
    CHECK(p1->count == 30);
    CHECK(p1->page_size == 12);
    CHECK(p1->results.size() == 12);
    CHECK(p1->has_next());
    CHECK_FALSE(p1->has_previous());
    q.page = 3;
    auto p3 = te->catalog().list_products(q);
    REQUIRE(p3.is_ok());
    CHECK(p3->results.size() == 6);
    CHECK_FALSE(p3->has_next());
    CHECK(p3->has_previous());
    q.page = 4;
    auto past = te->catalog().list_products(q);
    REQUIRE_FALSE(past.is_ok());
    CHECK(past.error().code == ErrorCode::kNotFound);
    CHECK(past.error().message == "Invalid page.");
    q.page = 0;
    CHECK(te->catalog().list_products(q).error().code == ErrorCode::kNotFound);
    q.page = shop::kLastPage;
    CHECK(te->catalog().list_products(q)->page == 3);
    q.page = 1;
    q.page_size = 1000;
    CHECK(te->catalog().list_products(q)->page_size == 100);
    q.page_size = -5;
    CHECK(te->catalog().list_products(q)->page_size == 12);
    // Pages do not overlap and cover everything.
    std::set<std::int64_t> seen;
    for (std::int64_t page = 1; page <= 3; ++page) {
      ProductQuery pq;
      pq.page = page;
      auto got = te->catalog().list_products(pq);
      REQUIRE(got.is_ok());
      for (const auto& p : got->results) seen.insert(p.id);
    }
    CHECK(seen.size() == 30);
    // An empty result still has page 1.
    q = {};
    q.search = "no such thing";
    auto empty = te->catalog().list_products(q);
    REQUIRE(empty.is_ok());
    CHECK(empty->count == 0);
    CHECK(te->catalog().category_products(s.food, 1, 5)->results.size() == 5);
    CHECK(te->catalog().category_products(4242, 1, std::nullopt).error().code ==
          ErrorCode::kNotFound);
  }

  TEST_CASE("inactive products are hidden from listing and detail") {
    shoptest::TestEngine te;
    Shop s(te);
    NewProduct p;
    p.name = "Ghost";
    p.category_id = s.food;
    p.is_active = false;
    auto id = te->catalog().create_product(p);
    REQUIRE(id.is_ok());
    CHECK(te->catalog().get_product(*id).error().code == ErrorCode::kNotFound);
    CHECK(te->catalog().list_products({})->count == 0);
  }

  TEST_CASE("restock moves stock and restocked together and never below zero") {
    shoptest::TestEngine te;
    Shop s(te);
    const auto id = product(te, "Widget", s.food, 500, 5);
    auto r = te->catalog().restock(id, 10);
    REQUIRE(r.is_ok());
    CHECK(*r == 15);
    r = te->catalog().restock(id, -15);
    REQUIRE(r.is_ok());
    CHECK(*r == 0);
    auto below = te->catalog().restock(id, -1);
    REQUIRE_FALSE(below.is_ok());
    CHECK(below.error().code == ErrorCode::kInvalidArgument);
    CHECK(te->catalog().restock(id, shop::kMaxStock + 1).error().code ==
          ErrorCode::kInvalidArgument);
    CHECK(te->catalog().restock(777, 1).error().code == ErrorCode::kNotFound);
    const auto sid = std::to_string(id);
    CHECK(scalar(te, "SELECT stock FROM products WHERE id = " + sid) == 0);
    CHECK(scalar(te, "SELECT restocked FROM products WHERE id = " + sid) == -5);
    CHECK(scalar(te, "SELECT initial_stock + restocked - stock FROM products WHERE id = " + sid) ==
          0);
    CHECK(std::string(shop::stock_status_label(0)) == "품절");
    CHECK(std::string(shop::stock_status_label(9)) == "재고 부족");
    CHECK(std::string(shop::stock_status_label(10)) == "재고 충분");
  }

  TEST_CASE("seller writes: only sellers create, only owners edit; stock edits are adjustments") {
    shoptest::TestEngine te;
    Shop s(te);
    const auto owner = seller(te, "owner");
    const auto other = seller(te, "other");
    const auto buyer = seller(te, "buyer", false);
    NewProduct p;
    p.name = "Seller Thing";
    p.category_id = s.food;
    p.price = 1000;
    p.stock = 3;
    p.sku = "OWN-1";
    CHECK(te->catalog().create_product_as_seller(buyer, p).error().code ==
          ErrorCode::kPermissionDenied);
    auto created = te->catalog().create_product_as_seller(owner, p);
    REQUIRE(created.is_ok());
    CHECK(created->seller_id == owner);
    const auto id = created->id;

    shop::ProductUpdate u;
    u.price = 2000;
    CHECK(te->catalog().update_product(other, id, u, true).error().code ==
          ErrorCode::kPermissionDenied);
    CHECK(te->catalog().update_product(owner, id, u, false).error().code ==
          ErrorCode::kInvalidArgument);  // PUT needs every required field
    u.name = "Renamed Thing";
    u.stock = 10;
    auto updated = te->catalog().update_product(owner, id, u, true);
    REQUIRE(updated.is_ok());
    CHECK(updated->price == 2000);
    CHECK(updated->slug == "renamed-thing");  // regenerated on a name change
    CHECK(updated->stock == 10);
    CHECK(scalar(te, "SELECT restocked FROM products WHERE id = " + std::to_string(id)) == 7);
    u = {};
    u.compare_price = std::optional<std::int64_t>(1500);  // not above the price
    CHECK(te->catalog().update_product(owner, id, u, true).error().field == "compare_price");

    CHECK(te->catalog().delete_product(other, id).error().code == ErrorCode::kPermissionDenied);
    REQUIRE(te->catalog().delete_product(owner, id).is_ok());
    CHECK(te->catalog().get_product(id).error().code == ErrorCode::kNotFound);
    CHECK(te->catalog().delete_product(owner, id).error().code == ErrorCode::kNotFound);
  }
}
