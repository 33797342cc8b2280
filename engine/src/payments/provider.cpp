#include "payments/provider.h"

#include <string_view>

namespace shop::payments {

namespace {
bool starts_with(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}
}  // namespace

Result<Approval> TestPaymentProvider::confirm(const std::string& payment_key,
                                              const std::string& /*order_ref*/,
                                              std::int64_t amount) {
  if (starts_with(payment_key, "fail_") || starts_with(payment_key, "decline_")) {
    return Error::invalid("The test payment provider declined this payment.", "",
                          "PAYMENT_DECLINED");
  }
  if (amount < 0) return Error::invalid("Invalid payment amount.", "", "INVALID_AMOUNT");
  return Approval{};
}

Result<CancelResult> TestPaymentProvider::cancel(const std::string& payment_key,
                                                 std::int64_t amount,
                                                 const std::string& /*reason*/) {
  if (starts_with(payment_key, "nocancel_")) {
    return Error::invalid("The test payment provider refused to cancel this payment.", "",
                          "CANCEL_REFUSED");
  }
  return CancelResult{amount};
}

}  // namespace shop::payments
