#include "payments/payment_ops.h"

namespace shop::payments {

Result<std::int64_t> refund_order_payment_in_tx(PaymentProvider& provider, store::Db& db,
                                                std::int64_t order_id, const std::string& reason,
                                                Micros now) {
  auto& q = db.stmt(
      "SELECT id, amount, COALESCE(payment_key, '') FROM payments "
      "WHERE order_id = ? AND status = 'done'");
  q.bind(1, order_id);
  if (!q.executeStep()) return std::int64_t{0};
  const std::int64_t payment_id = q.getColumn(0).getInt64();
  const std::int64_t amount = q.getColumn(1).getInt64();
  const std::string key = q.getColumn(2).getString();
  q.reset();
  auto refund = provider.cancel(key, amount, reason);
  if (!refund) return refund.error();
  auto& upd = db.stmt(
      "UPDATE payments SET status = 'canceled', canceled_amount = ?, cancel_reason = ?, "
      "canceled_at = ?, updated_at = ? WHERE id = ?");
  upd.bind(1, refund->canceled_amount);
  upd.bind(2, reason);
  upd.bind(3, now);
  upd.bind(4, now);
  upd.bind(5, payment_id);
  upd.exec();
  return refund->canceled_amount;
}

}  // namespace shop::payments
