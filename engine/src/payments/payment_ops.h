// payments/payment_ops.h — payment steps that run INSIDE a Store::write transaction (private to
// the engine), for the payments module and for order cancels that must give the money back.
#pragma once

#include <cstdint>
#include <string>

#include "payments/provider.h"
#include "shop/clock.h"
#include "shop/result.h"
#include "store/store.h"

namespace shop::payments {

// Refunds the order's `done` payment through the provider and marks it `canceled`
// (canceled_amount, cancel_reason, canceled_at). Returns the amount refunded; 0 (nothing written,
// provider not called) when the order has no done payment. A provider refusal or outage is an
// error and nothing is written, so the caller's transaction rolls back with it. Call it after
// the order's own changes: the provider is the one step that cannot be rolled back.
//   Orders::cancel of a paid order:
//     payments::refund_order_payment_in_tx(ctx_.payments->provider(), db, order_id,
//                                          "order canceled", now);
Result<std::int64_t> refund_order_payment_in_tx(PaymentProvider& provider, store::Db& db,
                                                std::int64_t order_id, const std::string& reason,
                                                Micros now);

}  // namespace shop::payments
