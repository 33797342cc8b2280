#include "points/invariants.h"

namespace shop::points {

namespace {

struct Check {
  const char* what;  // prefix of each violation line
  const char* sql;   // yields rows of integers describing a violation
};

// Each query returns the offending rows only; every column is rendered as an integer.
const Check kChecks[] = {
    {"user points < 0 (user, points)", "SELECT id, points FROM users WHERE points < 0"},
    {"user points != sum of entries (user, points, sum)",
     "SELECT u.id, u.points, COALESCE(s.total, 0) FROM users u "
     "LEFT JOIN (SELECT user_id, SUM(points) AS total FROM point_entries GROUP BY user_id) s "
     "ON s.user_id = u.id WHERE u.points != COALESCE(s.total, 0)"},
    {"user points != newest entry's balance (user, points, balance)",
     "SELECT u.id, u.points, e.balance FROM users u JOIN point_entries e ON e.id = "
     "(SELECT MAX(id) FROM point_entries WHERE user_id = u.id) WHERE e.balance != u.points"},
    {"user totals != sums of entries (user, total_earned, earned, total_used, used)",
     "SELECT u.id, u.total_earned, COALESCE(s.earned, 0), u.total_used, COALESCE(s.used, 0) "
     "FROM users u LEFT JOIN (SELECT user_id, "
     "SUM(CASE WHEN points > 0 THEN points ELSE 0 END) AS earned, "
     "SUM(CASE WHEN points < 0 THEN -points ELSE 0 END) AS used "
     "FROM point_entries GROUP BY user_id) s ON s.user_id = u.id "
     "WHERE u.total_earned != COALESCE(s.earned, 0) OR u.total_used != COALESCE(s.used, 0)"},
    {"entry balance != previous balance + points (entry, balance, previous, points)",
     "SELECT id, balance, prev, points FROM (SELECT id, balance, points, "
     "LAG(balance, 1, 0) OVER (PARTITION BY user_id ORDER BY id) AS prev FROM point_entries) "
     "WHERE balance != prev + points"},
    {"entry sign or type wrong (entry, points)",
     "SELECT id, points FROM point_entries WHERE NOT ("
     "(type IN ('earn', 'cancel_refund', 'admin_add', 'event') AND points > 0) OR "
     "(type IN ('use', 'cancel_deduct', 'expire', 'admin_deduct') AND points < 0))"},
    {"lot state inconsistent (entry, points, remaining, used, expired_amount, expired)",
     "SELECT id, points, lot_remaining, lot_used, lot_expired_amount, lot_expired "
     "FROM point_entries WHERE lot_remaining IS NOT NULL AND ("
     "points <= 0 OR expires_at IS NULL OR lot_used < 0 OR lot_expired_amount < 0 OR "
     "lot_remaining < 0 OR lot_remaining + lot_used + lot_expired_amount != points OR "
     "(lot_expired = 1 AND lot_remaining != 0))"},
    {"non-lot carries lot state (entry, used, expired_amount, expired)",
     "SELECT id, lot_used, lot_expired_amount, lot_expired FROM point_entries "
     "WHERE lot_remaining IS NULL AND (lot_used != 0 OR lot_expired_amount != 0 OR "
     "lot_expired != 0 OR (expires_at IS NOT NULL AND points > 0))"},
    {"open lots exceed the balance (user, points, open lots)",
     "SELECT u.id, u.points, s.open FROM users u JOIN (SELECT user_id, "
     "SUM(lot_remaining) AS open FROM point_entries WHERE lot_remaining > 0 AND lot_expired = 0 "
     "GROUP BY user_id) s ON s.user_id = u.id WHERE s.open > u.points"},
    {"expire entry does not match its lot (entry, expired, lot expired_amount)",
     "SELECT e.id, -e.points, COALESCE(l.lot_expired_amount, -1) FROM point_entries e "
     "LEFT JOIN point_entries l ON l.id = json_extract(e.metadata, '$.original_history_id') "
     "WHERE e.type = 'expire' AND (l.id IS NULL OR l.lot_expired = 0 OR "
     "-e.points != l.lot_expired_amount OR json_extract(e.metadata, '$.expired_amount') != "
     "-e.points)"},
    {"lot expired more than once (lot, expire entries)",
     "SELECT json_extract(metadata, '$.original_history_id') AS lot, COUNT(*) FROM point_entries "
     "WHERE type = 'expire' GROUP BY lot HAVING COUNT(*) > 1"},
    {"order has more than one entry of a type (order, entries)",
     "SELECT order_id, COUNT(*) FROM point_entries WHERE order_id IS NOT NULL AND type IN "
     "('use', 'earn', 'cancel_refund', 'cancel_deduct') GROUP BY order_id, type "
     "HAVING COUNT(*) > 1"},
    {"order refund != its use (order, refunded, used)",
     "SELECT order_id, SUM(CASE WHEN type = 'cancel_refund' THEN points ELSE 0 END) AS r, "
     "-SUM(CASE WHEN type = 'use' THEN points ELSE 0 END) AS u FROM point_entries "
     "WHERE order_id IS NOT NULL GROUP BY order_id HAVING r != 0 AND r != u"},
    {"order deduct != its earn (order, deducted, earned)",
     "SELECT order_id, -SUM(CASE WHEN type = 'cancel_deduct' THEN points ELSE 0 END) AS d, "
     "SUM(CASE WHEN type = 'earn' THEN points ELSE 0 END) AS e FROM point_entries "
     "WHERE order_id IS NOT NULL GROUP BY order_id HAVING d != 0 AND d != e"},
    {"orders.earned_points != its earn entry (order, earned_points, earn)",
     "SELECT o.id, o.earned_points, e.points FROM orders o JOIN point_entries e "
     "ON e.order_id = o.id AND e.type = 'earn' WHERE o.earned_points != e.points"},
    {"point_type_totals != entries (user, entries, counted, points, summed)",
     "SELECT COALESCE(t.user_id, c.user_id), COALESCE(t.entries, 0), COALESCE(c.n, 0), "
     "COALESCE(t.points, 0), COALESCE(c.total, 0) FROM point_type_totals t "
     "FULL OUTER JOIN (SELECT user_id, type, COUNT(*) AS n, SUM(points) AS total "
     "FROM point_entries GROUP BY user_id, type) c ON c.user_id = t.user_id AND c.type = t.type "
     "WHERE COALESCE(t.entries, 0) != COALESCE(c.n, 0) OR "
     "COALESCE(t.points, 0) != COALESCE(c.total, 0)"},
};

}  // namespace

std::vector<std::string> check_point_invariants(store::Db& db, int max_per_check) {
  std::vector<std::string> out;
  for (const Check& check : kChecks) {
    try {
      SQLite::Statement q(db.raw(), check.sql);
      int n = 0;
      while (q.executeStep()) {
        if (n++ >= max_per_check) {
          out.push_back(std::string(check.what) + ": ... more");
          break;
        }
        std::string line = check.what;
        line += ":";
        for (int c = 0; c < q.getColumnCount(); ++c) {
          line += ' ';
          line += q.getColumn(c).isNull() ? "NULL" : q.getColumn(c).getString();
        }
        out.push_back(std::move(line));
      }
    } catch (const std::exception& e) {
      out.push_back(std::string(check.what) + ": check failed: " + e.what());
    }
  }
  return out;
}

}  // namespace shop::points
