// admin/stats.cpp — `shopctl stats`: the seed's "count orders by status in a Django shell" check,
// plus stock, users and points outstanding, from one read snapshot.
#include "engine_context.h"
#include "shop/admin.h"

namespace shop {

Result<ShopStats> Admin::stats() {
  return ctx_.store->read([](store::Db& db) -> Result<ShopStats> {
    ShopStats s;
    auto& by_status =
        db.stmt("SELECT status, COUNT(*) FROM orders GROUP BY status ORDER BY status");
    while (by_status.executeStep()) {
      const std::int64_t n = by_status.getColumn(1).getInt64();
      s.orders_by_status[by_status.getColumn(0).getString()] = n;
      s.orders += n;
    }
    if (auto it = s.orders_by_status.find("pending"); it != s.orders_by_status.end()) {
      s.orders_pending = it->second;
    }
    auto& products = db.stmt(
        "SELECT COUNT(*), COALESCE(SUM(stock > 0), 0), COALESCE(SUM(stock <= 0), 0) FROM products");
    products.executeStep();
    s.products = products.getColumn(0).getInt64();
    s.products_in_stock = products.getColumn(1).getInt64();
    s.products_out_of_stock = products.getColumn(2).getInt64();
    auto& users = db.stmt("SELECT COUNT(*), COALESCE(SUM(points), 0) FROM users");
    users.executeStep();
    s.users = users.getColumn(0).getInt64();
    s.points_outstanding = users.getColumn(1).getInt64();
    // Uses the partial index of open lots.
    auto& lots = db.stmt(
        "SELECT COUNT(*), COALESCE(SUM(lot_remaining), 0) FROM point_entries "
        "WHERE lot_remaining > 0 AND lot_expired = 0");
    lots.executeStep();
    s.open_lots = lots.getColumn(0).getInt64();
    s.open_lot_points = lots.getColumn(1).getInt64();
    s.ledger_entries = db.scalar_int("SELECT COUNT(*) FROM point_entries");
    return s;
  });
}

}  // namespace shop
