#include "shop/payments.h"

#include <array>
#include <string_view>

#include "auth/crypto.h"
#include "engine_context.h"
#include "orders/order_ops.h"
#include "payments/payment_ops.h"
#include "payments/provider.h"
#include "points/ledger.h"

namespace shop {

namespace {

using store::Db;

constexpr std::array<const char*, 8> kStatuses = {"ready",   "in_progress", "waiting_for_deposit",
                                                  "done",    "canceled",    "partial_canceled",
                                                  "aborted", "expired"};

// Order statuses after a successful payment (contract §2.6 is_paid).
bool is_paid_order_status(const std::string& s) {
  return s == "paid" || s == "preparing" || s == "shipped" || s == "delivered";
}

// Characters as Django counts them (UTF-8 code points).
std::size_t char_count(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool is_blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

Status check_text(const std::string& value, const char* field, std::size_t max_chars) {
  if (is_blank(value)) return Error::invalid("This field may not be blank.", field);
  if (char_count(value) > max_chars) {
    return Error::invalid(
        "Ensure this field has no more than " + std::to_string(max_chars) + " characters.", field);
  }
  return Status::ok();
}

// uuid4 text, for the reference's task_id.
std::string new_uuid() {
  std::string h = crypto::random_hex(16);
  h[12] = '4';
  h[16] = "89ab"[h[16] % 4];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

const char* const kPaymentSelect =
    "SELECT p.id, p.order_id, p.user_id, COALESCE(o.order_number, ''), p.amount, p.status, "
    "p.method, p.payment_key, p.failure_reason, p.canceled_amount, p.cancel_reason, "
    "p.approved_at, p.canceled_at, p.created_at, p.updated_at, o.used_points, o.earned_points "
    "FROM payments p JOIN orders o ON o.id = p.order_id ";

PaymentInfo payment_from_row(SQLite::Statement& q) {
  PaymentInfo p;
  p.id = q.getColumn(0).getInt64();
  p.order_id = q.getColumn(1).getInt64();
  p.user_id = q.getColumn(2).getInt64();
  p.order_number = q.getColumn(3).getString();
  p.amount = q.getColumn(4).getInt64();
  p.status = q.getColumn(5).getString();
  p.method = q.getColumn(6).getString();
  if (!q.getColumn(7).isNull()) p.payment_key = q.getColumn(7).getString();
  p.failure_reason = q.getColumn(8).getString();
  p.canceled_amount = q.getColumn(9).getInt64();
  p.cancel_reason = q.getColumn(10).getString();
  if (!q.getColumn(11).isNull()) p.approved_at = q.getColumn(11).getInt64();
  if (!q.getColumn(12).isNull()) p.canceled_at = q.getColumn(12).getInt64();
  p.created_at = q.getColumn(13).getInt64();
  p.updated_at = q.getColumn(14).getInt64();
  p.used_points = q.getColumn(15).getInt64();
  p.earned_points = q.getColumn(16).getInt64();
  return p;
}

Error payment_not_found() {
  return Error::not_found("Payment not found.");
}
Error order_not_found() {
  return Error::not_found("Order not found.");
}

// The caller's payment (another user's is "not found", never "forbidden").
Result<PaymentInfo> load_payment(Db& db, std::int64_t user_id, std::int64_t payment_id) {
  auto& q = db.stmt(std::string(kPaymentSelect) + "WHERE p.id = ? AND p.user_id = ?");
  q.bind(1, payment_id);
  q.bind(2, user_id);
  if (!q.executeStep()) return payment_not_found();
  return payment_from_row(q);
}

// The order's live payment (ready, in_progress or done; a unique index allows one).
std::optional<PaymentInfo> live_payment(Db& db, std::int64_t order_id) {
  auto& q = db.stmt(std::string(kPaymentSelect) +
                    "WHERE p.order_id = ? AND p.status IN ('ready', 'in_progress', 'done')");
  q.bind(1, order_id);
  if (!q.executeStep()) return std::nullopt;
  return payment_from_row(q);
}

struct OrderRow {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string status;
  std::int64_t final_amount = 0;
};

Result<OrderRow> load_own_order(Db& db, std::int64_t user_id, std::int64_t order_id) {
  auto& q = db.stmt("SELECT id, user_id, status, final_amount FROM orders WHERE id = ?");
  q.bind(1, order_id);
  if (!q.executeStep() || q.getColumn(1).getInt64() != user_id) return order_not_found();
  return OrderRow{q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getString(),
                  q.getColumn(3).getInt64()};
}

// Why an order cannot take a new payment (it is not `confirmed`).
Error not_payable(const OrderRow& order) {
  if (is_paid_order_status(order.status)) {
    return Error::invalid("This order has already been paid.", "", "ALREADY_PAID");
  }
  if (order.status == "pending") {
    return Error::invalid("The order is not confirmed yet; try again shortly.", "",
                          "ORDER_NOT_CONFIRMED");
  }
  return Error::invalid("The order cannot be paid (status: " + order.status + ").", "",
                        "ORDER_NOT_PAYABLE");
}

std::int64_t insert_ready_payment(Db& db, const OrderRow& order, const std::string& method,
                                  const std::string& provider, Micros now) {
  auto& ins = db.stmt(
      "INSERT INTO payments(order_id, user_id, amount, status, method, provider, created_at, "
      "updated_at) VALUES (?, ?, ?, 'ready', ?, ?, ?, ?)");
  ins.bind(1, order.id);
  ins.bind(2, order.user_id);
  ins.bind(3, order.final_amount);
  ins.bind(4, method);
  ins.bind(5, provider);
  ins.bind(6, now);
  ins.bind(7, now);
  ins.exec();
  return db.last_insert_id();
}

}  // namespace

Payments::Payments(detail::EngineContext& ctx)
    : ctx_(ctx), provider_(std::make_unique<payments::TestPaymentProvider>()) {}
Payments::~Payments() = default;

void Payments::set_provider(std::unique_ptr<payments::PaymentProvider> provider) {
  if (provider) provider_ = std::move(provider);
}

bool Payments::is_valid_status(const std::string& status) {
  for (const char* s : kStatuses) {
    if (status == s) return true;
  }
  return false;
}

Result<PaymentRequestInfo> Payments::request(std::int64_t user_id, std::int64_t order_id,
                                             const std::string& method) {
  SHOP_TRY(check_text(method, "payment_method", kMaxMethod));
  const Micros now = ctx_.now();
  return ctx_.store->write([&](Db& db) -> Result<PaymentRequestInfo> {
    auto order = load_own_order(db, user_id, order_id);
    if (!order) return order.error();
    // Paying is ordering: the same eligibility rule (active, e-mail verified when required).
    SHOP_TRY(order_ops::check_eligible_in_tx(db, user_id,
                                             ctx_.options.require_verified_email_for_orders));
    auto live = live_payment(db, order_id);
    if (live && live->status == "done") {
      return Error::invalid("This order has already been paid.", "", "ALREADY_PAID");
    }
    if (order->status != "confirmed") return not_payable(*order);

    PaymentRequestInfo info;
    auto& items = db.stmt(
        "SELECT product_name, (SELECT COUNT(*) FROM order_items WHERE order_id = ?1) "
        "FROM order_items WHERE order_id = ?1 ORDER BY id LIMIT 1");
    items.bind(1, order_id);
    if (!items.executeStep()) {
      return Error::invalid("The order has no items.", "", "ORDER_EMPTY");
    }
    const std::int64_t item_count = items.getColumn(1).getInt64();
    info.order_name = items.getColumn(0).getString();
    if (item_count > 1) info.order_name += " 외 " + std::to_string(item_count - 1) + "건";

    if (live) {  // ready (or in_progress): reuse it, at today's amount and method
      auto& upd = db.stmt(
          "UPDATE payments SET amount = ?, method = ?, updated_at = ? WHERE id = ? "
          "AND status = 'ready'");
      upd.bind(1, order->final_amount);
      upd.bind(2, method);
      upd.bind(3, now);
      upd.bind(4, live->id);
      upd.exec();
      info.payment_id = live->id;
    } else {
      info.payment_id = insert_ready_payment(db, *order, method, provider_->name(), now);
    }

    auto& user = db.stmt("SELECT username, first_name, last_name, email FROM users WHERE id = ?");
    user.bind(1, user_id);
    if (!user.executeStep()) return Error::not_found("User not found.");
    // Django's get_full_name(): "first last" stripped, else the username.
    std::string full = user.getColumn(1).getString() + " " + user.getColumn(2).getString();
    const auto b = full.find_first_not_of(' ');
    full =
        b == std::string::npos ? std::string() : full.substr(b, full.find_last_not_of(' ') - b + 1);
    info.customer_name = full.empty() ? user.getColumn(0).getString() : full;
    info.customer_email = user.getColumn(3).getString();
    info.order_id = order_id;
    info.amount = order->final_amount;
    info.client_key = provider_->client_key();
    return info;
  });
}

Result<PaymentConfirmation> Payments::confirm(std::int64_t user_id, std::int64_t order_id,
                                              const std::string& payment_key, std::int64_t amount) {
  SHOP_TRY(check_text(payment_key, "payment_key", kMaxPaymentKey));
  if (amount < 0) {
    return Error::invalid("Ensure this value is greater than or equal to 0.", "amount");
  }
  const Micros now = ctx_.now();

  // The write commits a declined payment as `aborted`, so a decline is a successful write whose
  // outcome carries the provider's refusal.
  struct Outcome {
    std::optional<Error> declined;
    PaymentConfirmation confirmation;
  };
  auto outcome = ctx_.store->write([&](Db& db) -> Result<Outcome> {
    auto order = load_own_order(db, user_id, order_id);
    if (!order) return order.error();
    // Paying is ordering: the same eligibility rule (active, e-mail verified when required).
    SHOP_TRY(order_ops::check_eligible_in_tx(db, user_id,
                                             ctx_.options.require_verified_email_for_orders));
    auto live = live_payment(db, order_id);
    if (live && live->status == "done") {
      return Error::invalid("This payment has already been completed.", "", "ALREADY_PAID");
    }
    if (live && live->status != "ready") {
      return Error::conflict("This payment is being processed.", "PAYMENT_IN_PROGRESS");
    }
    if (order->status != "confirmed") return not_payable(*order);
    const std::int64_t expected = live ? live->amount : order->final_amount;
    if (amount != expected) {
      return Error::invalid("The payment amount does not match (expected " +
                                std::to_string(expected) + ", got " + std::to_string(amount) + ").",
                            "", "AMOUNT_MISMATCH");
    }
    // No request first (the reference's Locust PaymentUser): the ready payment is made here.
    const std::int64_t payment_id =
        live ? live->id : insert_ready_payment(db, *order, "card", provider_->name(), now);
    const std::string method = live ? live->method : "card";

    auto approval = provider_->confirm(payment_key, std::to_string(order_id), amount);
    if (!approval) {
      if (approval.error().code != ErrorCode::kInvalidArgument) return approval.error();
      const Error& e = approval.error();
      auto& abort = db.stmt(
          "UPDATE payments SET status = 'aborted', payment_key = ?, failure_reason = ?, "
          "updated_at = ? WHERE id = ?");
      abort.bind(1, payment_key);
      abort.bind(2,
                 "[" + (e.reason.empty() ? std::string("DECLINED") : e.reason) + "] " + e.message);
      abort.bind(3, now);
      abort.bind(4, payment_id);
      abort.exec();
      Error declined = e;
      if (declined.reason.empty()) declined.reason = "PAYMENT_DECLINED";
      return Outcome{declined, {}};
    }
    const std::string charged = approval->method.empty() ? method : approval->method;
    auto& done = db.stmt(
        "UPDATE payments SET status = 'done', payment_key = ?, method = ?, approved_at = ?, "
        "updated_at = ? WHERE id = ?");
    done.bind(1, payment_key);
    done.bind(2, charged);
    done.bind(3, now);
    done.bind(4, now);
    done.bind(5, payment_id);
    done.exec();
    SHOP_TRY(order_ops::mark_paid_in_tx(db, order_id, charged, now));
    auto earned = ledger::earn_for_order(db, order_id, now);
    if (!earned) return earned.error();

    Outcome out;
    auto info = load_payment(db, user_id, payment_id);
    if (!info) return info.error();
    out.confirmation.payment = std::move(*info);
    out.confirmation.order_status = "paid";
    out.confirmation.earned_points = earned->amount;
    return out;
  });
  if (!outcome) return outcome.error();
  if (outcome->declined) return *outcome->declined;
  outcome->confirmation.task_id = new_uuid();
  return std::move(outcome->confirmation);
}

Result<PaymentStatusInfo> Payments::status(std::int64_t user_id, std::int64_t payment_id) {
  return ctx_.store->read([&](Db& db) -> Result<PaymentStatusInfo> {
    auto& q = db.stmt(
        "SELECT p.id, p.status, o.status, p.order_id FROM payments p "
        "JOIN orders o ON o.id = p.order_id WHERE p.id = ? AND p.user_id = ?");
    q.bind(1, payment_id);
    q.bind(2, user_id);
    if (!q.executeStep()) return payment_not_found();
    PaymentStatusInfo s;
    s.payment_id = q.getColumn(0).getInt64();
    s.status = q.getColumn(1).getString();
    s.is_paid = s.status == "done";
    s.order_status = q.getColumn(2).getString();
    s.order_id = q.getColumn(3).getInt64();
    return s;
  });
}

Result<PaymentInfo> Payments::get(std::int64_t user_id, std::int64_t payment_id) {
  return ctx_.store->read(
      [&](Db& db) -> Result<PaymentInfo> { return load_payment(db, user_id, payment_id); });
}

Result<PaymentPage> Payments::list(std::int64_t user_id, const std::string& status,
                                   std::int64_t page, std::int64_t page_size) {
  if (!status.empty() && !is_valid_status(status)) {
    std::string all;
    for (const char* s : kStatuses) all += std::string(all.empty() ? "" : ", ") + s;
    return Error::invalid("Invalid status. Valid values: " + all + ".", "status");
  }
  if (page < 1) return Error::invalid("page must be at least 1.", "page");
  if (page_size < 1 || page_size > kMaxPageSize) {
    return Error::invalid("page_size must be between 1 and " + std::to_string(kMaxPageSize) + ".",
                          "page_size");
  }
  // Pages beyond the end are empty; guard the offset against overflow.
  const std::int64_t max_offset = INT64_MAX / 2;
  const std::int64_t offset =
      page - 1 > max_offset / page_size ? max_offset : (page - 1) * page_size;
  return ctx_.store->read([&](Db& db) -> Result<PaymentPage> {
    PaymentPage out;
    out.page = page;
    out.page_size = page_size;
    auto& count =
        db.stmt("SELECT COUNT(*) FROM payments WHERE user_id = ?1 AND (?2 = '' OR status = ?2)");
    count.bind(1, user_id);
    count.bind(2, status);
    count.executeStep();
    out.count = count.getColumn(0).getInt64();
    if (offset >= out.count) return out;
    auto& q = db.stmt(std::string(kPaymentSelect) +
                      "WHERE p.user_id = ?1 AND (?2 = '' OR p.status = ?2) "
                      "ORDER BY p.id DESC LIMIT ?3 OFFSET ?4");
    q.bind(1, user_id);
    q.bind(2, status);
    q.bind(3, page_size);
    q.bind(4, offset);
    while (q.executeStep()) out.results.push_back(payment_from_row(q));
    return out;
  });
}

Result<PaymentCancellation> Payments::cancel(std::int64_t user_id, std::int64_t payment_id,
                                             const std::string& reason) {
  SHOP_TRY(check_text(reason, "cancel_reason", kMaxCancelReason));
  const Micros now = ctx_.now();
  return ctx_.store->write([&](Db& db) -> Result<PaymentCancellation> {
    auto payment = load_payment(db, user_id, payment_id);
    if (!payment) return payment.error();
    if (payment->status == "canceled") {
      return Error::invalid("This payment has already been canceled.", "", "ALREADY_CANCELED");
    }
    if (payment->status != "done") {
      return Error::invalid(
          "Only a completed payment can be canceled (status: " + payment->status + ").", "",
          "PAYMENT_NOT_CANCELABLE");
    }
    PaymentCancellation out;
    auto& q = db.stmt("SELECT status FROM orders WHERE id = ?");
    q.bind(1, payment->order_id);
    if (!q.executeStep()) return order_not_found();
    const std::string order_status = q.getColumn(0).getString();
    q.reset();
    if (order_status == "paid") {
      // Stock back, sold_count down (floored), used points refunded, earned points taken back.
      auto fx = order_ops::cancel_in_tx(db, payment->order_id, now);
      if (!fx) return fx.error();
      out.refunded_points = fx->refunded_points;
      out.deducted_points = fx->deducted_points;
    } else if (order_status != "canceled") {
      // A canceled order was already reversed by its own cancel: only the money is left to give
      // back. Orders past `paid` (preparing, shipped, ...) go through returns instead.
      return Error::invalid("The order can no longer be canceled (status: " + order_status + ").",
                            "", "ORDER_NOT_CANCELABLE");
    }
    // The provider goes last: if anything above failed, no money has moved.
    auto refund =
        payments::refund_order_payment_in_tx(*provider_, db, payment->order_id, reason, now);
    if (!refund) return refund.error();
    auto info = load_payment(db, user_id, payment_id);
    if (!info) return info.error();
    out.payment = std::move(*info);
    out.refund_amount = out.payment.canceled_amount;
    return out;
  });
}

Result<PaymentFailure> Payments::fail(std::int64_t user_id, std::int64_t order_id,
                                      const std::string& code, const std::string& message) {
  SHOP_TRY(check_text(code, "code", kMaxFailCode));
  SHOP_TRY(check_text(message, "message", kMaxFailMessage));
  const Micros now = ctx_.now();
  return ctx_.store->write([&](Db& db) -> Result<PaymentFailure> {
    auto order = load_own_order(db, user_id, order_id);
    if (!order) return order.error();
    auto live = live_payment(db, order_id);
    if (!live) {
      auto& last =
          db.stmt("SELECT status FROM payments WHERE order_id = ? ORDER BY id DESC LIMIT 1");
      last.bind(1, order_id);
      if (!last.executeStep()) return payment_not_found();
      if (last.getColumn(0).getString() == "canceled") {
        return Error::invalid("This payment has already been canceled.", "", "ALREADY_CANCELED");
      }
      return Error::invalid("No payment of this order is awaiting confirmation.", "",
                            "PAYMENT_NOT_READY");
    }
    if (live->status == "done") {
      return Error::invalid("This payment has already been completed.", "", "ALREADY_PAID");
    }
    auto& upd = db.stmt(
        "UPDATE payments SET status = 'aborted', failure_reason = ?, updated_at = ? WHERE id = ?");
    upd.bind(1, "[" + code + "] " + message);
    upd.bind(2, now);
    upd.bind(3, live->id);
    upd.exec();
    auto info = load_payment(db, user_id, live->id);
    if (!info) return info.error();
    return PaymentFailure{std::move(*info), code, message};
  });
}

}  // namespace shop
