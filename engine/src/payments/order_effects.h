// payments/order_effects.h — what a payment does to its order, inside the payment's write
// transaction (private to the engine).
//
// These stand in for the orders module's transactional helpers (engine/src/orders/order_ops.h)
// until they exist; they follow DESIGN.md §4 and the schema's stock accounting (order_items
// stock_state 1 = taken, 2 = taken and returned).
#pragma once

#include <cstdint>
#include <string>

#include "points/ledger.h"
#include "shop/clock.h"
#include "shop/result.h"
#include "store/store.h"

namespace shop::payments {

// confirmed -> paid: records the payment method and adds every taken item's quantity to its
// product's sold_count. Error (nothing written) if the order is not `confirmed`.
Status mark_order_paid(store::Db& db, std::int64_t order_id, const std::string& method, Micros now);

// paid/preparing -> canceled: used points refunded and earned points taken back once
// (ledger::reverse_order; INSUFFICIENT_POINTS when the balance cannot cover them), stock of every
// taken item restored (stock_state 1 -> 2), sold_count decremented floored at 0.
Result<ledger::Reversal> cancel_paid_order(store::Db& db, std::int64_t order_id, Micros now);

}  // namespace shop::payments
