// cart.cpp — carts: lines, quantities, stock checks, session-cart merge.
//
// Every mutation runs in one Store::write transaction (serialized in-process), so "check stock,
// then write the line" cannot race another add: no row locks are needed and no lock order exists
// to invert (the reference's D8). Reads run on the read pool.
#include "shop/cart.h"

#include <algorithm>

#include "auth/crypto.h"
#include "cart/cart_ops.h"
#include "engine_context.h"

namespace shop {

namespace cart_ops {

const char* const kProductColumns =
    "p.id, p.name, p.slug, p.price, p.stock, p.is_active, p.created_at, c.name, u.username";
const char* const kProductJoin =
    "products p JOIN categories c ON c.id = p.category_id LEFT JOIN users u ON u.id = p.seller_id";

ProductBrief read_product(SQLite::Statement& q, int first) {
  ProductBrief p;
  p.id = q.getColumn(first).getInt64();
  p.name = q.getColumn(first + 1).getString();
  p.slug = q.getColumn(first + 2).getString();
  p.price = q.getColumn(first + 3).getInt64();
  p.stock = q.getColumn(first + 4).getInt64();
  p.is_active = q.getColumn(first + 5).getInt() != 0;
  p.created_at = q.getColumn(first + 6).getInt64();
  p.category_name = q.getColumn(first + 7).getString();
  if (!q.getColumn(first + 8).isNull()) p.seller_username = q.getColumn(first + 8).getString();
  return p;
}

std::optional<ProductBrief> load_product(store::Db& db, std::int64_t product_id) {
  auto& q = db.stmt(std::string("SELECT ") + kProductColumns + " FROM " + kProductJoin +
                    " WHERE p.id = ?");
  q.bind(1, product_id);
  if (!q.executeStep()) return std::nullopt;
  return read_product(q, 0);
}

std::optional<std::int64_t> find_active_cart(store::Db& db, const CartOwner& owner) {
  if (owner.user_id) {
    auto& q = db.stmt("SELECT id FROM carts WHERE user_id = ? AND is_active = 1");
    q.bind(1, *owner.user_id);
    if (q.executeStep()) return q.getColumn(0).getInt64();
    return std::nullopt;
  }
  if (owner.session_key.empty()) return std::nullopt;
  auto& q =
      db.stmt("SELECT id FROM carts WHERE session_key = ? AND is_active = 1 AND user_id IS NULL");
  q.bind(1, owner.session_key);
  if (q.executeStep()) return q.getColumn(0).getInt64();
  return std::nullopt;
}

std::int64_t ensure_active_cart(store::Db& db, const CartOwner& owner, Micros now) {
  if (auto id = find_active_cart(db, owner)) return *id;
  auto& ins = db.stmt(
      "INSERT INTO carts(user_id, session_key, is_active, created_at, updated_at) "
      "VALUES (?, ?, 1, ?, ?)");
  if (owner.user_id) {
    ins.bind(1, *owner.user_id);
    ins.bind(2);  // NULL
  } else {
    ins.bind(1);
    ins.bind(2, owner.session_key);
  }
  ins.bind(3, now);
  ins.bind(4, now);
  ins.exec();
  return db.last_insert_id();
}

namespace {
// Lines with their product (kProductJoin with the ON clause for cart_items after "products p").
const std::string& item_from() {
  static const std::string sql =
      std::string("SELECT ci.id, ci.cart_id, ci.quantity, ci.added_at, ci.updated_at, ") +
      kProductColumns +
      " FROM cart_items ci JOIN products p ON p.id = ci.product_id"
      " JOIN categories c ON c.id = p.category_id LEFT JOIN users u ON u.id = p.seller_id ";
  return sql;
}

CartItem read_item(SQLite::Statement& q) {
  CartItem it;
  it.id = q.getColumn(0).getInt64();
  it.cart_id = q.getColumn(1).getInt64();
  it.quantity = q.getColumn(2).getInt64();
  it.added_at = q.getColumn(3).getInt64();
  it.updated_at = q.getColumn(4).getInt64();
  it.product = read_product(q, 5);
  return it;
}
}  // namespace

std::vector<CartItem> load_items(store::Db& db, std::int64_t cart_id) {
  auto& q = db.stmt(item_from() + "WHERE ci.cart_id = ? ORDER BY ci.added_at DESC, ci.id DESC");
  q.bind(1, cart_id);
  std::vector<CartItem> out;
  while (q.executeStep()) out.push_back(read_item(q));
  return out;
}

std::optional<CartItem> load_owned_item(store::Db& db, const CartOwner& owner,
                                        std::int64_t item_id) {
  auto cart = find_active_cart(db, owner);
  if (!cart) return std::nullopt;
  auto& q = db.stmt(item_from() + "WHERE ci.id = ? AND ci.cart_id = ?");
  q.bind(1, item_id);
  q.bind(2, *cart);
  if (!q.executeStep()) return std::nullopt;
  return read_item(q);
}

void put_back_lines(store::Db& db, std::int64_t user_id, const std::vector<CartLine>& lines,
                    Micros now) {
  if (lines.empty()) return;
  const std::int64_t cart = ensure_active_cart(db, CartOwner::user(user_id), now);
  auto& upsert = db.stmt(
      "INSERT INTO cart_items(cart_id, product_id, quantity, added_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT(cart_id, product_id) DO UPDATE SET "
      "quantity = MIN(quantity + excluded.quantity, ?), updated_at = excluded.updated_at");
  for (const auto& line : lines) {
    upsert.reset();
    upsert.clearBindings();
    upsert.bind(1, cart);
    upsert.bind(2, line.product_id);
    upsert.bind(3, std::min(line.quantity, Carts::kMaxQuantity));
    upsert.bind(4, now);
    upsert.bind(5, now);
    upsert.bind(6, Carts::kMaxQuantity);
    upsert.exec();
  }
  auto& touch = db.stmt("UPDATE carts SET updated_at = ? WHERE id = ?");
  touch.bind(1, now);
  touch.bind(2, cart);
  touch.exec();
}

}  // namespace cart_ops

namespace {

using cart_ops::find_active_cart;

Status require_owner(const CartOwner& owner) {
  if (!owner.user_id && owner.session_key.empty()) {
    return Error::invalid("A cart needs a user or a session.", "", "NO_CART_OWNER");
  }
  return Status::ok();
}

void touch_cart(store::Db& db, std::int64_t cart_id, Micros now) {
  auto& q = db.stmt("UPDATE carts SET updated_at = ? WHERE id = ?");
  q.bind(1, now);
  q.bind(2, cart_id);
  q.exec();
}

// The checks on the values sent (DRF serializer level): field errors.
Result<ProductBrief> check_new_line(store::Db& db, std::int64_t product_id, std::int64_t quantity) {
  if (quantity < 1) {
    return Error::invalid("수량은 1개 이상이어야 합니다.", "quantity", "INVALID_QUANTITY");
  }
  if (quantity > Carts::kMaxQuantity) {
    return Error::invalid("수량은 999개를 초과할 수 없습니다.", "quantity", "QUANTITY_EXCEEDED");
  }
  auto product = cart_ops::load_product(db, product_id);
  if (!product || !product->is_active) {
    return Error::invalid("상품을 찾을 수 없거나 판매 중이 아닙니다.", "product_id",
                          "PRODUCT_NOT_FOUND");
  }
  if (product->stock <= 0) {
    return Error::invalid("품절된 상품입니다.", "product_id", "INSUFFICIENT_STOCK");
  }
  if (quantity > product->stock) {
    return Error::invalid(
        "재고가 부족합니다. (현재 재고: " + std::to_string(product->stock) + "개)", "quantity",
        "INSUFFICIENT_STOCK");
  }
  return *product;
}

// Adds one line inside a write transaction. Validates everything before writing anything.
Result<CartItem> add_in_tx(store::Db& db, const CartOwner& owner, std::int64_t product_id,
                           std::int64_t quantity, Micros now) {
  auto product = check_new_line(db, product_id, quantity);
  if (!product) return product.error();
  const std::int64_t cart = cart_ops::ensure_active_cart(db, owner, now);

  auto& existing =
      db.stmt("SELECT id, quantity FROM cart_items WHERE cart_id = ? AND product_id = ?");
  existing.bind(1, cart);
  existing.bind(2, product_id);
  std::int64_t item_id = 0;
  if (existing.executeStep()) {
    item_id = existing.getColumn(0).getInt64();
    const std::int64_t have = existing.getColumn(1).getInt64();
    existing.reset();
    // Cumulative checks: about the cart, not the value sent, hence no field.
    if (have + quantity > product->stock) {
      return Error::invalid("재고가 부족합니다. (장바구니: " + std::to_string(have) +
                                "개, 재고: " + std::to_string(product->stock) + "개)",
                            "", "INSUFFICIENT_STOCK");
    }
    if (have + quantity > Carts::kMaxQuantity) {
      return Error::invalid("한 상품은 최대 999개까지 담을 수 있습니다.", "", "QUANTITY_EXCEEDED");
    }
    auto& upd = db.stmt("UPDATE cart_items SET quantity = ?, updated_at = ? WHERE id = ?");
    upd.bind(1, have + quantity);
    upd.bind(2, now);
    upd.bind(3, item_id);
    upd.exec();
  } else {
    auto& ins = db.stmt(
        "INSERT INTO cart_items(cart_id, product_id, quantity, added_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?)");
    ins.bind(1, cart);
    ins.bind(2, product_id);
    ins.bind(3, quantity);
    ins.bind(4, now);
    ins.bind(5, now);
    ins.exec();
    item_id = db.last_insert_id();
  }
  touch_cart(db, cart, now);
  auto item = cart_ops::load_owned_item(db, owner, item_id);
  if (!item) return Error::internal("cart line vanished after write");
  return std::move(*item);
}

Cart load_cart(store::Db& db, const CartOwner& owner) {
  Cart out;
  out.user_id = owner.user_id;
  auto cart = find_active_cart(db, owner);
  if (!cart) return out;
  auto& q = db.stmt(
      "SELECT c.id, c.is_active, c.created_at, c.updated_at, u.username "
      "FROM carts c LEFT JOIN users u ON u.id = c.user_id WHERE c.id = ?");
  q.bind(1, *cart);
  if (!q.executeStep()) return out;
  out.id = q.getColumn(0).getInt64();
  out.is_active = q.getColumn(1).getInt() != 0;
  out.created_at = q.getColumn(2).getInt64();
  out.updated_at = q.getColumn(3).getInt64();
  if (!q.getColumn(4).isNull()) out.user_username = q.getColumn(4).getString();
  q.reset();
  out.items = cart_ops::load_items(db, *cart);
  return out;
}

StockIssueKind issue_of(const CartItem& it) {
  if (!it.product.is_active) return StockIssueKind::kDiscontinued;
  if (it.product.stock <= 0) return StockIssueKind::kSoldOut;
  return StockIssueKind::kInsufficient;
}

}  // namespace

std::int64_t Cart::total_amount() const {
  std::int64_t sum = 0;
  for (const auto& it : items) sum += it.subtotal();
  return sum;
}

std::int64_t Cart::total_quantity() const {
  std::int64_t sum = 0;
  for (const auto& it : items) sum += it.quantity;
  return sum;
}

std::vector<StockIssue> Cart::stock_issues() const {
  std::vector<StockIssue> out;
  for (const auto& it : items) {
    if (it.is_available()) continue;
    out.push_back(
        {it.id, it.product.id, it.product.name, issue_of(it), it.quantity, it.product.stock});
  }
  return out;
}

Carts::Carts(detail::EngineContext& ctx) : ctx_(ctx) {}

std::string Carts::new_session_key() {
  return crypto::random_urlsafe(32);
}

bool Carts::is_session_key(const std::string& key) {
  if (key.size() != 32) return false;
  return std::all_of(key.begin(), key.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}
Carts::~Carts() = default;

Result<CartItem> Carts::add_item(const CartOwner& owner, std::int64_t product_id,
                                 std::int64_t quantity) {
  SHOP_TRY(require_owner(owner));
  const Micros now = ctx_.now();
  return ctx_.store->write([&](store::Db& db) -> Result<CartItem> {
    return add_in_tx(db, owner, product_id, quantity, now);
  });
}

Result<std::vector<CartItem>> Carts::items(const CartOwner& owner) const {
  return ctx_.store->read([&](store::Db& db) -> Result<std::vector<CartItem>> {
    auto cart = find_active_cart(db, owner);
    if (!cart) return std::vector<CartItem>{};
    return cart_ops::load_items(db, *cart);
  });
}

Result<Cart> Carts::get(const CartOwner& owner, bool create) {
  auto cart = ctx_.store->read([&](store::Db& db) -> Result<Cart> { return load_cart(db, owner); });
  if (!cart || cart->id || !create) return cart;
  SHOP_TRY(require_owner(owner));
  const Micros now = ctx_.now();
  return ctx_.store->write([&](store::Db& db) -> Result<Cart> {
    cart_ops::ensure_active_cart(db, owner, now);
    return load_cart(db, owner);
  });
}

Result<std::optional<CartItem>> Carts::set_quantity(const CartOwner& owner, std::int64_t item_id,
                                                    std::int64_t quantity) {
  if (quantity < 0) {
    return Error::invalid("수량은 0 이상이어야 합니다.", "quantity", "INVALID_QUANTITY");
  }
  if (quantity > kMaxQuantity) {
    return Error::invalid("수량은 999개를 초과할 수 없습니다.", "quantity", "QUANTITY_EXCEEDED");
  }
  const Micros now = ctx_.now();
  return ctx_.store->write([&](store::Db& db) -> Result<std::optional<CartItem>> {
    auto item = cart_ops::load_owned_item(db, owner, item_id);
    if (!item) return Error::not_found("장바구니에서 해당 상품을 찾을 수 없습니다.");
    if (quantity == 0) {
      auto& del = db.stmt("DELETE FROM cart_items WHERE id = ?");
      del.bind(1, item_id);
      del.exec();
      touch_cart(db, item->cart_id, now);
      return std::optional<CartItem>{};
    }
    if (quantity > item->product.stock) {
      return Error::invalid(
          "재고가 부족합니다. (현재 재고: " + std::to_string(item->product.stock) + "개)",
          "quantity", "INSUFFICIENT_STOCK");
    }
    auto& upd = db.stmt("UPDATE cart_items SET quantity = ?, updated_at = ? WHERE id = ?");
    upd.bind(1, quantity);
    upd.bind(2, now);
    upd.bind(3, item_id);
    upd.exec();
    touch_cart(db, item->cart_id, now);
    item->quantity = quantity;
    item->updated_at = now;
    return std::optional<CartItem>(std::move(*item));
  });
}

Status Carts::remove_item(const CartOwner& owner, std::int64_t item_id) {
  const Micros now = ctx_.now();
  return ctx_.store->write([&](store::Db& db) -> Status {
    auto item = cart_ops::load_owned_item(db, owner, item_id);
    if (!item) return Error::not_found("장바구니에서 해당 상품을 찾을 수 없습니다.");
    auto& del = db.stmt("DELETE FROM cart_items WHERE id = ?");
    del.bind(1, item_id);
    del.exec();
    touch_cart(db, item->cart_id, now);
    return Status::ok();
  });
}

Status Carts::clear(const CartOwner& owner) {
  const Micros now = ctx_.now();
  return ctx_.store->write([&](store::Db& db) -> Status {
    auto cart = find_active_cart(db, owner);
    if (cart) {
      auto& del = db.stmt("DELETE FROM cart_items WHERE cart_id = ?");
      del.bind(1, *cart);
      del.exec();
      if (db.changes() > 0) {
        touch_cart(db, *cart, now);
        return Status::ok();
      }
    }
    return Error::conflict("장바구니가 이미 비어있습니다.", "CART_EMPTY");
  });
}

Result<BulkAddResult> Carts::bulk_add(const CartOwner& owner, const std::vector<CartLine>& lines) {
  if (lines.empty()) return Error::invalid("추가할 상품이 없습니다.", "", "EMPTY_ITEMS");
  SHOP_TRY(require_owner(owner));
  const Micros now = ctx_.now();
  return ctx_.store->write([&](store::Db& db) -> Result<BulkAddResult> {
    BulkAddResult out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      // add_in_tx validates before it writes, so a failed line leaves nothing behind.
      auto added = add_in_tx(db, owner, lines[i].product_id, lines[i].quantity, now);
      if (added) {
        out.added.push_back(std::move(*added));
      } else {
        out.failures.push_back({i, lines[i].product_id, added.error()});
      }
    }
    return out;
  });
}

Result<std::vector<StockIssue>> Carts::check_stock(const CartOwner& owner) const {
  return ctx_.store->read([&](store::Db& db) -> Result<std::vector<StockIssue>> {
    return load_cart(db, owner).stock_issues();
  });
}

Status Carts::merge_session_cart(const std::string& session_key, std::int64_t user_id) {
  if (session_key.empty()) return Status::ok();
  const Micros now = ctx_.now();
  return ctx_.store->write([&](store::Db& db) -> Status {
    auto session_cart = find_active_cart(db, CartOwner::session(session_key));
    if (!session_cart) return Status::ok();
    const auto lines = cart_ops::load_items(db, *session_cart);
    if (!lines.empty()) {
      const std::int64_t user_cart =
          cart_ops::ensure_active_cart(db, CartOwner::user(user_id), now);
      for (const auto& line : lines) {
        const auto& p = line.product;
        if (!p.is_active || p.stock <= 0) continue;
        auto& have =
            db.stmt("SELECT quantity FROM cart_items WHERE cart_id = ? AND product_id = ?");
        have.bind(1, user_cart);
        have.bind(2, p.id);
        const std::int64_t existing = have.executeStep() ? have.getColumn(0).getInt64() : 0;
        have.reset();
        const std::int64_t merged =
            std::min({existing + line.quantity, p.stock, Carts::kMaxQuantity});
        if (merged <= existing) continue;  // already at the cap
        auto& up = db.stmt(
            "INSERT INTO cart_items(cart_id, product_id, quantity, added_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(cart_id, product_id) DO UPDATE SET "
            "quantity = excluded.quantity, updated_at = excluded.updated_at");
        up.bind(1, user_cart);
        up.bind(2, p.id);
        up.bind(3, merged);
        up.bind(4, line.added_at);
        up.bind(5, now);
        up.exec();
      }
      touch_cart(db, user_cart, now);
    }
    auto& off = db.stmt("UPDATE carts SET is_active = 0, updated_at = ? WHERE id = ?");
    off.bind(1, now);
    off.bind(2, *session_cart);
    off.exec();
    return Status::ok();
  });
}

}  // namespace shop
