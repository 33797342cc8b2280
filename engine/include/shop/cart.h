// shop/cart.h — user and anonymous-session carts.
//
// A cart belongs to a user (one active cart per user) or to an anonymous session key (one active
// cart per key). A cart has one line per product. Adding checks the product (exists, active, in
// stock) and the cumulative quantity (existing + added <= stock) but reserves nothing: stock is
// taken only when an order is processed.
//
// Errors carry a stable `reason` (PRODUCT_NOT_FOUND, INSUFFICIENT_STOCK, INVALID_QUANTITY,
// QUANTITY_EXCEEDED, CART_EMPTY, EMPTY_ITEMS) and, for checks on a single input value, the input
// `field` (product_id / quantity). The cumulative check (existing + added > stock) has no field:
// it is about the cart, not the value sent.
#pragma once

#include <cstddef>
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

// A product as cart lines and order items show it: the catalogue's list shape, no annotations.
struct ProductBrief {
  std::int64_t id = 0;
  std::string name;
  std::string slug;
  std::int64_t price = 0;
  std::int64_t stock = 0;
  std::string category_name;
  std::optional<std::string> seller_username;
  bool is_active = true;
  Micros created_at = 0;
};

// Whose cart: a user's, or else an anonymous session's.
struct CartOwner {
  std::optional<std::int64_t> user_id;
  std::string session_key;

  static CartOwner user(std::int64_t id) { return {id, {}}; }
  static CartOwner session(std::string key) { return {std::nullopt, std::move(key)}; }
};

struct CartItem {
  std::int64_t id = 0;
  std::int64_t cart_id = 0;
  ProductBrief product;
  std::int64_t quantity = 0;
  Micros added_at = 0;
  Micros updated_at = 0;

  std::int64_t subtotal() const { return product.price * quantity; }
  bool is_available() const { return product.is_active && product.stock >= quantity; }
};

enum class StockIssueKind { kDiscontinued, kSoldOut, kInsufficient };

// A line that cannot be ordered as it is.
struct StockIssue {
  std::int64_t item_id = 0;
  std::int64_t product_id = 0;
  std::string product_name;
  StockIssueKind kind = StockIssueKind::kInsufficient;
  std::int64_t requested = 0;
  std::int64_t available = 0;
};

struct Cart {
  std::optional<std::int64_t> id;  // nullopt: an anonymous visitor without a cart (none created)
  std::optional<std::int64_t> user_id;
  std::string user_username;  // "" for session carts
  bool is_active = true;
  Micros created_at = 0;
  Micros updated_at = 0;
  std::vector<CartItem> items;  // newest first (added_at desc)

  std::int64_t total_amount() const;
  std::int64_t total_quantity() const;
  std::int64_t item_count() const { return static_cast<std::int64_t>(items.size()); }
  std::vector<StockIssue> stock_issues() const;
};

struct CartLine {
  std::int64_t product_id = 0;
  std::int64_t quantity = 1;
};

struct BulkAddFailure {
  std::size_t index = 0;  // position in the request
  std::int64_t product_id = 0;
  Error error;
};

struct BulkAddResult {
  std::vector<CartItem> added;
  std::vector<BulkAddFailure> failures;  // non-empty: a partial success (HTTP 207)
};

class Carts {
 public:
  static constexpr std::int64_t kMaxQuantity = 999;  // per request and per line

  explicit Carts(detail::EngineContext& ctx);
  ~Carts();

  // Adds `quantity` of a product (1..999), creating the owner's active cart if needed; an existing
  // line for the product is increased. Returns the line as it is now.
  Result<CartItem> add_item(const CartOwner& owner, std::int64_t product_id, std::int64_t quantity);

  // The owner's lines, newest first; empty when there is no cart.
  Result<std::vector<CartItem>> items(const CartOwner& owner) const;

  // The owner's active cart with its lines. create: make the cart if there is none (otherwise an
  // absent cart comes back with id == nullopt and no lines).
  Result<Cart> get(const CartOwner& owner, bool create);

  // Sets a line's quantity (0..999; 0 deletes the line and returns nullopt). The new quantity must
  // not exceed the stock. Another cart's line, or an unknown one: not found.
  Result<std::optional<CartItem>> set_quantity(const CartOwner& owner, std::int64_t item_id,
                                               std::int64_t quantity);

  Status remove_item(const CartOwner& owner, std::int64_t item_id);

  // Deletes every line (the cart stays active). An empty or missing cart: CART_EMPTY.
  Status clear(const CartOwner& owner);

  // Adds each line as add_item does, in one transaction; a line that fails is reported and the
  // others are still added. No lines: EMPTY_ITEMS.
  Result<BulkAddResult> bulk_add(const CartOwner& owner, const std::vector<CartLine>& lines);

  // The lines that cannot be ordered as they are (discontinued, sold out, more than the stock).
  Result<std::vector<StockIssue>> check_stock(const CartOwner& owner) const;

  // Anonymous session keys: 32 random base64url characters. is_session_key() accepts what
  // new_session_key() makes (a cookie holding anything else is ignored, not trusted as a key).
  static std::string new_session_key();
  static bool is_session_key(const std::string& key);

  // On login: merges the anonymous session's active cart into the user's (quantities added, capped
  // by stock and 999; lines whose product is gone, inactive or sold out are dropped), then
  // deactivates the session cart. No session cart: nothing to do.
  Status merge_session_cart(const std::string& session_key, std::int64_t user_id);

 private:
  detail::EngineContext& ctx_;
};

}  // namespace shop
