// admin/verify.cpp — `shopctl verify`: every invariant of DESIGN.md §5 over the whole database, in
// one read snapshot (WAL: a running shopd keeps writing meanwhile; we see one consistent state).
//
//  * ledger (users, entries, lots, per-order entry counts and amounts): points/invariants.h, the
//    points module's own checker (not written twice);
//  * products: stock >= 0 and stock == initial_stock + restocked - taken, where taken is the sum
//    of quantities of order items whose stock is currently out (stock_state = 1);
//  * orders: none without items; item stock states agree with the status (processed orders took
//    stock, pending/failed ones did not, canceled ones gave it back); used_points of a processed
//    order equals its "use" entry (none before processing); earned_points without an earn entry;
//    no earn before paid; a canceled order reversed what it used and earned, others reversed
//    nothing; pending orders are reported (a warning, or a violation with strict).
#include <set>

#include "engine_context.h"
#include "points/invariants.h"
#include "shop/admin.h"

namespace shop {

namespace {

void add(std::vector<Violation>& out, std::string check, std::string message,
         std::map<std::string, std::int64_t> ids) {
  out.push_back({std::move(check), std::move(message), std::move(ids)});
}

std::string str(std::int64_t v) {
  return std::to_string(v);
}

// Statuses after successful processing (stock taken, points used).
const std::set<std::string>& processed_statuses() {
  static const std::set<std::string> s = {"confirmed", "paid", "preparing", "shipped", "delivered"};
  return s;
}

void check_products(store::Db& db, VerifyReport& r) {
  auto& q = db.stmt(
      "SELECT p.id, p.stock, p.initial_stock, p.restocked, "
      "  (SELECT COALESCE(SUM(oi.quantity), 0) FROM order_items oi "
      "   WHERE oi.product_id = p.id AND oi.stock_state = 1) "
      "FROM products p ORDER BY p.id");
  while (q.executeStep()) {
    ++r.products;
    const std::int64_t id = q.getColumn(0).getInt64(), stock = q.getColumn(1).getInt64(),
                       initial = q.getColumn(2).getInt64(), restocked = q.getColumn(3).getInt64(),
                       taken = q.getColumn(4).getInt64();
    if (stock < 0) {
      add(r.violations, "product.stock_negative",
          "product " + str(id) + ": stock " + str(stock) + " < 0", {{"product_id", id}});
    }
    if (stock != initial + restocked - taken) {
      add(r.violations, "product.stock_bookkeeping",
          "product " + str(id) + ": stock " + str(stock) + " != initial " + str(initial) +
              " + restocked " + str(restocked) + " - taken by orders " + str(taken) +
              " (= " + str(initial + restocked - taken) + ")",
          {{"product_id", id}});
    }
  }
}

void check_orders(store::Db& db, const VerifyOptions& options, VerifyReport& r) {
  // One row per order: status, amounts, item counts by stock state, and its ledger entries.
  auto& q = db.stmt(
      "SELECT o.id, o.status, o.used_points, o.earned_points, o.user_id, "
      "  (SELECT COUNT(*) FROM order_items oi WHERE oi.order_id = o.id), "
      "  (SELECT COUNT(*) FROM order_items oi WHERE oi.order_id = o.id "
      "     AND oi.product_id IS NOT NULL AND oi.stock_state = 0), "
      "  (SELECT COUNT(*) FROM order_items oi WHERE oi.order_id = o.id AND oi.stock_state = 1), "
      "  (SELECT COUNT(*) FROM order_items oi WHERE oi.order_id = o.id AND oi.stock_state = 2) "
      "FROM orders o ORDER BY o.id");
  struct Entries {
    std::int64_t count = 0, sum = 0;
  };
  // order id -> type -> (count, signed sum)
  std::map<std::int64_t, std::map<std::string, Entries>> entries;
  auto& e = db.stmt(
      "SELECT order_id, type, COUNT(*), SUM(points) FROM point_entries "
      "WHERE order_id IS NOT NULL AND type IN ('use','earn','cancel_refund','cancel_deduct') "
      "GROUP BY order_id, type");
  while (e.executeStep()) {
    entries[e.getColumn(0).getInt64()][e.getColumn(1).getString()] = {e.getColumn(2).getInt64(),
                                                                      e.getColumn(3).getInt64()};
  }
  while (q.executeStep()) {
    ++r.orders;
    const std::int64_t id = q.getColumn(0).getInt64();
    const std::string status = q.getColumn(1).getString();
    const std::int64_t used_points = q.getColumn(2).getInt64(),
                       earned_points = q.getColumn(3).getInt64(),
                       user_id = q.getColumn(4).getInt64(), items = q.getColumn(5).getInt64(),
                       not_taken = q.getColumn(6).getInt64(), taken = q.getColumn(7).getInt64(),
                       returned = q.getColumn(8).getInt64();
    const std::map<std::string, std::int64_t> ids = {{"order_id", id}, {"user_id", user_id}};
    const std::string who = "order " + str(id) + " (" + status + ")";
    const bool processed = processed_statuses().count(status) > 0;

    if (status == "pending") {
      add(options.strict ? r.violations : r.warnings, "order.pending",
          who + " is still pending (queued, or waiting for shopd to start)", ids);
    }
    if (items == 0) {
      add(r.violations, "order.no_items", who + " has no items", ids);
    }
    if (processed && not_taken > 0) {
      add(r.violations, "order.stock_not_taken",
          who + ": " + str(not_taken) + " item(s) never took their stock", ids);
    }
    if ((status == "pending" || status == "failed" || status == "canceled") && taken > 0) {
      add(r.violations, "order.stock_held", who + ": " + str(taken) + " item(s) still hold stock",
          ids);
    }
    if ((status == "pending" || status == "failed") && returned > 0) {
      add(r.violations, "order.stock_returned",
          who + ": " + str(returned) + " item(s) marked returned", ids);
    }

    const auto& by_type = entries[id];
    auto get = [&](const char* type) {
      auto it = by_type.find(type);
      return it == by_type.end() ? Entries{} : it->second;
    };
    const Entries use = get("use"), earn = get("earn"), refund = get("cancel_refund"),
                  deduct = get("cancel_deduct");
    if (processed && used_points != -use.sum) {
      add(r.violations, "order.used_points",
          who + ": used_points " + str(used_points) + " but its 'use' entry spent " + str(-use.sum),
          ids);
    }
    if ((status == "pending" || status == "failed") && use.count > 0) {
      add(r.violations, "order.use_before_processing",
          who + " has a 'use' entry of " + str(-use.sum), ids);
    }
    // (An earn entry that disagrees with earned_points is the ledger checker's; this is the
    // case without any entry.)
    if (earn.count == 0 && earned_points != 0) {
      add(r.violations, "order.earned_points",
          who + ": earned_points " + str(earned_points) + " but no 'earn' entry", ids);
    }
    if (earn.count > 0 && status != "canceled" && status != "refunded" && status != "paid" &&
        status != "preparing" && status != "shipped" && status != "delivered") {
      add(r.violations, "order.earn_before_paid",
          who + " earned " + str(earn.sum) + " points without being paid", ids);
    }
    // Amounts of refunds and deducts against their use / earn are the ledger checker's; here:
    // a canceled order must have reversed both.
    if (status == "canceled") {
      if (use.count > 0 && refund.count == 0) {
        add(r.violations, "order.cancel_refund",
            who + ": used " + str(-use.sum) + " points that were never refunded", ids);
      }
      if (earn.count > 0 && deduct.count == 0) {
        add(r.violations, "order.cancel_deduct",
            who + ": earned " + str(earn.sum) + " points that were never taken back", ids);
      }
    } else {
      if (refund.count > 0 || deduct.count > 0) {
        add(r.violations, "order.reversal_without_cancel",
            who + " has cancel_refund/cancel_deduct entries but is not canceled", ids);
      }
    }
  }
}

}  // namespace

Result<VerifyReport> Admin::verify(const VerifyOptions& options) {
  return ctx_.store->read([&](store::Db& db) -> Result<VerifyReport> {
    VerifyReport r;
    r.users = db.scalar_int("SELECT COUNT(*) FROM users");
    r.entries = db.scalar_int("SELECT COUNT(*) FROM point_entries");
    // The ledger (users, entries, lots, per-order entries): the points module's own checker.
    for (auto& line : points::check_point_invariants(db)) {
      add(r.violations, "ledger", std::move(line), {});
    }
    check_products(db, r);
    check_orders(db, options, r);
    return r;
  });
}

}  // namespace shop
