#include "payments/order_effects.h"

namespace shop::payments {

Status mark_order_paid(store::Db& db, std::int64_t order_id, const std::string& method,
                       Micros now) {
  auto& upd = db.stmt(
      "UPDATE orders SET status = 'paid', payment_method = ?, updated_at = ? "
      "WHERE id = ? AND status = 'confirmed'");
  upd.bind(1, method);
  upd.bind(2, now);
  upd.bind(3, order_id);
  upd.exec();
  if (db.changes() != 1) return Error::invalid("The order is not awaiting payment.", "", "ORDER_NOT_PAYABLE");
  auto& sold = db.stmt(
      "UPDATE products SET sold_count = sold_count + (SELECT SUM(quantity) FROM order_items "
      "WHERE order_id = ?1 AND product_id = products.id AND stock_state = 1) "
      "WHERE id IN (SELECT product_id FROM order_items WHERE order_id = ?1 AND stock_state = 1)");
  sold.bind(1, order_id);
  sold.exec();
  return Status::ok();
}

Result<ledger::Reversal> cancel_paid_order(store::Db& db, std::int64_t order_id, Micros now) {
  auto& q = db.stmt("SELECT status FROM orders WHERE id = ?");
  q.bind(1, order_id);
  if (!q.executeStep()) return Error::not_found("Order not found.");
  const std::string status = q.getColumn(0).getString();
  if (status != "paid" && status != "preparing") {
    return Error::invalid("The order can no longer be canceled (status: " + status + ").", "",
                          "ORDER_NOT_CANCELABLE");
  }
  // Points first: it is the step that can refuse (balance too low), and it writes nothing then.
  auto reversal = ledger::reverse_order(db, order_id, now);
  if (!reversal) return reversal.error();

  auto& restock = db.stmt(
      "UPDATE products SET "
      "stock = stock + (SELECT SUM(quantity) FROM order_items "
      "  WHERE order_id = ?1 AND product_id = products.id AND stock_state = 1), "
      "sold_count = MAX(0, sold_count - (SELECT SUM(quantity) FROM order_items "
      "  WHERE order_id = ?1 AND product_id = products.id AND stock_state = 1)) "
      "WHERE id IN (SELECT product_id FROM order_items WHERE order_id = ?1 AND stock_state = 1)");
  restock.bind(1, order_id);
  restock.exec();
  auto& returned = db.stmt("UPDATE order_items SET stock_state = 2 WHERE order_id = ? AND stock_state = 1");
  returned.bind(1, order_id);
  returned.exec();
  auto& canceled = db.stmt(
      "UPDATE orders SET status = 'canceled', canceled_at = ?, updated_at = ? WHERE id = ?");
  canceled.bind(1, now);
  canceled.bind(2, now);
  canceled.bind(3, order_id);
  canceled.exec();
  return reversal;
}

}  // namespace shop::payments
