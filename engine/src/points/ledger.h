// ledger.h — the points ledger's transactional primitives (private to the engine).
//
// Every function here runs INSIDE a Store::write transaction (db is the writer connection) and
// changes users.points / total_earned / total_used together with the point_entries row it writes,
// so the invariants of DESIGN.md §5 hold at every commit:
//   points >= 0; points == sum(entries.points); newest entry's balance == points;
//   per lot 0 <= lot_used + lot_expired_amount <= points, lot_remaining = points - both.
// On error a function has written NOTHING (it validates before it writes), so a caller may carry on
// in the same transaction (e.g. an order worker marking the order failed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shop/clock.h"
#include "shop/result.h"
#include "store/store.h"

namespace shop::ledger {

constexpr std::int64_t kMinimumSpend = 100;
constexpr Micros kLotLifetime = 365 * kMicrosPerDay;  // earn lots expire after a year

struct LotUse {
  std::int64_t lot_id = 0;  // the point_entries id of the lot
  std::int64_t amount = 0;
  std::optional<Micros> expires_at;
};

struct EntryResult {
  std::int64_t entry_id = 0;
  std::int64_t balance_after = 0;
  std::int64_t amount = 0;   // absolute amount moved
  std::vector<LotUse> lots;  // lots consumed (spends, deducts)
};

// Spends `amount` (>= kMinimumSpend unless enforce_minimum is false) FIFO: open lots by
// (expires_at, id) — lots past their date but not yet expired by the job count, as in the
// reference — then the non-expiring remainder of the balance. Type "use" (negative entry).
// Errors (nothing written): invalid amount (reason MINIMUM_AMOUNT_NOT_MET / INVALID_AMOUNT),
// balance too low (reason INSUFFICIENT_POINTS), unknown user (not found).
Result<EntryResult> spend_fifo(store::Db& db, std::int64_t user_id, std::int64_t amount,
                               std::optional<std::int64_t> order_id,
                               const std::string& description, Micros now,
                               bool enforce_minimum = true);

// Grants points: type is "earn", "admin_add", "event" or "cancel_refund". With expires_at the
// entry is a lot. Returns the new entry.
Result<EntryResult> grant(store::Db& db, std::int64_t user_id, const std::string& type,
                          std::int64_t amount, std::optional<Micros> expires_at,
                          std::optional<std::int64_t> order_id, const std::string& description,
                          Micros now, const std::string& metadata_json = "{}");

// Takes points away outside a spend: type "admin_deduct" (FIFO over lots, then the rest).
Result<EntryResult> deduct(store::Db& db, std::int64_t user_id, const std::string& type,
                           std::int64_t amount, std::optional<std::int64_t> order_id,
                           const std::string& description, Micros now);

// Earns for an order that just became paid: floor(total_amount * tier rate) (bronze 1 %, silver
// 2 %, gold 3 %, vip 5 %) as an "earn" lot expiring in a year; nothing when final_amount <= 0.
// Idempotent: at most one earn per order ever (a second call returns amount 0). Records
// orders.earned_points.
Result<EntryResult> earn_for_order(store::Db& db, std::int64_t order_id, Micros now);

// Reverses an order being canceled: refunds what its "use" entry spent (one "cancel_refund") and
// takes back what it earned (one "cancel_deduct", FIFO over unexpired lots, the order's own earn
// lot first). Each at most once per order. Fails with INSUFFICIENT_POINTS (nothing written) when
// the balance cannot cover the earned points being taken back.
struct Reversal {
  std::int64_t refunded = 0;
  std::int64_t deducted = 0;
};
Result<Reversal> reverse_order(store::Db& db, std::int64_t order_id, Micros now);

}  // namespace shop::ledger
