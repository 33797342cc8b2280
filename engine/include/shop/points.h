// shop/points.h — the points ledger: earn by tier, spend FIFO by expiry, expire, reverse.
//
// Every user's balance (`points`) and running totals (`total_earned`, `total_used`) live on the
// user and change in the same write transaction as the ledger entry that explains them, so reads
// here cost O(1) or O(page) however long a user's history is. Positive grants with an expiry are
// lots, spent oldest-expiring first (FIFO by expiry date, then creation) before the non-expiring
// rest of the balance. Order-bound operations (spend on processing, earn on payment, reversal on
// cancel) are transactional helpers used by the orders and payments modules (points/ledger.h).
//
// Error reasons (Error::reason) are the contract's error codes: INVALID_AMOUNT,
// MINIMUM_AMOUNT_NOT_MET, INSUFFICIENT_POINTS, INVALID_ORDER, ORDER_NOT_CANCELED, INVALID_TYPE,
// CANCEL_REFUND_FAILED, CANCEL_DEDUCT_FAILED; Error::field names the input it is about.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shop/clock.h"
#include "shop/result.h"

namespace shop {
namespace detail {
struct EngineContext;
}

// The Korean label of an entry type ("적립", "사용", ...); the type itself if unknown.
std::string point_type_display(std::string_view type);
// Digits grouped by thousands, as the Korean messages show amounts ("100,000").
std::string format_points(std::int64_t v);
// The Korean label of a notification type.
std::string notification_type_display(std::string_view type);

// One ledger entry (the contract's PointHistory), with the lot state when it is a lot.
struct PointEntry {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string type;
  std::int64_t points = 0;   // signed
  std::int64_t balance = 0;  // after this entry
  std::optional<std::int64_t> order_id;
  std::optional<std::string> order_number;
  std::string description;
  std::optional<Micros> expires_at;
  std::string metadata;  // a JSON object (text)
  Micros created_at = 0;
  // Lot state (is_lot only for positive grants with an expiry).
  bool is_lot = false;
  std::int64_t lot_remaining = 0;
  std::int64_t lot_used = 0;
  std::int64_t lot_expired_amount = 0;
  bool lot_expired = false;
  bool expiry_notified = false;
};

struct PointInfo {
  std::int64_t user_id = 0;
  std::string username;
  std::int64_t points = 0;
  std::int64_t total_earned = 0;   // sum of positive entries (running total)
  std::int64_t total_used = 0;     // abs sum of negative entries, incl. expire/cancel_deduct
  std::int64_t expiring_soon = 0;  // remaining amounts of open lots expiring within 30 days
};

struct MyPoints {
  PointInfo info;
  std::vector<PointEntry> recent;  // newest first, up to 5
};

struct HistoryQuery {
  std::string type;  // "" all; "earned" (>0); "used" (<0); else an exact type (unknown: none)
  std::optional<Micros> from;   // created_at >= from (inclusive)
  std::optional<Micros> until;  // created_at < until (exclusive)
  std::int64_t page = 1;        // >= 1
  std::int64_t page_size = 20;  // 1..kMaxHistoryPageSize
};
constexpr std::int64_t kMaxHistoryPageSize = 100;
constexpr std::int64_t kMaxHistoryPage = 1'000'000'000;

struct HistorySummary {
  std::int64_t current_points = 0;
  std::int64_t total_earned = 0;
  std::int64_t total_used = 0;
};

struct HistoryPage {
  std::int64_t count = 0;
  std::int64_t page = 1;
  std::int64_t page_size = 20;
  HistorySummary summary;           // over the whole history, unfiltered
  std::vector<PointEntry> results;  // newest first
};

struct ExpiringMonth {
  std::string month;  // "YYYY-MM" of expires_at in the configured zone
  std::int64_t points = 0;
  std::int64_t count = 0;
};

struct ExpiringReport {
  std::int64_t total_expiring = 0;  // remaining amounts, not full lots (fixes D16)
  std::int64_t days = 30;
  std::vector<ExpiringMonth> monthly_summary;  // by month, ascending
  std::vector<PointEntry> histories;           // lots, by expires_at ascending
};
constexpr std::int64_t kMaxExpiringDays = 3650;

struct PointCheck {
  std::int64_t available_points = 0;
  bool can_use = false;
  std::int64_t max_usable = 0;
  std::string message;
};

struct LotUsage {
  std::int64_t history_id = 0;  // the lot's entry id
  std::int64_t amount = 0;
  std::optional<Micros> expires_at;
};

struct UseResult {
  std::int64_t entry_id = 0;
  std::int64_t used_amount = 0;
  std::int64_t remaining_points = 0;
  std::vector<LotUsage> used_details;
};

struct CancelResult {
  std::int64_t processed_amount = 0;
  std::int64_t remaining_points = 0;
  std::string type;
  std::int64_t order_id = 0;
};

struct TypeTotal {
  std::string type;
  std::int64_t count = 0;
  std::int64_t total = 0;  // signed sum
};

struct PointStatistics {
  std::int64_t current_points = 0;
  std::int64_t this_month_earned = 0;  // since the 1st of the current month (configured zone)
  std::int64_t this_month_used = 0;
  std::int64_t all_time_earned = 0;
  std::int64_t all_time_used = 0;
  std::vector<TypeTotal> by_type;  // one per type present, by type name
};

struct LedgerChange {
  std::int64_t entry_id = 0;
  std::int64_t amount = 0;  // absolute
  std::int64_t balance_after = 0;
};

// The daily expiry batch's outcome.
struct ExpiryRun {
  std::int64_t lots_expired = 0;  // lots with a remainder: one "expire" entry each
  std::int64_t lots_closed = 0;   // lots past date with nothing left: flagged, no entry
  std::int64_t points_expired = 0;
  std::int64_t users_affected = 0;
  std::int64_t failed = 0;  // rows skipped because of an error (retried next run)
  std::int64_t transactions = 0;
  std::string first_error;
};

struct NoticeRun {
  std::int64_t users_notified = 0;  // notifications written
  std::int64_t lots_flagged = 0;
};

struct Notification {
  std::int64_t id = 0;
  std::string type;
  std::string title;
  std::string message;
  std::string link;
  bool is_read = false;
  Micros created_at = 0;
  std::optional<Micros> read_at;
};

struct NotificationPage {
  std::int64_t count = 0;
  std::vector<Notification> results;  // newest first
};

class Points {
 public:
  explicit Points(detail::EngineContext& ctx);
  ~Points();

  // GET /points/my/: balance, running totals, expiring within 30 days, the 5 newest entries.
  Result<MyPoints> my(std::int64_t user_id) const;
  // GET /points/history/. Errors: page/page_size out of range (kInvalidArgument).
  Result<HistoryPage> history(std::int64_t user_id, const HistoryQuery& query) const;
  // GET /points/expiring/: open lots with now < expires_at <= now + days (1..kMaxExpiringDays).
  Result<ExpiringReport> expiring(std::int64_t user_id, std::int64_t days) const;
  // POST /points/check/: whether use_points could pay towards order_amount (>= 0).
  Result<PointCheck> check(std::int64_t user_id, std::int64_t order_amount,
                           std::int64_t use_points) const;
  // POST /points/use/: a standalone FIFO burn (type "use"), >= 100 and <= the balance. order_id,
  // if given, must be the caller's order; it is recorded in the entry's metadata, not as the
  // order's own "use" entry (that one belongs to order processing and is refunded on cancel).
  Result<UseResult> use(std::int64_t user_id, std::int64_t amount,
                        std::optional<std::int64_t> order_id, const std::string& description);
  // POST /points/cancel/: reverses what a canceled order of this user actually used
  // ("cancel_refund") or earned ("cancel_deduct") and was not reversed yet; `amount` must be
  // exactly that. Anything else is an error and changes nothing (fixes D14).
  Result<CancelResult> cancel(std::int64_t user_id, std::int64_t order_id, const std::string& type,
                              std::int64_t amount, const std::string& description);
  // GET /points/statistics/.
  Result<PointStatistics> statistics(std::int64_t user_id) const;

  // The daily expiry job (02:00): expires the remainder of every lot due at `now`, in bounded
  // transactions (kExpiryBatch lots each). Idempotent.
  Result<ExpiryRun> expire_due_lots(Micros now);
  // The daily notice job (10:00): one "point_expiring" notification per user holding lots that
  // expire within 7 days and were not announced yet; each lot is announced once.
  Result<NoticeRun> notify_expiring(Micros now);
  static constexpr int kExpiryBatch = 500;

  // Operator adjustment: amount > 0 grants "admin_add" (no expiry), amount < 0 takes "admin_deduct"
  // FIFO (INSUFFICIENT_POINTS if the balance is too low).
  Result<LedgerChange> admin_adjust(std::int64_t user_id, std::int64_t amount,
                                    const std::string& reason);
  // Grants `amount` of a positive type (earn, admin_add, event, cancel_refund); with expires_at the
  // entry is a lot. For test data and tools; orders earn through the order flow.
  Result<LedgerChange> grant_lot(std::int64_t user_id, std::int64_t amount,
                                 std::optional<Micros> expires_at, const std::string& type,
                                 const std::string& description);

  // Notifications (the minimal /api/notifications/ API).
  Result<NotificationPage> notifications(std::int64_t user_id, std::int64_t page,
                                         std::int64_t page_size) const;
  Result<NotificationPage> unread_notifications(std::int64_t user_id, std::int64_t limit = 5) const;
  // One of the user's notifications, marked read (not found: kNotFound).
  Result<Notification> read_notification(std::int64_t user_id, std::int64_t id);

 private:
  detail::EngineContext& ctx_;
};

}  // namespace shop
