// shop/payments.h — payments of confirmed orders against a provider interface.
//
// Flow (the reference's Toss flow, contract §1e): request() creates (or reuses) a `ready` payment
// for a `confirmed` order; confirm() asks the provider to approve it and, in the same write
// transaction, marks the payment `done`, the order `paid` (sold_count += quantities) and earns the
// order's points once. cancel() of a `done` payment reverses all of it in one transaction. The
// built-in provider is TestPaymentProvider (no network; see payments/provider.h for which keys it
// declines), so confirm completes synchronously: no payment is ever left `in_progress` (D10).
//
// Payment statuses: ready, in_progress, waiting_for_deposit, done, canceled, partial_canceled,
// aborted, expired (shopd writes ready, done, canceled and aborted).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shop/clock.h"
#include "shop/result.h"

namespace shop {
namespace detail {
struct EngineContext;
}
namespace payments {
class PaymentProvider;
}

struct PaymentInfo {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  std::int64_t user_id = 0;
  std::string order_number;
  std::int64_t amount = 0;
  std::string status;
  std::string method;
  std::optional<std::string> payment_key;
  std::string failure_reason;
  std::int64_t canceled_amount = 0;
  std::string cancel_reason;
  std::optional<Micros> approved_at;
  std::optional<Micros> canceled_at;
  Micros created_at = 0;
  Micros updated_at = 0;
  // From the order, for the reference's payment serializer.
  std::int64_t used_points = 0;
  std::int64_t earned_points = 0;
  bool is_paid() const { return status == "done"; }
};

// What a client needs to open the provider's payment window (reference PaymentRequestView).
struct PaymentRequestInfo {
  std::int64_t payment_id = 0;
  std::int64_t order_id = 0;
  std::string order_name;  // "<first item> 외 N건", or the item name alone
  std::string customer_name;
  std::string customer_email;
  std::int64_t amount = 0;
  std::string client_key;
};

struct PaymentConfirmation {
  PaymentInfo payment;
  std::string order_status;  // "paid"
  std::int64_t earned_points = 0;
  std::string task_id;  // a fresh uuid: clients of the reference print it
};

struct PaymentStatusInfo {
  std::int64_t payment_id = 0;
  std::string status;
  bool is_paid = false;
  std::string order_status;
  std::int64_t order_id = 0;
};

struct PaymentPage {
  std::int64_t count = 0;
  std::int64_t page = 1;
  std::int64_t page_size = 10;
  std::vector<PaymentInfo> results;
};

struct PaymentCancellation {
  PaymentInfo payment;
  std::int64_t refund_amount = 0;
  std::int64_t refunded_points = 0;
  std::int64_t deducted_points = 0;
};

struct PaymentFailure {
  PaymentInfo payment;
  std::string fail_code;
  std::string fail_message;
};

class Payments {
 public:
  static constexpr std::int64_t kMaxPageSize = 100;
  static constexpr std::size_t kMaxCancelReason = 200;
  static constexpr std::size_t kMaxPaymentKey = 200;
  static constexpr std::size_t kMaxMethod = 50;
  static constexpr std::size_t kMaxFailCode = 100;
  static constexpr std::size_t kMaxFailMessage = 500;

  explicit Payments(detail::EngineContext& ctx);
  ~Payments();

  // Replaces the provider (tests, or a real gateway later). Not thread-safe against running calls:
  // set it before serving requests.
  void set_provider(std::unique_ptr<payments::PaymentProvider> provider);
  // The provider in use (for engine code that refunds inside its own transaction; see
  // payments/payment_ops.h).
  payments::PaymentProvider& provider() { return *provider_; }

  // The caller's `confirmed` order gets a `ready` payment of its final_amount (an existing ready
  // one is reused). Errors: order missing or not the caller's -> kNotFound; not confirmed, already
  // paid, no items, bad method -> kInvalidArgument/kConflict with a message.
  Result<PaymentRequestInfo> request(std::int64_t user_id, std::int64_t order_id,
                                     const std::string& method);

  // Approves the order's ready payment (created on the fly from a confirmed order when there is
  // none, as the reference's Locust PaymentUser confirms without a request). `amount` must equal
  // the payment's amount. One write: provider approval, payment done, order paid, sold_count,
  // points earned once. A declined key commits the payment as `aborted` (the order stays
  // confirmed) and returns kInvalidArgument with reason "PAYMENT_DECLINED".
  Result<PaymentConfirmation> confirm(std::int64_t user_id, std::int64_t order_id,
                                      const std::string& payment_key, std::int64_t amount);

  Result<PaymentStatusInfo> status(std::int64_t user_id, std::int64_t payment_id);
  Result<PaymentInfo> get(std::int64_t user_id, std::int64_t payment_id);
  // Newest first. status: one of the statuses above, or empty for all; page >= 1;
  // 1 <= page_size <= kMaxPageSize (else kInvalidArgument).
  Result<PaymentPage> list(std::int64_t user_id, const std::string& status, std::int64_t page,
                           std::int64_t page_size);

  // Cancels a `done` payment in one write: provider cancel, payment canceled, order canceled with
  // stock restored and sold_count decremented (floored at 0), used points refunded and earned
  // points taken back once. A balance too low to take the earned points back -> kInvalidArgument
  // (reason INSUFFICIENT_POINTS) and nothing changes.
  Result<PaymentCancellation> cancel(std::int64_t user_id, std::int64_t payment_id,
                                     const std::string& reason);

  // The provider's window reported a failure: the order's ready payment becomes `aborted` with
  // failure_reason "[code] message".
  Result<PaymentFailure> fail(std::int64_t user_id, std::int64_t order_id, const std::string& code,
                              const std::string& message);

  static bool is_valid_status(const std::string& status);

 private:
  detail::EngineContext& ctx_;
  std::unique_ptr<payments::PaymentProvider> provider_;
};

}  // namespace shop
