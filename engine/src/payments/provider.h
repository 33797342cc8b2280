// payments/provider.h — the payment gateway interface and the built-in test provider.
//
// A provider answers two questions: approve this payment key for this amount, and refund it.
// Result errors are split by kind:
//   * kInvalidArgument: the provider REFUSED (declined card, refused cancel). A final answer: the
//     payment is marked aborted (confirm) or nothing changes (cancel), and the client gets a 400
//     with the error's reason as "code".
//   * anything else (kUnavailable, kInternal): NO answer (network down, timeout). Nothing changes
//     and the payment stays retryable.
//
// Threading: Payments calls the provider INSIDE its write transaction, so the approval and the
// database changes commit together. That is right for TestPaymentProvider (local, microseconds),
// but a network gateway must not run inside the serialized writer: it needs a two-step flow
// (mark in_progress, call outside the write, finalize or abort in a second write, plus recovery of
// payments left in_progress at start-up — the reference's D10). Implementations must be
// thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "shop/result.h"

namespace shop::payments {

struct Approval {
  std::string method;  // the method the provider charged; empty: the one requested
};

struct CancelResult {
  std::int64_t canceled_amount = 0;
};

class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  virtual std::string name() const = 0;
  // The public key a client's payment window is opened with.
  virtual std::string client_key() const = 0;
  // order_ref: our order id as text (the reference's toss_order_id).
  virtual Result<Approval> confirm(const std::string& payment_key, const std::string& order_ref,
                                   std::int64_t amount) = 0;
  virtual Result<CancelResult> cancel(const std::string& payment_key, std::int64_t amount,
                                      const std::string& reason) = 0;
};

// Approves or declines with no network, by the payment key:
//   * "fail_..." or "decline_..."  -> confirm declined (reason PAYMENT_DECLINED);
//   * "nocancel_..."               -> confirm approved, cancel refused (reason CANCEL_REFUSED);
//   * anything else                -> approved, and cancels succeed. The reference's Locust keys
//     ("test_key_<ms>_<rand>", "test_payment_<id>") are approved.
class TestPaymentProvider final : public PaymentProvider {
 public:
  static constexpr const char* kClientKey = "test_ck_shopd";
  std::string name() const override { return "test"; }
  std::string client_key() const override { return kClientKey; }
  Result<Approval> confirm(const std::string& payment_key, const std::string& order_ref,
                           std::int64_t amount) override;
  Result<CancelResult> cancel(const std::string& payment_key, std::int64_t amount,
                              const std::string& reason) override;
};

}  // namespace shop::payments
