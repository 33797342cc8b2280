// cart_ops.h — cart primitives that run inside a store transaction (private to the engine).
// Shared by the cart module and the order module (intake empties a cart; a failed order puts its
// lines back).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shop/cart.h"
#include "store/store.h"

namespace shop::cart_ops {

// The columns of a ProductBrief, for "SELECT <kProductColumns> FROM <kProductJoin> ...".
// read_product(stmt, first) reads them starting at column `first`.
extern const char* const kProductColumns;
extern const char* const kProductJoin;
constexpr int kProductColumnCount = 9;
ProductBrief read_product(SQLite::Statement& q, int first);

// The product as a cart shows it, or nullopt when there is no such product.
std::optional<ProductBrief> load_product(store::Db& db, std::int64_t product_id);

// The owner's active cart id, if any.
std::optional<std::int64_t> find_active_cart(store::Db& db, const CartOwner& owner);
// The owner's active cart id, created if there is none (write transaction only).
std::int64_t ensure_active_cart(store::Db& db, const CartOwner& owner, Micros now);

// Lines of a cart, newest first.
std::vector<CartItem> load_items(store::Db& db, std::int64_t cart_id);
// One line of the owner's active cart; nullopt when it is not there (another cart's line too).
std::optional<CartItem> load_owned_item(store::Db& db, const CartOwner& owner,
                                        std::int64_t item_id);

// Puts lines back into the user's active cart (created if needed), adding to existing lines and
// capping each line at Carts::kMaxQuantity. Not capped by stock: the user should see what they
// wanted (the cart marks such lines unavailable). Used when an order fails.
void put_back_lines(store::Db& db, std::int64_t user_id, const std::vector<CartLine>& lines,
                    Micros now);

}  // namespace shop::cart_ops
