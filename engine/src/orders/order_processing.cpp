// order_processing.cpp — what a worker does to one order, inside a write transaction
// (DESIGN.md §4.3), and the failure fallback.
#include <algorithm>
#include <map>

#include "cart/cart_ops.h"
#include "orders/order_ops.h"
#include "points/ledger.h"

namespace shop::order_ops {

namespace {

struct Line {
  std::optional<std::int64_t> product_id;
  std::string name;  // snapshot name
  std::int64_t quantity = 0;
};

std::vector<Line> load_lines(store::Db& db, std::int64_t order_id) {
  auto& q = db.stmt(
      "SELECT product_id, product_name, quantity FROM order_items WHERE order_id = ? "
      "ORDER BY product_id, id");
  q.bind(1, order_id);
  std::vector<Line> out;
  while (q.executeStep()) {
    Line l;
    if (!q.getColumn(0).isNull()) l.product_id = q.getColumn(0).getInt64();
    l.name = q.getColumn(1).getString();
    l.quantity = q.getColumn(2).getInt64();
    out.push_back(std::move(l));
  }
  return out;
}

// Sets `failed` and gives the lines back to the user's cart.
Processed mark_failed(store::Db& db, std::int64_t order_id, std::int64_t user_id,
                      const std::vector<Line>& lines, const std::string& reason, Micros now) {
  auto& upd = db.stmt(
      "UPDATE orders SET status = 'failed', failure_reason = ?, processed_at = ?, updated_at = ? "
      "WHERE id = ?");
  upd.bind(1, reason);
  upd.bind(2, now);
  upd.bind(3, now);
  upd.bind(4, order_id);
  upd.exec();
  std::vector<CartLine> back;
  for (const auto& l : lines) {
    if (l.product_id) back.push_back({*l.product_id, l.quantity});
  }
  cart_ops::put_back_lines(db, user_id, back, now);
  return {ProcessOutcome::kFailed, reason};
}

struct Head {
  std::string status;
  std::int64_t user_id = 0;
  std::int64_t used_points = 0;
  std::string order_number;
};

std::optional<Head> load_head(store::Db& db, std::int64_t order_id) {
  auto& q = db.stmt("SELECT status, user_id, used_points, order_number FROM orders WHERE id = ?");
  q.bind(1, order_id);
  if (!q.executeStep()) return std::nullopt;
  Head h;
  h.status = q.getColumn(0).getString();
  h.user_id = q.getColumn(1).getInt64();
  h.used_points = q.getColumn(2).getInt64();
  h.order_number = q.getColumn(3).isNull() ? std::string() : q.getColumn(3).getString();
  return h;
}

}  // namespace

Result<Processed> process_in_tx(store::Db& db, std::int64_t order_id, Micros now) {
  auto head = load_head(db, order_id);
  if (!head) return Processed{ProcessOutcome::kSkipped, "no such order"};
  // The idempotency guard: a processed, canceled or failed order is never touched again.
  if (head->status != "pending") {
    return Processed{ProcessOutcome::kSkipped, "already " + head->status};
  }
  const auto lines = load_lines(db, order_id);
  if (lines.empty()) {
    return mark_failed(db, order_id, head->user_id, lines, "order has no items", now);
  }

  // Check every line first (product-id order), so nothing is taken unless everything can be.
  std::map<std::int64_t, std::int64_t> need;  // product -> units (one line per product normally)
  for (const auto& l : lines) {
    if (!l.product_id) {
      return mark_failed(db, order_id, head->user_id, lines,
                         "product no longer available: " + l.name, now);
    }
    need[*l.product_id] += l.quantity;
  }
  for (const auto& [product_id, units] : need) {
    auto& q = db.stmt("SELECT stock, is_active, name FROM products WHERE id = ?");
    q.bind(1, product_id);
    if (!q.executeStep()) {
      return mark_failed(db, order_id, head->user_id, lines, "product no longer available", now);
    }
    const std::int64_t stock = q.getColumn(0).getInt64();
    const bool active = q.getColumn(1).getInt() != 0;
    const std::string name = q.getColumn(2).getString();
    q.reset();
    if (!active) {
      return mark_failed(db, order_id, head->user_id, lines, "product no longer available: " + name,
                         now);
    }
    if (stock < units) {
      return mark_failed(db, order_id, head->user_id, lines, "out of stock: " + name, now);
    }
  }

  if (head->used_points > 0) {
    // spend_fifo writes nothing when it refuses, so the order can still be marked failed here.
    auto spent = ledger::spend_fifo(db, head->user_id, head->used_points, order_id,
                                    "Order " + head->order_number, now);
    if (!spent) {
      if (spent.error().code == ErrorCode::kInternal) return spent.error();
      return mark_failed(db, order_id, head->user_id, lines,
                         "insufficient points: " + spent.error().message, now);
    }
  }

  for (const auto& [product_id, units] : need) {
    auto& take = db.stmt("UPDATE products SET stock = stock - ? WHERE id = ? AND stock >= ?");
    take.bind(1, units);
    take.bind(2, product_id);
    take.bind(3, units);
    take.exec();
    if (db.changes() != 1) return Error::internal("stock changed under the writer");
  }
  auto& items = db.stmt("UPDATE order_items SET stock_state = 1 WHERE order_id = ?");
  items.bind(1, order_id);
  items.exec();
  auto& done = db.stmt(
      "UPDATE orders SET status = 'confirmed', failure_reason = '', processed_at = ?, "
      "updated_at = ? WHERE id = ?");
  done.bind(1, now);
  done.bind(2, now);
  done.bind(3, order_id);
  done.exec();
  return Processed{ProcessOutcome::kConfirmed, ""};
}

Result<Processed> fail_in_tx(store::Db& db, std::int64_t order_id, const std::string& reason,
                             Micros now) {
  auto head = load_head(db, order_id);
  if (!head) return Processed{ProcessOutcome::kSkipped, "no such order"};
  if (head->status != "pending") {
    return Processed{ProcessOutcome::kSkipped, "already " + head->status};
  }
  return mark_failed(db, order_id, head->user_id, load_lines(db, order_id), reason, now);
}

}  // namespace shop::order_ops
