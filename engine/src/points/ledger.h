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
#include <string_view>
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
                               std::optional<std::int64_t> order_id, const std::string& description,
                               Micros now, bool enforce_minimum = true);

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

// ---- Additions beyond the first interface (stable signatures above are unchanged) -------------

// One entry never moves more than this (keeps every running total far from int64 overflow).
constexpr std::int64_t kMaxEntryAmount = 1'000'000'000'000;

// The entry types and their signs: earn, cancel_refund, admin_add, event add (+); use,
// cancel_deduct, expire, admin_deduct take (-).
bool is_entry_type(std::string_view type);
bool is_positive_type(std::string_view type);
const std::vector<std::string>& positive_types();
const std::vector<std::string>& negative_types();

// Tier earn rate in percent: bronze 1, silver 2, gold 3, vip 5; anything else 1.
int earn_rate_percent(std::string_view membership_level);

// What the ledger holds for one order (from point_entries, by order_id).
struct OrderPoints {
  std::int64_t order_id = 0;
  std::int64_t user_id = 0;
  std::string status;
  std::string order_number;
  std::int64_t used = 0;      // points its "use" entry spent (0: none)
  std::int64_t refunded = 0;  // its "cancel_refund" (0: not refunded)
  std::int64_t earned = 0;    // its "earn" lot (0: none)
  std::int64_t earn_entry_id = 0;
  std::int64_t deducted = 0;  // its "cancel_deduct" (0: not taken back)
};
// Errors: unknown order (not found).
Result<OrderPoints> order_points(store::Db& db, std::int64_t order_id);

// The two halves of reverse_order, each at most once per order. Return amount 0 (nothing written)
// when there is nothing (left) to reverse. deduct_order_earn fails with INSUFFICIENT_POINTS when
// the balance is below the earned amount. An empty description gets the default text.
Result<EntryResult> refund_order_use(store::Db& db, std::int64_t order_id, Micros now,
                                     const std::string& description = "");
Result<EntryResult> deduct_order_earn(store::Db& db, std::int64_t order_id, Micros now,
                                      const std::string& description = "");

// spend_fifo with an extra JSON object merged into the entry's metadata (e.g. {"order_id": 7} for
// a standalone burn that names an order without being that order's "use" entry).
Result<EntryResult> spend_fifo_with_metadata(store::Db& db, std::int64_t user_id,
                                             std::int64_t amount,
                                             std::optional<std::int64_t> order_id,
                                             const std::string& description, Micros now,
                                             bool enforce_minimum,
                                             const std::string& extra_metadata_json);

// ---- Expiry (run by Points::expire_due_lots in bounded write transactions) --------------------

// Position in the (expires_at, id) order of due lots; a batch resumes after it, so rows that
// failed are not retried in the same run and settled lots are never rescanned (they leave the
// partial index point_lots_expiry when flagged).
struct ExpiryCursor {
  Micros expires_at = INT64_MIN;
  std::int64_t id = 0;
};
struct ExpiryBatch {
  int scanned = 0;          // due lots looked at
  int expired = 0;          // lots that had a remainder: an "expire" entry each
  int closed = 0;           // lots past date with nothing left: flagged, no entry
  int failed = 0;           // rows skipped because of an error (left unflagged for next run)
  std::int64_t points = 0;  // points expired
  std::vector<std::int64_t> users;  // users whose balance changed (may repeat)
  std::string first_error;
  ExpiryCursor next;
  bool done = false;  // no more due lots after this batch
};
// Expires up to `limit` due lots (expires_at <= now, not flagged) after `from`: each lot with a
// remainder gets an "expire" entry of exactly that remainder (metadata original_history_id,
// original_points, expired_amount) and is flagged (lot_expired = 1, lot_expired_amount,
// lot_remaining = 0); a lot with nothing left is flagged without an entry. Each lot runs in its
// own savepoint: a failing row is rolled back and counted, the others commit.
Result<ExpiryBatch> expire_batch(store::Db& db, Micros now, ExpiryCursor from, int limit);

// ---- Expiry notices -----------------------------------------------------------------------------

constexpr Micros kExpiryNoticeWindow = 7 * kMicrosPerDay;

// Users holding open lots with now < expires_at <= until that were not notified yet.
Result<std::vector<std::int64_t>> users_to_notify(store::Db& db, Micros now, Micros until);
struct NoticeBatch {
  int users_notified = 0;
  int lots_flagged = 0;
};
// For each user: one "point_expiring" notification covering all such lots, each lot flagged
// expiry_notified (so it is announced once). Dates in the message use offset_minutes.
Result<NoticeBatch> notify_users(store::Db& db, const std::vector<std::int64_t>& user_ids,
                                 Micros now, Micros until, int offset_minutes);

}  // namespace shop::ledger
