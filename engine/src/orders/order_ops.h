// order_ops.h — order state changes that run INSIDE a Store::write transaction (private to the
// engine). The orders module composes them; the payments module reuses mark_paid_in_tx and
// cancel_in_tx inside its own write transactions (never call Store::write from inside these).
//
// Every function validates before it writes, so on error it has written nothing and the caller
// may carry on (or return the error to roll back its own writes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shop/clock.h"
#include "shop/orders.h"
#include "shop/result.h"
#include "store/store.h"

namespace shop::order_ops {

// --- intake ---------------------------------------------------------------------------------
// Engine-level checks of the request (blank / too long fields, negative points).
Status validate_request(const OrderRequest& request);
// The whole intake write: see Orders::intake. `require_verified_email` is the engine option.
Result<OrderAccepted> intake_in_tx(store::Db& db, std::int64_t user_id, const OrderRequest& request,
                                   bool require_verified_email, int utc_offset_minutes, Micros now);
// 403 unless the user may order (exists, active, and verified when that is required).
Status check_eligible_in_tx(store::Db& db, std::int64_t user_id, bool require_verified_email);

// --- processing -----------------------------------------------------------------------------
struct Processed {
  ProcessOutcome outcome = ProcessOutcome::kSkipped;
  std::string detail;  // failure_reason when failed; why it was skipped otherwise
};
// What a worker does for one order (see Orders). An error is an internal failure (nothing of this
// order written); business failures are a successful kFailed.
Result<Processed> process_in_tx(store::Db& db, std::int64_t order_id, Micros now);
// Marks a still-pending order failed with `reason` and puts its lines back into the user's cart
// (used when processing keeps failing for internal reasons, so no order stays pending forever).
Result<Processed> fail_in_tx(store::Db& db, std::int64_t order_id, const std::string& reason,
                             Micros now);

// --- cancel / pay ---------------------------------------------------------------------------
struct CancelEffects {
  std::int64_t user_id = 0;
  std::string previous_status;
  std::int64_t restocked_units = 0;
  std::int64_t refunded_points = 0;  // used points given back (cancel_refund)
  std::int64_t deducted_points = 0;  // earned points taken back (cancel_deduct)
};
// Cancels a pending, confirmed or paid order: restores the stock of processed items (stock_state
// 1 -> 2; a paid order's sold_count goes down too, floored at 0), reverses points through
// ledger::reverse_order (refund used, take back earned), sets `canceled` and canceled_at.
// Does not touch payments (the caller decides about its payment row). Errors: not found;
// CANNOT_CANCEL (kConflict) for other statuses; INSUFFICIENT_POINTS when earned points cannot be
// taken back.
Result<CancelEffects> cancel_in_tx(store::Db& db, std::int64_t order_id, Micros now);

// confirmed -> paid: records the payment method and adds the items to sold_count. Does NOT earn
// points: the caller runs ledger::earn_for_order in the same transaction. Errors: not found;
// ORDER_NOT_CONFIRMED (kConflict) when the order is not confirmed.
Status mark_paid_in_tx(store::Db& db, std::int64_t order_id, const std::string& payment_method,
                       Micros now);

// paid -> preparing -> shipped -> delivered. Returns the new status; kConflict otherwise.
Result<std::string> advance_fulfilment_in_tx(store::Db& db, std::int64_t order_id, Micros now);

}  // namespace shop::order_ops
