// shop/catalog.h — categories and products: listing, search, detail, stock adjustments.
//
// Only active products and categories are visible through the read functions. Stock changes
// only through orders (the orders module) and explicit adjustments (restock(), or a seller
// editing `stock`), which also move `restocked`, so initial_stock + restocked - sold + returned ==
// stock can be verified.
//
// Reviews, wishlists and product images do not exist yet: products report average_rating 0.0,
// review_count 0, wishlist_count 0, is_wished false and no images.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shop/clock.h"
#include "shop/result.h"

namespace shop {
namespace detail {
struct EngineContext;
}

// Page numbers start at 1; kLastPage asks for the last page (DRF's page=last).
inline constexpr std::int64_t kLastPage = -1;
inline constexpr std::int64_t kDefaultProductPageSize = 12;
inline constexpr std::int64_t kMaxProductPageSize = 100;
inline constexpr std::int64_t kCategoryPageSize = 10;
inline constexpr std::int64_t kMaxPrice = 9'999'999'999;  // Decimal(10,0)
inline constexpr std::int64_t kMaxStock = 2'147'483'647;  // PositiveIntegerField

// A DRF page-number page. A page past the last one is an error (kNotFound "Invalid page."),
// except page 1 of an empty list.
template <typename T>
struct CatalogPage {
  std::int64_t count = 0;  // items in the whole list
  std::int64_t page = 1;
  std::int64_t page_size = 0;
  std::vector<T> results;
  bool has_next() const { return page * page_size < count; }
  bool has_previous() const { return page > 1; }
};

// "품절" (0), "재고 부족" (< 10), "재고 충분".
const char* stock_status_label(std::int64_t stock);

struct NewCategory {
  std::string name;                       // required, <= 100
  std::string slug;                       // "": from the name, -1, -2, ... on collision
  std::optional<std::int64_t> parent_id;  // must exist
  std::string description;
  bool is_active = true;
  std::string origin;  // test-data tag
};

struct Category {
  std::int64_t id = 0;
  std::string name, slug, description;
  std::optional<std::int64_t> parent_id;
  std::optional<std::string> parent_name;
  bool is_active = true;
  std::int64_t product_count = 0;   // active products directly in it
  std::int64_t children_count = 0;  // active child categories
  std::string full_path;            // "A > B > C"
  Micros created_at = 0, updated_at = 0;
};

struct CategoryNode {
  std::int64_t id = 0;
  std::string name, slug;
  std::int64_t product_count = 0;
  std::vector<CategoryNode> children;  // by name
};

struct NewProduct {
  std::string name;              // required, <= 200
  std::string slug;              // "": from the name, -1, -2, ... on collision
  std::int64_t category_id = 0;  // an active category
  std::string description;
  std::string short_description;              // <= 300
  std::int64_t price = 0;                     // 0..kMaxPrice
  std::optional<std::int64_t> compare_price;  // > price
  std::int64_t stock = 0;                     // 0..kMaxStock; also the initial stock
  bool is_available = true;
  std::string sku;    // unique, <= 50; "": generated
  std::string brand;  // <= 100
  std::string tags;   // comma list: trimmed, de-duplicated, order kept
  std::optional<std::int64_t> seller_id;
  bool is_active = true;
  std::string origin;  // test-data tag
};

// Fields a seller may change; unset members stay. partial=false (PUT) requires name, category_id,
// description, price and sku.
struct ProductUpdate {
  std::optional<std::string> name, slug;
  std::optional<std::int64_t> category_id;
  std::optional<std::string> description, short_description;
  std::optional<std::int64_t> price;
  std::optional<std::optional<std::int64_t>> compare_price;  // set nullopt to clear
  std::optional<std::int64_t> stock;  // the difference is recorded as an adjustment
  std::optional<bool> is_available;
  std::optional<std::string> sku, brand, tags;
  std::optional<bool> is_active;
};

// One row of a product listing.
struct ProductSummary {
  std::int64_t id = 0;
  std::string name, slug;
  std::int64_t price = 0;
  std::int64_t stock = 0;
  std::int64_t category_id = 0;
  std::string category_name;
  std::optional<std::int64_t> seller_id;
  std::optional<std::string> seller_username;
  bool is_active = true;
  Micros created_at = 0;
};

struct ProductDetail {
  std::int64_t id = 0;
  std::string name, slug, description, short_description;
  std::int64_t price = 0;
  std::optional<std::int64_t> compare_price;
  std::int64_t stock = 0;
  std::int64_t sold_count = 0;
  std::int64_t view_count = 0;
  bool is_available = true;
  bool is_active = true;
  std::string sku, brand, tags;
  std::int64_t category_id = 0;
  std::string category_name, category_slug;
  std::optional<std::string> category_parent_name;
  std::optional<std::int64_t> seller_id;
  std::optional<std::string> seller_username;
  std::optional<std::string> seller_level;  // the seller's membership_level
  std::int64_t seller_product_count = 0;    // the seller's active products
  Micros created_at = 0, updated_at = 0;
  bool is_in_stock() const { return stock > 0 && is_available; }
};

struct ProductQuery {
  std::int64_t page = 1;                  // or kLastPage
  std::optional<std::int64_t> page_size;  // absent or <= 0: 12; above 100: 100
  std::string search;  // case-insensitive substring of name, description or category name;
                       // whitespace-separated terms are ANDed
  std::optional<std::int64_t> category_id;  // with all descendants; an unknown id is ignored
  std::optional<std::int64_t> min_price, max_price;  // inclusive
  std::optional<bool> in_stock;                      // true: stock > 0; false: stock = 0
  std::optional<std::int64_t> seller_id;
  std::string ordering;  // comma list of [-]price|created_at|stock|name; unknown ones ignored;
                         // default -created_at
};

class Catalog {
 public:
  explicit Catalog(detail::EngineContext& ctx);
  ~Catalog();

  // --- categories ---
  Result<std::int64_t> create_category(const NewCategory& category);
  // Active categories by name, kCategoryPageSize per page.
  Result<CatalogPage<Category>> list_categories(std::int64_t page) const;
  Result<Category> get_category(std::int64_t id) const;  // active only
  // Active root categories with their active descendants, each level by name.
  Result<std::vector<CategoryNode>> category_tree() const;
  // The category and all its descendants (ids). kNotFound for an unknown id.
  Result<std::vector<std::int64_t>> descendants(std::int64_t category_id) const;

  // --- products ---
  Result<CatalogPage<ProductSummary>> list_products(const ProductQuery& query) const;
  // Active products of an active category and its descendants, newest first; kNotFound when the
  // category is unknown or inactive.
  Result<CatalogPage<ProductSummary>> category_products(
      std::int64_t category_id, std::int64_t page, std::optional<std::int64_t> page_size) const;
  Result<ProductDetail> get_product(std::int64_t id) const;  // active only, else kNotFound

  // Creates a product without permission checks (test data, operators). Returns its id.
  Result<std::int64_t> create_product(const NewProduct& product);
  // POST /api/products/: the caller must be a seller (kPermissionDenied); product.seller_id is
  // set to the caller.
  Result<ProductDetail> create_product_as_seller(std::int64_t user_id, NewProduct product);
  // The caller must be a seller and own the (active) product.
  Result<ProductDetail> update_product(std::int64_t user_id, std::int64_t product_id,
                                       const ProductUpdate& update, bool partial);
  // DELETE: deactivates the product (orders keep referring to it); owner sellers only.
  Status delete_product(std::int64_t user_id, std::int64_t product_id);

  // Admin stock adjustment: stock and restocked move by delta together; never below 0.
  // Returns the new stock. kNotFound for an unknown product, kInvalidArgument below 0 / too big.
  Result<std::int64_t> restock(std::int64_t product_id, std::int64_t delta);

 private:
  detail::EngineContext& ctx_;
};

}  // namespace shop
