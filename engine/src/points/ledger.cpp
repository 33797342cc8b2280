// ledger.cpp — the points ledger's transactional primitives (see ledger.h for the contract).
//
// Shape of every mutation: read what is needed, validate, plan (which lots pay, how much), and only
// then write — the entry, the lot updates, the user's balance and running totals, and the per-type
// totals — so an error return has written nothing. Lot reads are finished (statement reset) before
// any lot is updated: SQLite leaves a scan undefined if the rows under it change.
#include "points/ledger.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>

#include "shop/points.h"
#include "shop/timefmt.h"

namespace shop::ledger {

using json = nlohmann::json;

namespace {

// Stored metadata times are UTC ISO-8601, as Django's isoformat() of an aware UTC datetime.
std::string iso_utc(Micros t) {
  return timefmt::format_datetime(t, 0);
}

struct UserBalance {
  std::int64_t points = 0;
  std::int64_t total_earned = 0;
  std::int64_t total_used = 0;
  std::string level;
};

Result<UserBalance> load_user(store::Db& db, std::int64_t user_id) {
  auto& q =
      db.stmt("SELECT points, total_earned, total_used, membership_level FROM users WHERE id = ?");
  q.bind(1, user_id);
  if (!q.executeStep()) return Error::not_found("사용자를 찾을 수 없습니다.");
  UserBalance u;
  u.points = q.getColumn(0).getInt64();
  u.total_earned = q.getColumn(1).getInt64();
  u.total_used = q.getColumn(2).getInt64();
  u.level = q.getColumn(3).getString();
  q.reset();
  return u;
}

Error insufficient(std::int64_t balance) {
  return Error::invalid("보유 포인트가 부족합니다. (보유: " + format_points(balance) + "P)",
                        "amount", "INSUFFICIENT_POINTS");
}

// Appends one entry and moves the user's balance, running totals and per-type totals with it.
// `signed_points` must already be validated (sign matches the type, balance stays >= 0).
std::int64_t append_entry(store::Db& db, std::int64_t user_id, const UserBalance& before,
                          const std::string& type, std::int64_t signed_points,
                          std::optional<std::int64_t> order_id, const std::string& description,
                          std::optional<Micros> lot_expires_at, const std::string& metadata,
                          Micros now) {
  const std::int64_t balance = before.points + signed_points;
  auto& ins = db.stmt(
      "INSERT INTO point_entries (user_id, type, points, balance, order_id, description, "
      "expires_at, lot_remaining, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, user_id);
  ins.bind(2, type);
  ins.bind(3, signed_points);
  ins.bind(4, balance);
  if (order_id) ins.bind(5, *order_id);
  ins.bind(6, description);
  if (lot_expires_at) {
    ins.bind(7, *lot_expires_at);
    ins.bind(8, signed_points);  // a new lot: all of it remains
  }
  ins.bind(9, metadata);
  ins.bind(10, now);
  ins.exec();
  const std::int64_t id = db.last_insert_id();

  auto& upd = db.stmt(
      "UPDATE users SET points = ?, total_earned = total_earned + ?, "
      "total_used = total_used + ? WHERE id = ?");
  upd.bind(1, balance);
  upd.bind(2, signed_points > 0 ? signed_points : 0);
  upd.bind(3, signed_points < 0 ? -signed_points : 0);
  upd.bind(4, user_id);
  upd.exec();

  auto& tot = db.stmt(
      "INSERT INTO point_type_totals (user_id, type, entries, points) VALUES (?, ?, 1, ?) "
      "ON CONFLICT (user_id, type) DO UPDATE SET entries = entries + 1, "
      "points = points + excluded.points");
  tot.bind(1, user_id);
  tot.bind(2, type);
  tot.bind(3, signed_points);
  tot.exec();
  return id;
}

// ---- lots -------------------------------------------------------------------------------------

struct LotRow {
  std::int64_t id = 0;
  std::int64_t remaining = 0;
  std::optional<Micros> expires_at;
};

enum class LotRange { kAll, kUnexpired, kPastDue };

// Open lots of a user in FIFO order (expires_at, id), read until their remainders cover `want`
// (or they run out). The statement is finished before returning. Uses point_lots_user_fifo.
std::vector<LotRow> open_lots(store::Db& db, std::int64_t user_id, LotRange range, Micros now,
                              std::int64_t want, std::int64_t skip_id = 0) {
  static const std::string base =
      "SELECT id, lot_remaining, expires_at FROM point_entries "
      "WHERE user_id = ?1 AND lot_remaining > 0 AND lot_expired = 0";
  static const std::string all = base + " ORDER BY expires_at, id";
  static const std::string unexpired = base + " AND expires_at > ?2 ORDER BY expires_at, id";
  static const std::string past_due = base + " AND expires_at <= ?2 ORDER BY expires_at, id";
  auto& q = db.stmt(range == LotRange::kAll         ? all
                    : range == LotRange::kUnexpired ? unexpired
                                                    : past_due);
  q.bind(1, user_id);
  if (range != LotRange::kAll) q.bind(2, now);
  std::vector<LotRow> out;
  std::int64_t covered = 0;
  while (covered < want && q.executeStep()) {
    LotRow r;
    r.id = q.getColumn(0).getInt64();
    if (r.id == skip_id) continue;
    r.remaining = q.getColumn(1).getInt64();
    if (!q.getColumn(2).isNull()) r.expires_at = q.getColumn(2).getInt64();
    covered += r.remaining;
    out.push_back(r);
  }
  q.reset();
  return out;
}

// Takes from `lots` in order until `left` reaches 0; appends the takes to `uses`.
void take_from(const std::vector<LotRow>& lots, std::int64_t& left, std::vector<LotUse>& uses) {
  for (const auto& lot : lots) {
    if (left == 0) break;
    const std::int64_t take = std::min(lot.remaining, left);
    uses.push_back({lot.id, take, lot.expires_at});
    left -= take;
  }
}

std::int64_t open_lot_total(store::Db& db, std::int64_t user_id) {
  auto& q = db.stmt(
      "SELECT COALESCE(SUM(lot_remaining), 0) FROM point_entries "
      "WHERE user_id = ? AND lot_remaining > 0 AND lot_expired = 0");
  q.bind(1, user_id);
  q.executeStep();
  const std::int64_t v = q.getColumn(0).getInt64();
  q.reset();
  return v;
}

void apply_lot_uses(store::Db& db, const std::vector<LotUse>& uses) {
  for (const auto& u : uses) {
    auto& q = db.stmt(
        "UPDATE point_entries SET lot_used = lot_used + ?1, lot_remaining = lot_remaining - ?1 "
        "WHERE id = ?2");
    q.bind(1, u.amount);
    q.bind(2, u.lot_id);
    q.exec();
  }
}

json used_details(const std::vector<LotUse>& uses) {
  json arr = json::array();
  for (const auto& u : uses) {
    arr.push_back({{"history_id", u.lot_id},
                   {"amount", u.amount},
                   {"expires_at", u.expires_at ? json(iso_utc(*u.expires_at)) : json(nullptr)}});
  }
  return arr;
}

std::optional<json> parse_metadata(const std::string& text) {
  if (text.empty()) return json::object();
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

bool order_has_entry(store::Db& db, std::int64_t order_id, const char* type) {
  auto& q = db.stmt("SELECT 1 FROM point_entries WHERE order_id = ? AND type = ? LIMIT 1");
  q.bind(1, order_id);
  q.bind(2, type);
  const bool found = q.executeStep();
  q.reset();
  return found;
}

// Spend-like deduction (use, admin_deduct): open lots FIFO (past-due ones included, as the
// reference does for `use`), then the non-expiring remainder of the balance.
Result<EntryResult> deduct_fifo(store::Db& db, std::int64_t user_id, const std::string& type,
                                std::int64_t amount, std::optional<std::int64_t> order_id,
                                const std::string& description, Micros now, json metadata) {
  auto user = load_user(db, user_id);
  if (!user) return user.error();
  if (user->points < amount) return insufficient(user->points);

  std::vector<LotUse> uses;
  std::int64_t left = amount;
  take_from(open_lots(db, user_id, LotRange::kAll, now, amount), left, uses);
  // Whatever the lots did not cover comes from the non-expiring part of the balance, which holds
  // at least `left` because open lots never exceed the balance (points >= amount was checked).

  metadata["used_details"] = used_details(uses);
  apply_lot_uses(db, uses);
  EntryResult r;
  r.entry_id = append_entry(db, user_id, *user, type, -amount, order_id, description, std::nullopt,
                            metadata.dump(), now);
  r.balance_after = user->points - amount;
  r.amount = amount;
  r.lots = std::move(uses);
  return r;
}

}  // namespace

// ---- types ------------------------------------------------------------------------------------

const std::vector<std::string>& positive_types() {
  static const std::vector<std::string> v = {"earn", "cancel_refund", "admin_add", "event"};
  return v;
}
const std::vector<std::string>& negative_types() {
  static const std::vector<std::string> v = {"use", "cancel_deduct", "expire", "admin_deduct"};
  return v;
}
bool is_positive_type(std::string_view type) {
  const auto& v = positive_types();
  return std::find(v.begin(), v.end(), type) != v.end();
}
bool is_entry_type(std::string_view type) {
  const auto& v = negative_types();
  return is_positive_type(type) || std::find(v.begin(), v.end(), type) != v.end();
}

int earn_rate_percent(std::string_view level) {
  if (level == "silver") return 2;
  if (level == "gold") return 3;
  if (level == "vip") return 5;
  return 1;  // bronze and anything unknown
}

// ---- spending -----------------------------------------------------------------------------------

Result<EntryResult> spend_fifo_with_metadata(store::Db& db, std::int64_t user_id,
                                             std::int64_t amount,
                                             std::optional<std::int64_t> order_id,
                                             const std::string& description, Micros now,
                                             bool enforce_minimum,
                                             const std::string& extra_metadata_json) {
  if (amount <= 0) {
    return Error::invalid("사용 포인트는 0보다 커야 합니다.", "amount", "INVALID_AMOUNT");
  }
  if (enforce_minimum && amount < kMinimumSpend) {
    return Error::invalid("최소 100포인트 이상 사용 가능합니다.", "amount",
                          "MINIMUM_AMOUNT_NOT_MET");
  }
  auto metadata = parse_metadata(extra_metadata_json);
  if (!metadata) return Error::invalid("metadata must be a JSON object", "metadata");
  // One "use" entry per order: a retried order never spends twice.
  if (order_id && order_has_entry(db, *order_id, "use")) {
    return Error::conflict("이 주문의 포인트는 이미 차감되었습니다.", "ALREADY_APPLIED");
  }
  return deduct_fifo(db, user_id, "use", amount, order_id,
                     description.empty() ? "포인트 사용" : description, now, std::move(*metadata));
}

Result<EntryResult> spend_fifo(store::Db& db, std::int64_t user_id, std::int64_t amount,
                               std::optional<std::int64_t> order_id, const std::string& description,
                               Micros now, bool enforce_minimum) {
  return spend_fifo_with_metadata(db, user_id, amount, order_id, description, now, enforce_minimum,
                                  "{}");
}

Result<EntryResult> deduct(store::Db& db, std::int64_t user_id, const std::string& type,
                           std::int64_t amount, std::optional<std::int64_t> order_id,
                           const std::string& description, Micros now) {
  if (type != "admin_deduct") {
    return Error::invalid("deduct: type must be admin_deduct", "type", "INVALID_TYPE");
  }
  if (amount <= 0 || amount > kMaxEntryAmount) {
    return Error::invalid("차감 포인트가 올바르지 않습니다.", "amount", "INVALID_AMOUNT");
  }
  return deduct_fifo(db, user_id, type, amount, order_id,
                     description.empty() ? "관리자 차감" : description, now, json::object());
}

// ---- granting -----------------------------------------------------------------------------------

Result<EntryResult> grant(store::Db& db, std::int64_t user_id, const std::string& type,
                          std::int64_t amount, std::optional<Micros> expires_at,
                          std::optional<std::int64_t> order_id, const std::string& description,
                          Micros now, const std::string& metadata_json) {
  if (!is_positive_type(type)) {
    return Error::invalid("grant: type must be earn, admin_add, event or cancel_refund", "type",
                          "INVALID_TYPE");
  }
  if (amount <= 0 || amount > kMaxEntryAmount) {
    return Error::invalid("지급 포인트가 올바르지 않습니다.", "amount", "INVALID_AMOUNT");
  }
  auto metadata = parse_metadata(metadata_json);
  if (!metadata) return Error::invalid("metadata must be a JSON object", "metadata");
  auto user = load_user(db, user_id);
  if (!user) return user.error();
  if (user->points > INT64_MAX - amount || user->total_earned > INT64_MAX - amount) {
    return Error::invalid("포인트 한도를 초과합니다.", "amount", "INVALID_AMOUNT");
  }
  // An order earns once and is refunded once.
  if (order_id && (type == "earn" || type == "cancel_refund") &&
      order_has_entry(db, *order_id, type.c_str())) {
    return Error::conflict("이 주문의 포인트는 이미 처리되었습니다.", "ALREADY_APPLIED");
  }
  EntryResult r;
  r.entry_id = append_entry(db, user_id, *user, type, amount, order_id, description, expires_at,
                            metadata->dump(), now);
  r.balance_after = user->points + amount;
  r.amount = amount;
  return r;
}

// ---- orders -------------------------------------------------------------------------------------

Result<OrderPoints> order_points(store::Db& db, std::int64_t order_id) {
  OrderPoints op;
  op.order_id = order_id;
  {
    auto& q =
        db.stmt("SELECT user_id, status, COALESCE(order_number, '') FROM orders WHERE id = ?");
    q.bind(1, order_id);
    if (!q.executeStep()) return Error::not_found("주문을 찾을 수 없습니다.");
    op.user_id = q.getColumn(0).getInt64();
    op.status = q.getColumn(1).getString();
    op.order_number = q.getColumn(2).getString();
    q.reset();
  }
  auto& q = db.stmt(
      "SELECT type, SUM(points), MIN(id) FROM point_entries WHERE order_id = ? GROUP BY type");
  q.bind(1, order_id);
  while (q.executeStep()) {
    const std::string type = q.getColumn(0).getString();
    const std::int64_t sum = q.getColumn(1).getInt64();
    if (type == "use") op.used = -sum;
    if (type == "cancel_refund") op.refunded = sum;
    if (type == "earn") {
      op.earned = sum;
      op.earn_entry_id = q.getColumn(2).getInt64();
    }
    if (type == "cancel_deduct") op.deducted = -sum;
  }
  q.reset();
  return op;
}

Result<EntryResult> earn_for_order(store::Db& db, std::int64_t order_id, Micros now) {
  std::int64_t user_id = 0, total_amount = 0, final_amount = 0;
  std::string status, order_number;
  {
    auto& q = db.stmt(
        "SELECT user_id, status, total_amount, final_amount, COALESCE(order_number, '') "
        "FROM orders WHERE id = ?");
    q.bind(1, order_id);
    if (!q.executeStep()) return Error::not_found("주문을 찾을 수 없습니다.");
    user_id = q.getColumn(0).getInt64();
    status = q.getColumn(1).getString();
    total_amount = q.getColumn(2).getInt64();
    final_amount = q.getColumn(3).getInt64();
    order_number = q.getColumn(4).getString();
    q.reset();
  }
  if (status == "canceled" || status == "failed" || status == "refunded") {
    return Error::conflict("취소되었거나 실패한 주문은 적립할 수 없습니다.", "ORDER_NOT_EARNABLE");
  }
  {
    auto& q = db.stmt("SELECT id FROM point_entries WHERE order_id = ? AND type = 'earn' LIMIT 1");
    q.bind(1, order_id);
    if (q.executeStep()) {  // earned already: never twice
      EntryResult r;
      r.entry_id = q.getColumn(0).getInt64();
      q.reset();
      return r;
    }
    q.reset();
  }
  if (final_amount <= 0 || total_amount <= 0) return EntryResult{};  // paid entirely with points
  auto user = load_user(db, user_id);
  if (!user) return user.error();
  const int rate = earn_rate_percent(user->level);
  const std::int64_t amount =
      static_cast<std::int64_t>(static_cast<__int128>(total_amount) * rate / 100);
  if (amount <= 0) return EntryResult{};
  const json metadata = {
      {"order_number", order_number}, {"earn_rate", rate}, {"membership_level", user->level}};
  auto r = grant(db, user_id, "earn", amount, now + kLotLifetime, order_id,
                 "주문 #" + order_number + " 구매 적립", now, metadata.dump());
  if (!r) return r.error();
  auto& upd = db.stmt("UPDATE orders SET earned_points = ? WHERE id = ?");
  upd.bind(1, amount);
  upd.bind(2, order_id);
  upd.exec();
  return r;
}

Result<EntryResult> refund_order_use(store::Db& db, std::int64_t order_id, Micros now,
                                     const std::string& description) {
  auto op = order_points(db, order_id);
  if (!op) return op.error();
  if (op->used <= 0 || op->refunded > 0) return EntryResult{};
  const json metadata = {{"order_number", op->order_number}, {"refunded_use", op->used}};
  return grant(
      db, op->user_id, "cancel_refund", op->used, std::nullopt, order_id,
      description.empty() ? "주문 #" + op->order_number + " 취소로 인한 포인트 환불" : description,
      now, metadata.dump());
}

Result<EntryResult> deduct_order_earn(store::Db& db, std::int64_t order_id, Micros now,
                                      const std::string& description) {
  auto op = order_points(db, order_id);
  if (!op) return op.error();
  if (op->earned <= 0 || op->deducted > 0) return EntryResult{};
  const std::int64_t amount = op->earned;
  auto user = load_user(db, op->user_id);
  if (!user) return user.error();
  if (user->points < amount) return insufficient(user->points);

  // The order's own lot first, then other unexpired lots FIFO, then the non-expiring rest of the
  // balance, and only then lots past their date that the expiry job has not reached yet (the
  // balance still holds them; taking them keeps open lots <= balance).
  std::vector<LotUse> uses;
  std::int64_t left = amount;
  std::int64_t own_id = 0;
  {
    auto& q = db.stmt(
        "SELECT lot_remaining, expires_at FROM point_entries WHERE id = ? AND lot_remaining > 0 "
        "AND lot_expired = 0 AND expires_at > ?");
    q.bind(1, op->earn_entry_id);
    q.bind(2, now);
    if (q.executeStep()) {
      own_id = op->earn_entry_id;
      const std::int64_t take = std::min(q.getColumn(0).getInt64(), left);
      uses.push_back({own_id, take, q.getColumn(1).getInt64()});
      left -= take;
    }
    q.reset();
  }
  if (left > 0) {
    take_from(open_lots(db, op->user_id, LotRange::kUnexpired, now, left, own_id), left, uses);
  }
  if (left > 0) {
    const std::int64_t rest = user->points - open_lot_total(db, op->user_id);
    left -= std::min(left, std::max<std::int64_t>(rest, 0));
  }
  if (left > 0) take_from(open_lots(db, op->user_id, LotRange::kPastDue, now, left), left, uses);
  if (left > 0) return Error::internal("ledger: open lots exceed the balance of the user");

  json metadata = {{"order_number", op->order_number}, {"used_details", used_details(uses)}};
  apply_lot_uses(db, uses);
  EntryResult r;
  r.entry_id = append_entry(
      db, op->user_id, *user, "cancel_deduct", -amount, order_id,
      description.empty() ? "주문 #" + op->order_number + " 취소로 인한 포인트 회수" : description,
      std::nullopt, metadata.dump(), now);
  r.balance_after = user->points - amount;
  r.amount = amount;
  r.lots = std::move(uses);
  return r;
}

Result<Reversal> reverse_order(store::Db& db, std::int64_t order_id, Micros now) {
  auto op = order_points(db, order_id);
  if (!op) return op.error();
  const std::int64_t to_refund = op->refunded > 0 ? 0 : op->used;
  const std::int64_t to_deduct = op->deducted > 0 ? 0 : op->earned;
  if (to_refund == 0 && to_deduct == 0) return Reversal{};
  auto user = load_user(db, op->user_id);
  if (!user) return user.error();
  if (user->points + to_refund < to_deduct) return insufficient(user->points);

  // Both halves or neither: a savepoint undoes the refund if the deduction fails after all.
  db.exec("SAVEPOINT ledger_reverse");
  Reversal out;
  auto refunded = refund_order_use(db, order_id, now);
  auto deducted =
      refunded ? deduct_order_earn(db, order_id, now) : Result<EntryResult>(EntryResult{});
  if (!refunded || !deducted) {
    db.exec("ROLLBACK TO ledger_reverse");
    db.exec("RELEASE ledger_reverse");
    return !refunded ? refunded.error() : deducted.error();
  }
  db.exec("RELEASE ledger_reverse");
  out.refunded = refunded->amount;
  out.deducted = deducted->amount;
  return out;
}

// ---- expiry -------------------------------------------------------------------------------------

Result<ExpiryBatch> expire_batch(store::Db& db, Micros now, ExpiryCursor from, int limit) {
  struct Due {
    std::int64_t id, user_id, points, remaining;
    Micros expires_at;
  };
  std::vector<Due> due;
  {
    // The partial index point_lots_expiry holds only unsettled lots, ordered by (expires_at, id).
    auto& q = db.stmt(
        "SELECT id, user_id, points, lot_remaining, expires_at FROM point_entries "
        "WHERE lot_remaining IS NOT NULL AND lot_expired = 0 AND expires_at <= ?1 "
        "AND expires_at >= ?2 AND (expires_at > ?2 OR id > ?3) "
        "ORDER BY expires_at, id LIMIT ?4");
    q.bind(1, now);
    q.bind(2, from.expires_at);
    q.bind(3, from.id);
    q.bind(4, limit);
    while (q.executeStep()) {
      due.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(),
                     q.getColumn(2).getInt64(), q.getColumn(3).getInt64(),
                     q.getColumn(4).getInt64()});
    }
    q.reset();
  }
  ExpiryBatch b;
  b.next = from;
  b.done = static_cast<int>(due.size()) < limit;
  for (const Due& lot : due) {
    ++b.scanned;
    b.next = {lot.expires_at, lot.id};
    db.exec("SAVEPOINT expire_lot");
    try {
      if (lot.remaining == 0) {
        auto& q = db.stmt("UPDATE point_entries SET lot_expired = 1 WHERE id = ?");
        q.bind(1, lot.id);
        q.exec();
        ++b.closed;
      } else {
        auto user = load_user(db, lot.user_id);
        if (!user) throw std::runtime_error("lot " + std::to_string(lot.id) + ": no such user");
        if (user->points < lot.remaining) {
          throw std::runtime_error("lot " + std::to_string(lot.id) + ": remainder " +
                                   std::to_string(lot.remaining) + " exceeds the balance " +
                                   std::to_string(user->points) + " of user " +
                                   std::to_string(lot.user_id));
        }
        const json metadata = {{"original_history_id", lot.id},
                               {"original_points", lot.points},
                               {"expired_amount", lot.remaining},
                               {"original_expires_at", iso_utc(lot.expires_at)}};
        append_entry(db, lot.user_id, *user, "expire", -lot.remaining, std::nullopt,
                     "포인트 유효기간 만료", std::nullopt, metadata.dump(), now);
        auto& q = db.stmt(
            "UPDATE point_entries SET lot_expired = 1, "
            "lot_expired_amount = lot_expired_amount + lot_remaining, lot_remaining = 0 "
            "WHERE id = ?");
        q.bind(1, lot.id);
        q.exec();
        ++b.expired;
        b.points += lot.remaining;
        b.users.push_back(lot.user_id);
      }
      db.exec("RELEASE expire_lot");
    } catch (const std::exception& e) {
      db.reset_used();
      db.exec("ROLLBACK TO expire_lot");
      db.exec("RELEASE expire_lot");
      if (b.failed++ == 0) b.first_error = e.what();
    }
  }
  return b;
}

// ---- notices ------------------------------------------------------------------------------------

Result<std::vector<std::int64_t>> users_to_notify(store::Db& db, Micros now, Micros until) {
  auto& q = db.stmt(
      "SELECT DISTINCT user_id FROM point_entries "
      "WHERE lot_remaining IS NOT NULL AND lot_expired = 0 AND expires_at > ? AND expires_at <= ? "
      "AND lot_remaining > 0 AND expiry_notified = 0 ORDER BY user_id");
  q.bind(1, now);
  q.bind(2, until);
  std::vector<std::int64_t> users;
  while (q.executeStep()) users.push_back(q.getColumn(0).getInt64());
  q.reset();
  return users;
}

Result<NoticeBatch> notify_users(store::Db& db, const std::vector<std::int64_t>& user_ids,
                                 Micros now, Micros until, int offset_minutes) {
  NoticeBatch b;
  for (std::int64_t user_id : user_ids) {
    std::vector<std::int64_t> lots;
    std::int64_t total = 0;
    Micros earliest = 0;
    {
      auto& q = db.stmt(
          "SELECT id, lot_remaining, expires_at FROM point_entries "
          "WHERE user_id = ? AND lot_remaining > 0 AND lot_expired = 0 AND expires_at > ? "
          "AND expires_at <= ? AND expiry_notified = 0 ORDER BY expires_at, id");
      q.bind(1, user_id);
      q.bind(2, now);
      q.bind(3, until);
      while (q.executeStep()) {
        if (lots.empty()) earliest = q.getColumn(2).getInt64();
        lots.push_back(q.getColumn(0).getInt64());
        total += q.getColumn(1).getInt64();
      }
      q.reset();
    }
    if (lots.empty()) continue;  // notified meanwhile (another run) or spent
    auto& ins = db.stmt(
        "INSERT INTO notifications (user_id, notification_type, title, message, link, is_read, "
        "created_at) VALUES (?, 'point_expiring', ?, ?, ?, 0, ?)");
    ins.bind(1, user_id);
    ins.bind(2, "포인트 소멸 예정 안내");
    ins.bind(3, format_points(total) +
                    "포인트가 7일 이내에 소멸될 예정입니다. (가장 빠른 소멸일: " +
                    timefmt::format_date(earliest, offset_minutes) + ")");
    ins.bind(4, "/api/points/expiring/?days=7");
    ins.bind(5, now);
    ins.exec();
    for (std::int64_t id : lots) {
      auto& upd = db.stmt("UPDATE point_entries SET expiry_notified = 1 WHERE id = ?");
      upd.bind(1, id);
      upd.exec();
    }
    ++b.users_notified;
    b.lots_flagged += static_cast<int>(lots.size());
  }
  return b;
}

}  // namespace shop::ledger
