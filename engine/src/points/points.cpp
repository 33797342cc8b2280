// points.cpp — the public Points module: read models over the ledger (O(1)/O(page) per request,
// from running totals and indexes), the user-facing use/cancel operations, the daily jobs, and
// the minimal notifications API. Mutations go through points/ledger.h.
#include "shop/points.h"

#include <nlohmann/json.hpp>
#include <unordered_set>

#include "engine_context.h"
#include "points/ledger.h"
#include "shop/timefmt.h"

namespace shop {

using json = nlohmann::json;

std::string point_type_display(std::string_view type) {
  if (type == "earn") return "적립";
  if (type == "use") return "사용";
  if (type == "cancel_refund") return "취소 환불";
  if (type == "cancel_deduct") return "취소 차감";
  if (type == "expire") return "만료";
  if (type == "admin_add") return "관리자 지급";
  if (type == "admin_deduct") return "관리자 차감";
  if (type == "event") return "이벤트";
  return std::string(type);
}

std::string format_points(std::int64_t v) {
  std::string digits = std::to_string(v);
  const size_t sign = v < 0 ? 1 : 0;
  std::string out = digits.substr(0, sign);
  for (size_t i = sign; i < digits.size(); ++i) {
    if (i > sign && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string notification_type_display(std::string_view type) {
  if (type == "qa_answer") return "상품 문의 답변";
  if (type == "order_status") return "주문 상태 변경";
  if (type == "point_earned") return "포인트 적립";
  if (type == "point_expiring") return "포인트 만료 예정";
  if (type == "review_reply") return "리뷰 답글";
  if (type == "return") return "교환/환불";
  return std::string(type);
}

namespace {

const char* const kEntryColumns =
    "SELECT e.id, e.user_id, e.type, e.points, e.balance, e.order_id, o.order_number, "
    "e.description, e.expires_at, e.lot_remaining, e.lot_used, e.lot_expired_amount, "
    "e.lot_expired, e.expiry_notified, e.metadata, e.created_at "
    "FROM point_entries e LEFT JOIN orders o ON o.id = e.order_id ";

PointEntry read_entry(SQLite::Statement& q) {
  PointEntry e;
  e.id = q.getColumn(0).getInt64();
  e.user_id = q.getColumn(1).getInt64();
  e.type = q.getColumn(2).getString();
  e.points = q.getColumn(3).getInt64();
  e.balance = q.getColumn(4).getInt64();
  if (!q.getColumn(5).isNull()) e.order_id = q.getColumn(5).getInt64();
  if (!q.getColumn(6).isNull()) e.order_number = q.getColumn(6).getString();
  e.description = q.getColumn(7).getString();
  if (!q.getColumn(8).isNull()) e.expires_at = q.getColumn(8).getInt64();
  e.is_lot = !q.getColumn(9).isNull();
  if (e.is_lot) e.lot_remaining = q.getColumn(9).getInt64();
  e.lot_used = q.getColumn(10).getInt64();
  e.lot_expired_amount = q.getColumn(11).getInt64();
  e.lot_expired = q.getColumn(12).getInt64() != 0;
  e.expiry_notified = q.getColumn(13).getInt64() != 0;
  e.metadata = q.getColumn(14).getString();
  e.created_at = q.getColumn(15).getInt64();
  return e;
}

std::vector<PointEntry> read_entries(SQLite::Statement& q) {
  std::vector<PointEntry> out;
  while (q.executeStep()) out.push_back(read_entry(q));
  q.reset();
  return out;
}

struct UserRow {
  std::string username;
  std::int64_t points = 0, total_earned = 0, total_used = 0;
};

Result<UserRow> load_user(store::Db& db, std::int64_t user_id) {
  auto& q = db.stmt("SELECT username, points, total_earned, total_used FROM users WHERE id = ?");
  q.bind(1, user_id);
  if (!q.executeStep()) return Error::not_found("사용자를 찾을 수 없습니다.");
  UserRow u{q.getColumn(0).getString(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
            q.getColumn(3).getInt64()};
  q.reset();
  return u;
}

// Remaining amounts of open lots with now < expires_at <= until (point_lots_user_fifo).
std::int64_t expiring_sum(store::Db& db, std::int64_t user_id, Micros now, Micros until) {
  auto& q = db.stmt(
      "SELECT COALESCE(SUM(lot_remaining), 0) FROM point_entries WHERE user_id = ? "
      "AND lot_remaining > 0 AND lot_expired = 0 AND expires_at > ? AND expires_at <= ?");
  q.bind(1, user_id);
  q.bind(2, now);
  q.bind(3, until);
  q.executeStep();
  const std::int64_t v = q.getColumn(0).getInt64();
  q.reset();
  return v;
}

std::string in_list(const std::vector<std::string>& types) {
  std::string s = "(";
  for (size_t i = 0; i < types.size(); ++i) s += (i ? ", '" : "'") + types[i] + "'";
  return s + ")";
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

Notification read_notification_row(SQLite::Statement& q) {
  Notification n;
  n.id = q.getColumn(0).getInt64();
  n.type = q.getColumn(1).getString();
  n.title = q.getColumn(2).getString();
  n.message = q.getColumn(3).getString();
  n.link = q.getColumn(4).getString();
  n.is_read = q.getColumn(5).getInt64() != 0;
  n.created_at = q.getColumn(6).getInt64();
  if (!q.getColumn(7).isNull()) n.read_at = q.getColumn(7).getInt64();
  return n;
}

const char* const kNotificationColumns =
    "SELECT id, notification_type, title, message, link, is_read, created_at, read_at "
    "FROM notifications ";

}  // namespace

Points::Points(detail::EngineContext& ctx) : ctx_(ctx) {}
Points::~Points() = default;

// ---- reads ------------------------------------------------------------------------------------

Result<MyPoints> Points::my(std::int64_t user_id) const {
  const Micros now = ctx_.now();
  return ctx_.store->read([&](store::Db& db) -> Result<MyPoints> {
    auto user = load_user(db, user_id);
    if (!user) return user.error();
    MyPoints out;
    out.info = {user_id,          user->username,
                user->points,     user->total_earned,
                user->total_used, expiring_sum(db, user_id, now, now + 30 * kMicrosPerDay)};
    auto& q =
        db.stmt(std::string(kEntryColumns) + "WHERE e.user_id = ? ORDER BY e.id DESC LIMIT 5");
    q.bind(1, user_id);
    out.recent = read_entries(q);
    return out;
  });
}

Result<HistoryPage> Points::history(std::int64_t user_id, const HistoryQuery& query) const {
  if (query.page < 1 || query.page > kMaxHistoryPage) {
    return Error::invalid("page must be between 1 and " + std::to_string(kMaxHistoryPage) + ".",
                          "page");
  }
  if (query.page_size < 1 || query.page_size > kMaxHistoryPageSize) {
    return Error::invalid(
        "page_size must be between 1 and " + std::to_string(kMaxHistoryPageSize) + ".",
        "page_size");
  }
  enum class Filter { kAll, kEarned, kUsed, kExact, kNone } filter = Filter::kAll;
  if (query.type.empty()) {
    filter = Filter::kAll;
  } else if (query.type == "earned") {
    filter = Filter::kEarned;
  } else if (query.type == "used") {
    filter = Filter::kUsed;
  } else if (ledger::is_entry_type(query.type)) {
    filter = Filter::kExact;
  } else {
    filter = Filter::kNone;  // an unknown type matches nothing
  }
  return ctx_.store->read([&](store::Db& db) -> Result<HistoryPage> {
    auto user = load_user(db, user_id);
    if (!user) return user.error();
    HistoryPage out;
    out.page = query.page;
    out.page_size = query.page_size;
    out.summary = {user->points, user->total_earned, user->total_used};
    if (filter == Filter::kNone) return out;

    std::string where = "WHERE e.user_id = ?1";
    if (filter == Filter::kEarned) where += " AND e.points > 0";
    if (filter == Filter::kUsed) where += " AND e.points < 0";
    if (filter == Filter::kExact) where += " AND e.type = ?2";
    if (query.from) where += " AND e.created_at >= ?3";
    if (query.until) where += " AND e.created_at < ?4";
    auto bind_filters = [&](SQLite::Statement& q) {
      q.bind(1, user_id);
      if (filter == Filter::kExact) q.bind(2, query.type);
      if (query.from) q.bind(3, *query.from);
      if (query.until) q.bind(4, *query.until);
    };

    if (!query.from && !query.until) {
      // Counts come from the per-type totals the ledger keeps: O(types), not O(history).
      std::string sql =
          "SELECT COALESCE(SUM(entries), 0) FROM point_type_totals WHERE user_id = ?1";
      if (filter == Filter::kEarned) sql += " AND type IN " + in_list(ledger::positive_types());
      if (filter == Filter::kUsed) sql += " AND type IN " + in_list(ledger::negative_types());
      if (filter == Filter::kExact) sql += " AND type = ?2";
      auto& c = db.stmt(sql);
      c.bind(1, user_id);
      if (filter == Filter::kExact) c.bind(2, query.type);
      c.executeStep();
      out.count = c.getColumn(0).getInt64();
      c.reset();
    } else {
      // A date range counts over the (user_id, created_at) index: O(entries in the range).
      auto& c = db.stmt("SELECT COUNT(*) FROM point_entries e " + where);
      bind_filters(c);
      c.executeStep();
      out.count = c.getColumn(0).getInt64();
      c.reset();
    }
    const std::int64_t offset = (query.page - 1) * query.page_size;
    if (offset >= out.count) return out;
    auto& q =
        db.stmt(std::string(kEntryColumns) + where + " ORDER BY e.id DESC LIMIT ?5 OFFSET ?6");
    bind_filters(q);
    q.bind(5, query.page_size);
    q.bind(6, offset);
    out.results = read_entries(q);
    return out;
  });
}

Result<ExpiringReport> Points::expiring(std::int64_t user_id, std::int64_t days) const {
  if (days < 1 || days > kMaxExpiringDays) {
    return Error::invalid("days must be between 1 and " + std::to_string(kMaxExpiringDays) + ".",
                          "days");
  }
  const Micros now = ctx_.now();
  const int offset = ctx_.options.utc_offset_minutes;
  return ctx_.store->read([&](store::Db& db) -> Result<ExpiringReport> {
    auto user = load_user(db, user_id);
    if (!user) return user.error();
    ExpiringReport out;
    out.days = days;
    auto& q = db.stmt(std::string(kEntryColumns) +
                      "WHERE e.user_id = ? AND e.lot_remaining > 0 AND e.lot_expired = 0 "
                      "AND e.expires_at > ? AND e.expires_at <= ? ORDER BY e.expires_at, e.id");
    q.bind(1, user_id);
    q.bind(2, now);
    q.bind(3, now + days * kMicrosPerDay);
    out.histories = read_entries(q);
    for (const auto& e : out.histories) {
      out.total_expiring += e.lot_remaining;
      const std::string month = timefmt::format_month(*e.expires_at, offset);
      if (out.monthly_summary.empty() || out.monthly_summary.back().month != month) {
        out.monthly_summary.push_back({month, 0, 0});
      }
      out.monthly_summary.back().points += e.lot_remaining;
      out.monthly_summary.back().count += 1;
    }
    return out;
  });
}

Result<PointCheck> Points::check(std::int64_t user_id, std::int64_t order_amount,
                                 std::int64_t use_points) const {
  if (order_amount < 0) {
    return Error::invalid("주문 금액은 0 이상이어야 합니다.", "order_amount", "INVALID_AMOUNT");
  }
  if (use_points < 0) {
    return Error::invalid("사용 포인트는 0 이상이어야 합니다.", "use_points", "INVALID_AMOUNT");
  }
  auto user = ctx_.store->read([&](store::Db& db) { return load_user(db, user_id); });
  if (!user) return user.error();
  PointCheck out;
  out.available_points = user->points;
  out.max_usable = std::min(user->points, order_amount);
  if (use_points == 0) {
    out.can_use = true;
    out.message = "포인트를 사용하지 않습니다.";
  } else if (use_points < ledger::kMinimumSpend) {
    out.message = "최소 100포인트 이상 사용 가능합니다.";
  } else if (use_points > user->points) {
    out.message = "보유 포인트가 부족합니다. (보유: " + format_points(user->points) + "P)";
  } else if (use_points > order_amount) {
    out.message = "주문 금액을 초과하여 사용할 수 없습니다.";
  } else {
    out.can_use = true;
    out.message = format_points(use_points) + "포인트 사용 가능합니다.";
  }
  return out;
}

Result<PointStatistics> Points::statistics(std::int64_t user_id) const {
  const Micros now = ctx_.now();
  const int offset = ctx_.options.utc_offset_minutes;
  // The 1st of the current month, 00:00 in the configured zone.
  int y;
  unsigned m, d;
  timefmt::civil_from_days(
      floor_div(now + static_cast<Micros>(offset) * 60 * kMicrosPerSecond, kMicrosPerDay), y, m, d);
  const Micros month_start = timefmt::local_day_start(timefmt::days_from_civil(y, m, 1), offset);
  return ctx_.store->read([&](store::Db& db) -> Result<PointStatistics> {
    auto user = load_user(db, user_id);
    if (!user) return user.error();
    PointStatistics out;
    out.current_points = user->points;
    out.all_time_earned = user->total_earned;
    out.all_time_used = user->total_used;
    {
      auto& q = db.stmt(
          "SELECT COALESCE(SUM(CASE WHEN points > 0 THEN points END), 0), "
          "COALESCE(SUM(CASE WHEN points < 0 THEN -points END), 0) FROM point_entries "
          "WHERE user_id = ? AND created_at >= ?");
      q.bind(1, user_id);
      q.bind(2, month_start);
      q.executeStep();
      out.this_month_earned = q.getColumn(0).getInt64();
      out.this_month_used = q.getColumn(1).getInt64();
      q.reset();
    }
    auto& q = db.stmt(
        "SELECT type, entries, points FROM point_type_totals WHERE user_id = ? AND entries > 0 "
        "ORDER BY type");
    q.bind(1, user_id);
    while (q.executeStep()) {
      out.by_type.push_back(
          {q.getColumn(0).getString(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64()});
    }
    q.reset();
    return out;
  });
}

// ---- user operations ----------------------------------------------------------------------------

Result<UseResult> Points::use(std::int64_t user_id, std::int64_t amount,
                              std::optional<std::int64_t> order_id,
                              const std::string& description) {
  if (amount < 1) {
    return Error::invalid("사용 포인트는 0보다 커야 합니다.", "amount", "INVALID_AMOUNT");
  }
  if (amount < ledger::kMinimumSpend) {
    return Error::invalid("최소 100포인트 이상 사용 가능합니다.", "amount",
                          "MINIMUM_AMOUNT_NOT_MET");
  }
  const Micros now = ctx_.now();
  return ctx_.store->write([&](store::Db& db) -> Result<UseResult> {
    json extra = json::object();
    if (order_id) {
      auto& q = db.stmt("SELECT user_id FROM orders WHERE id = ?");
      q.bind(1, *order_id);
      const bool mine = q.executeStep() && q.getColumn(0).getInt64() == user_id;
      q.reset();
      if (!mine) {
        return Error::invalid("유효하지 않은 주문입니다.", "order_id", "INVALID_ORDER");
      }
      extra["order_id"] = *order_id;
    }
    auto r = ledger::spend_fifo_with_metadata(db, user_id, amount, std::nullopt, description, now,
                                              true, extra.dump());
    if (!r) return r.error();
    UseResult out;
    out.entry_id = r->entry_id;
    out.used_amount = r->amount;
    out.remaining_points = r->balance_after;
    for (const auto& l : r->lots) out.used_details.push_back({l.lot_id, l.amount, l.expires_at});
    return out;
  });
}

Result<CancelResult> Points::cancel(std::int64_t user_id, std::int64_t order_id,
                                    const std::string& type, std::int64_t amount,
                                    const std::string& description) {
  if (type != "cancel_refund" && type != "cancel_deduct") {
    return Error::invalid("유효하지 않은 취소 유형입니다. (cancel_deduct, cancel_refund)", "type",
                          "INVALID_TYPE");
  }
  if (amount < 1) {
    return Error::invalid("포인트는 0보다 커야 합니다.", "amount", "INVALID_AMOUNT");
  }
  const Micros now = ctx_.now();
  return ctx_.store->write([&](store::Db& db) -> Result<CancelResult> {
    auto op = ledger::order_points(db, order_id);
    if (!op || op->user_id != user_id) {
      if (!op && op.error().code != ErrorCode::kNotFound) return op.error();
      return Error::invalid("유효하지 않은 주문입니다.", "order_id", "INVALID_ORDER");
    }
    if (op->status != "canceled") {
      return Error::invalid("취소된 주문에 대해서만 포인트를 처리할 수 있습니다.", "order_id",
                            "ORDER_NOT_CANCELED");
    }
    const bool refund = type == "cancel_refund";
    const std::int64_t owed = refund ? op->used : op->earned;
    const bool done = refund ? op->refunded > 0 : op->deducted > 0;
    const char* failed = refund ? "CANCEL_REFUND_FAILED" : "CANCEL_DEDUCT_FAILED";
    if (owed <= 0) {
      return Error::invalid(refund ? "이 주문에서 사용한 포인트가 없습니다."
                                   : "이 주문으로 적립된 포인트가 없습니다.",
                            "", failed);
    }
    if (done) {
      return Error::invalid(refund ? "이 주문의 사용 포인트는 이미 환불되었습니다."
                                   : "이 주문의 적립 포인트는 이미 회수되었습니다.",
                            "", failed);
    }
    if (amount != owed) {
      return Error::invalid((refund ? "환불할 수 있는 포인트는 " : "회수할 포인트는 ") +
                                format_points(owed) + "P입니다.",
                            "amount", "INVALID_AMOUNT");
    }
    auto r = refund ? ledger::refund_order_use(db, order_id, now, description)
                    : ledger::deduct_order_earn(db, order_id, now, description);
    if (!r) return r.error();
    if (r->amount != owed) return Error::internal("points: reversal amount mismatch");
    return CancelResult{r->amount, r->balance_after, type, order_id};
  });
}

// ---- jobs ---------------------------------------------------------------------------------------

Result<ExpiryRun> Points::expire_due_lots(Micros now) {
  ExpiryRun run;
  std::unordered_set<std::int64_t> users;
  ledger::ExpiryCursor cursor;
  while (true) {
    auto batch = ctx_.store->write(
        [&](store::Db& db) { return ledger::expire_batch(db, now, cursor, kExpiryBatch); });
    if (!batch) return batch.error();
    ++run.transactions;
    run.lots_expired += batch->expired;
    run.lots_closed += batch->closed;
    run.points_expired += batch->points;
    run.failed += batch->failed;
    if (run.first_error.empty()) run.first_error = batch->first_error;
    users.insert(batch->users.begin(), batch->users.end());
    cursor = batch->next;
    if (batch->done) break;
  }
  run.users_affected = static_cast<std::int64_t>(users.size());
  return run;
}

Result<NoticeRun> Points::notify_expiring(Micros now) {
  const Micros until = now + ledger::kExpiryNoticeWindow;
  auto users =
      ctx_.store->read([&](store::Db& db) { return ledger::users_to_notify(db, now, until); });
  if (!users) return users.error();
  NoticeRun run;
  constexpr size_t kUsersPerTransaction = 200;
  for (size_t i = 0; i < users->size(); i += kUsersPerTransaction) {
    std::vector<std::int64_t> chunk(users->begin() + static_cast<std::ptrdiff_t>(i),
                                    users->begin() + static_cast<std::ptrdiff_t>(std::min(
                                                         i + kUsersPerTransaction, users->size())));
    auto batch = ctx_.store->write([&](store::Db& db) {
      return ledger::notify_users(db, chunk, now, until, ctx_.options.utc_offset_minutes);
    });
    if (!batch) return batch.error();
    run.users_notified += batch->users_notified;
    run.lots_flagged += batch->lots_flagged;
  }
  return run;
}

// ---- operators and test data --------------------------------------------------------------------

Result<LedgerChange> Points::admin_adjust(std::int64_t user_id, std::int64_t amount,
                                          const std::string& reason) {
  if (amount == 0 || amount < -ledger::kMaxEntryAmount || amount > ledger::kMaxEntryAmount) {
    return Error::invalid("조정 포인트가 올바르지 않습니다.", "amount", "INVALID_AMOUNT");
  }
  const Micros now = ctx_.now();
  auto r = ctx_.store->write([&](store::Db& db) {
    return amount > 0
               ? ledger::grant(db, user_id, "admin_add", amount, std::nullopt, std::nullopt,
                               reason.empty() ? "관리자 지급" : reason, now)
               : ledger::deduct(db, user_id, "admin_deduct", -amount, std::nullopt, reason, now);
  });
  if (!r) return r.error();
  return LedgerChange{r->entry_id, r->amount, r->balance_after};
}

Result<LedgerChange> Points::grant_lot(std::int64_t user_id, std::int64_t amount,
                                       std::optional<Micros> expires_at, const std::string& type,
                                       const std::string& description) {
  const Micros now = ctx_.now();
  auto r = ctx_.store->write([&](store::Db& db) {
    return ledger::grant(db, user_id, type, amount, expires_at, std::nullopt,
                         description.empty() ? point_type_display(type) : description, now);
  });
  if (!r) return r.error();
  return LedgerChange{r->entry_id, r->amount, r->balance_after};
}

// ---- notifications ------------------------------------------------------------------------------

Result<NotificationPage> Points::notifications(std::int64_t user_id, std::int64_t page,
                                               std::int64_t page_size) const {
  if (page < 1 || page_size < 1 || page_size > 100 || page > kMaxHistoryPage) {
    return Error::invalid("Invalid page.", "page");
  }
  return ctx_.store->read([&](store::Db& db) -> Result<NotificationPage> {
    NotificationPage out;
    out.count = [&] {
      auto& c = db.stmt("SELECT COUNT(*) FROM notifications WHERE user_id = ?");
      c.bind(1, user_id);
      c.executeStep();
      const std::int64_t n = c.getColumn(0).getInt64();
      c.reset();
      return n;
    }();
    auto& q = db.stmt(std::string(kNotificationColumns) +
                      "WHERE user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?");
    q.bind(1, user_id);
    q.bind(2, page_size);
    q.bind(3, (page - 1) * page_size);
    while (q.executeStep()) out.results.push_back(read_notification_row(q));
    q.reset();
    return out;
  });
}

Result<NotificationPage> Points::unread_notifications(std::int64_t user_id,
                                                      std::int64_t limit) const {
  return ctx_.store->read([&](store::Db& db) -> Result<NotificationPage> {
    NotificationPage out;
    auto& c = db.stmt("SELECT COUNT(*) FROM notifications WHERE user_id = ? AND is_read = 0");
    c.bind(1, user_id);
    c.executeStep();
    out.count = c.getColumn(0).getInt64();
    c.reset();
    auto& q = db.stmt(std::string(kNotificationColumns) +
                      "WHERE user_id = ? AND is_read = 0 ORDER BY id DESC LIMIT ?");
    q.bind(1, user_id);
    q.bind(2, limit);
    while (q.executeStep()) out.results.push_back(read_notification_row(q));
    q.reset();
    return out;
  });
}

Result<Notification> Points::read_notification(std::int64_t user_id, std::int64_t id) {
  const Micros now = ctx_.now();
  return ctx_.store->write([&](store::Db& db) -> Result<Notification> {
    auto& upd = db.stmt(
        "UPDATE notifications SET is_read = 1, read_at = ? WHERE id = ? AND user_id = ? "
        "AND is_read = 0");
    upd.bind(1, now);
    upd.bind(2, id);
    upd.bind(3, user_id);
    upd.exec();
    auto& q = db.stmt(std::string(kNotificationColumns) + "WHERE id = ? AND user_id = ?");
    q.bind(1, id);
    q.bind(2, user_id);
    if (!q.executeStep()) return Error::not_found("찾을 수 없습니다.");
    Notification n = read_notification_row(q);
    q.reset();
    return n;
  });
}

}  // namespace shop
