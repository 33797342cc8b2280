// order_ops.cpp — intake, cancel, payment and fulfilment transitions inside a write transaction,
// and the small public rules (shipping, statuses).
#include "orders/order_ops.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "auth/crypto.h"
#include "cart/cart_ops.h"
#include "points/ledger.h"
#include "shop/timefmt.h"

namespace shop {

// --- public rules
// ---------------------------------------------------------------------------------

ShippingQuote quote_shipping(std::int64_t goods_total, std::string_view postal_code) {
  ShippingQuote q;
  q.is_free_shipping = goods_total >= kFreeShippingThreshold;
  q.shipping_fee = q.is_free_shipping ? 0 : kShippingFee;
  const std::string_view prefix = postal_code.substr(0, 2);
  if (prefix == "63" || prefix == "59" || prefix == "52") {
    q.additional_shipping_fee = kRemoteAreaSurcharge;  // remote areas pay it even when free
  }
  return q;
}

namespace {
struct StatusInfo {
  std::string_view name;
  std::string_view display;
};
constexpr std::array<StatusInfo, 9> kStatuses = {{
    {"pending", "결제대기"},
    {"confirmed", "주문확정"},
    {"failed", "주문실패"},
    {"paid", "결제완료"},
    {"preparing", "배송준비중"},
    {"shipped", "배송중"},
    {"delivered", "배송완료"},
    {"canceled", "주문취소"},
    {"refunded", "환불완료"},
}};
}  // namespace

bool is_order_status(std::string_view status) {
  return std::any_of(kStatuses.begin(), kStatuses.end(),
                     [&](const StatusInfo& s) { return s.name == status; });
}

std::string order_status_display(std::string_view status) {
  for (const auto& s : kStatuses) {
    if (s.name == status) return std::string(s.display);
  }
  return std::string(status);
}

bool order_can_cancel(std::string_view status) {
  return status == "pending" || status == "confirmed" || status == "paid";
}

bool is_points_rule_reason(std::string_view reason) {
  return reason == "MINIMUM_AMOUNT_NOT_MET" || reason == "INSUFFICIENT_POINTS" ||
         reason == "EXCEEDS_ORDER_AMOUNT";
}

namespace order_ops {

namespace {

// A random (version 4) UUID string.
std::string uuid4() {
  std::string b = crypto::random_bytes(16);
  b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
  const std::string h = crypto::hex(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

Status check_text(const std::string& value, const char* field, std::size_t max_len, bool required) {
  if (required && blank(value)) return Error::invalid("This field may not be blank.", field);
  if (utf8_length(value) > max_len) {
    return Error::invalid(
        "Ensure this field has no more than " + std::to_string(max_len) + " characters.", field);
  }
  return Status::ok();
}

std::string pad6(std::int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(id));
  return buf;
}

}  // namespace

Status validate_request(const OrderRequest& r) {
  SHOP_TRY(check_text(r.shipping_name, "shipping_name", 100, true));
  SHOP_TRY(check_text(r.shipping_phone, "shipping_phone", 20, true));
  SHOP_TRY(check_text(r.shipping_postal_code, "shipping_postal_code", 10, true));
  SHOP_TRY(check_text(r.shipping_address, "shipping_address", 200, true));
  SHOP_TRY(check_text(r.shipping_address_detail, "shipping_address_detail", 255, false));
  SHOP_TRY(check_text(r.order_memo, "order_memo", 1000, false));
  if (r.use_points < 0) {
    return Error::invalid("Ensure this value is greater than or equal to 0.", "use_points");
  }
  return Status::ok();
}

Status check_eligible_in_tx(store::Db& db, std::int64_t user_id, bool require_verified_email) {
  auto& q = db.stmt("SELECT is_active, is_email_verified FROM users WHERE id = ?");
  q.bind(1, user_id);
  if (!q.executeStep() || q.getColumn(0).getInt() == 0) {
    return Error::unauthenticated("User not found or inactive.", "user_not_found");
  }
  if (require_verified_email && q.getColumn(1).getInt() == 0) {
    return Error{ErrorCode::kPermissionDenied, "이메일 인증이 필요합니다.", "EMAIL_NOT_VERIFIED",
                 ""};
  }
  return Status::ok();
}

Result<OrderAccepted> intake_in_tx(store::Db& db, std::int64_t user_id, const OrderRequest& request,
                                   bool require_verified_email, int utc_offset_minutes,
                                   Micros now) {
  SHOP_TRY(check_eligible_in_tx(db, user_id, require_verified_email));

  const auto cart = cart_ops::find_active_cart(db, CartOwner::user(user_id));
  std::vector<CartItem> lines;
  if (cart) lines = cart_ops::load_items(db, *cart);
  if (lines.empty()) return Error::invalid("장바구니가 비어있습니다.", "", "CART_EMPTY");

  std::string unavailable;  // one message per bad line, '\n'-separated
  std::int64_t goods_total = 0;
  for (const auto& l : lines) {
    std::string msg;
    if (!l.product.is_active) {
      msg = l.product.name + ": 판매가 중단된 상품입니다.";
    } else if (l.product.stock <= 0) {
      msg = l.product.name + ": 품절되었습니다.";
    } else if (l.quantity > l.product.stock) {
      msg = l.product.name + ": 재고가 부족합니다. (재고 " + std::to_string(l.product.stock) +
            "개, 요청 " + std::to_string(l.quantity) + "개)";
    }
    if (!msg.empty()) unavailable += (unavailable.empty() ? "" : "\n") + msg;
    goods_total += l.subtotal();
  }
  if (!unavailable.empty()) {
    return Error::invalid(unavailable, "cart_items", std::string(kCartItemsUnavailable));
  }

  const ShippingQuote ship = quote_shipping(goods_total, request.shipping_postal_code);
  const std::int64_t payable = goods_total + ship.total();
  if (request.use_points > 0) {
    if (request.use_points < ledger::kMinimumSpend) {
      return Error::invalid("포인트는 최소 100포인트 이상 사용해야 합니다.", "",
                            "MINIMUM_AMOUNT_NOT_MET");
    }
    auto& q = db.stmt("SELECT points FROM users WHERE id = ?");
    q.bind(1, user_id);
    const std::int64_t balance = q.executeStep() ? q.getColumn(0).getInt64() : 0;
    q.reset();
    if (request.use_points > balance) {
      return Error::invalid("포인트가 부족합니다. (보유: " + std::to_string(balance) + "포인트)",
                            "", "INSUFFICIENT_POINTS");
    }
    if (request.use_points > payable) {
      return Error::invalid(
          "사용 포인트가 결제 금액(" + std::to_string(payable) + "원)을 초과할 수 없습니다.", "",
          "EXCEEDS_ORDER_AMOUNT");
    }
  }
  const std::int64_t final_amount = payable - request.use_points;

  auto& ins = db.stmt(
      "INSERT INTO orders(user_id, status, total_amount, shipping_fee, additional_shipping_fee, "
      "is_free_shipping, used_points, final_amount, shipping_name, shipping_phone, "
      "shipping_postal_code, shipping_address, shipping_address_detail, order_memo, created_at, "
      "updated_at) VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, user_id);
  ins.bind(2, goods_total);
  ins.bind(3, ship.shipping_fee);
  ins.bind(4, ship.additional_shipping_fee);
  ins.bind(5, ship.is_free_shipping ? 1 : 0);
  ins.bind(6, request.use_points);
  ins.bind(7, final_amount);
  ins.bind(8, request.shipping_name);
  ins.bind(9, request.shipping_phone);
  ins.bind(10, request.shipping_postal_code);
  ins.bind(11, request.shipping_address);
  ins.bind(12, request.shipping_address_detail);
  ins.bind(13, request.order_memo);
  ins.bind(14, now);
  ins.bind(15, now);
  ins.exec();
  OrderAccepted out;
  out.order_id = db.last_insert_id();
  out.order_number = timefmt::format_yyyymmdd(now, utc_offset_minutes) + pad6(out.order_id);
  out.total_amount = goods_total;
  out.final_amount = final_amount;
  out.created_at = now;
  out.task_id = uuid4();
  auto& num = db.stmt("UPDATE orders SET order_number = ? WHERE id = ?");
  num.bind(1, out.order_number);
  num.bind(2, out.order_id);
  num.exec();

  // The snapshot: name and price of this moment (D1), in product-id order.
  std::sort(lines.begin(), lines.end(),
            [](const CartItem& a, const CartItem& b) { return a.product.id < b.product.id; });
  auto& item = db.stmt(
      "INSERT INTO order_items(order_id, product_id, product_name, quantity, price, stock_state) "
      "VALUES (?, ?, ?, ?, ?, 0)");
  for (const auto& l : lines) {
    item.reset();
    item.clearBindings();
    item.bind(1, out.order_id);
    item.bind(2, l.product.id);
    item.bind(3, l.product.name);
    item.bind(4, l.quantity);
    item.bind(5, l.product.price);
    item.exec();
  }
  // Empty the cart in the same transaction, so a second order finds nothing to order (D2).
  auto& clear = db.stmt("DELETE FROM cart_items WHERE cart_id = ?");
  clear.bind(1, *cart);
  clear.exec();
  auto& touch = db.stmt("UPDATE carts SET updated_at = ? WHERE id = ?");
  touch.bind(1, now);
  touch.bind(2, *cart);
  touch.exec();
  return out;
}

Result<CancelEffects> cancel_in_tx(store::Db& db, std::int64_t order_id, Micros now) {
  auto& q = db.stmt("SELECT status, user_id, used_points, earned_points FROM orders WHERE id = ?");
  q.bind(1, order_id);
  if (!q.executeStep()) return Error::not_found("주문을 찾을 수 없습니다.");
  CancelEffects fx;
  fx.previous_status = q.getColumn(0).getString();
  fx.user_id = q.getColumn(1).getInt64();
  const std::int64_t used = q.getColumn(2).getInt64();
  const std::int64_t earned = q.getColumn(3).getInt64();
  q.reset();
  if (!order_can_cancel(fx.previous_status)) {
    return Error::conflict(
        "'" + order_status_display(fx.previous_status) + "' 상태의 주문은 취소할 수 없습니다.",
        "CANNOT_CANCEL");
  }
  // Points first: reverse_order writes nothing when it refuses, and nothing else is written yet.
  // A pending order has spent nothing (points are spent with the stock, when it is processed).
  if (fx.previous_status != "pending" && (used > 0 || earned > 0)) {
    auto rev = ledger::reverse_order(db, order_id, now);
    if (!rev) return rev.error();
    fx.refunded_points = rev->refunded;
    fx.deducted_points = rev->deducted;
  }
  const bool was_paid = fx.previous_status == "paid";
  auto& items = db.stmt(
      "SELECT product_id, quantity FROM order_items "
      "WHERE order_id = ? AND stock_state = 1 AND product_id IS NOT NULL ORDER BY product_id");
  items.bind(1, order_id);
  std::vector<std::pair<std::int64_t, std::int64_t>> taken;
  while (items.executeStep()) {
    taken.emplace_back(items.getColumn(0).getInt64(), items.getColumn(1).getInt64());
  }
  for (const auto& [product_id, qty] : taken) {
    auto& give = db.stmt(
        was_paid ? "UPDATE products SET stock = stock + ?1, sold_count = MAX(sold_count - ?1, 0) "
                   "WHERE id = ?2"
                 : "UPDATE products SET stock = stock + ?1 WHERE id = ?2");
    give.bind(1, qty);
    give.bind(2, product_id);
    give.exec();
    fx.restocked_units += qty;
  }
  auto& back =
      db.stmt("UPDATE order_items SET stock_state = 2 WHERE order_id = ? AND stock_state = 1");
  back.bind(1, order_id);
  back.exec();
  auto& upd = db.stmt(
      "UPDATE orders SET status = 'canceled', canceled_at = ?, updated_at = ? WHERE id = ?");
  upd.bind(1, now);
  upd.bind(2, now);
  upd.bind(3, order_id);
  upd.exec();
  return fx;
}

Status mark_paid_in_tx(store::Db& db, std::int64_t order_id, const std::string& payment_method,
                       Micros now) {
  auto& q = db.stmt("SELECT status FROM orders WHERE id = ?");
  q.bind(1, order_id);
  if (!q.executeStep()) return Error::not_found("주문을 찾을 수 없습니다.");
  const std::string status = q.getColumn(0).getString();
  q.reset();
  if (status != "confirmed") {
    return Error::conflict("Only a confirmed order can be paid (status '" + status + "').",
                           "ORDER_NOT_CONFIRMED");
  }
  auto& sold = db.stmt(
      "UPDATE products SET sold_count = sold_count + "
      "(SELECT SUM(oi.quantity) FROM order_items oi WHERE oi.order_id = ?1 AND "
      "oi.product_id = products.id AND oi.stock_state = 1) "
      "WHERE id IN (SELECT product_id FROM order_items WHERE order_id = ?1 AND stock_state = 1)");
  sold.bind(1, order_id);
  sold.exec();
  auto& upd =
      db.stmt("UPDATE orders SET status = 'paid', payment_method = ?, updated_at = ? WHERE id = ?");
  upd.bind(1, payment_method);
  upd.bind(2, now);
  upd.bind(3, order_id);
  upd.exec();
  return Status::ok();
}

Result<std::string> advance_fulfilment_in_tx(store::Db& db, std::int64_t order_id, Micros now) {
  auto& q = db.stmt("SELECT status FROM orders WHERE id = ?");
  q.bind(1, order_id);
  if (!q.executeStep()) return Error::not_found("주문을 찾을 수 없습니다.");
  const std::string status = q.getColumn(0).getString();
  q.reset();
  std::string next;
  if (status == "paid") {
    next = "preparing";
  } else if (status == "preparing") {
    next = "shipped";
  } else if (status == "shipped") {
    next = "delivered";
  } else {
    return Error::conflict("An order in status '" + status + "' has no next fulfilment step.",
                           "INVALID_TRANSITION");
  }
  auto& upd = db.stmt("UPDATE orders SET status = ?, updated_at = ? WHERE id = ?");
  upd.bind(1, next);
  upd.bind(2, now);
  upd.bind(3, order_id);
  upd.exec();
  return next;
}

}  // namespace order_ops
}  // namespace shop
