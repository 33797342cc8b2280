// shopctl stats — orders by status (the seed's "pending vs done" shell check), stock, users and
// points outstanding, from one snapshot (safe beside a running shopd).
#include <cstdio>

#include "commands/command.h"
#include "shop/admin.h"

namespace shopctl {

void register_stats(CLI::App& app, Shopctl& ctl) {
  auto* cmd = add_command(app, "stats", "Orders by status, stock, users, points outstanding");
  cmd->callback([&ctl] {
    auto engine = ctl.open_engine();
    if (!engine) return;
    auto s = engine->admin().stats();
    if (!s) return ctl.fail(s.error());
    if (ctl.json_output) {
      ctl.print_json({{"orders",
                       {{"total", s->orders},
                        {"pending", s->orders_pending},
                        {"by_status", s->orders_by_status}}},
                      {"products",
                       {{"total", s->products},
                        {"in_stock", s->products_in_stock},
                        {"out_of_stock", s->products_out_of_stock}}},
                      {"users", s->users},
                      {"points",
                       {{"outstanding", s->points_outstanding},
                        {"open_lots", s->open_lots},
                        {"open_lot_points", s->open_lot_points},
                        {"ledger_entries", s->ledger_entries}}}});
      return;
    }
    auto ll = [](std::int64_t v) { return static_cast<long long>(v); };
    std::printf("orders:   %lld total, %lld pending (accepted, not processed yet)\n", ll(s->orders),
                ll(s->orders_pending));
    for (const auto& [status, n] : s->orders_by_status) {
      std::printf("  %-10s %lld\n", status.c_str(), ll(n));
    }
    std::printf("products: %lld total, %lld in stock, %lld out of stock\n", ll(s->products),
                ll(s->products_in_stock), ll(s->products_out_of_stock));
    std::printf("users:    %lld\n", ll(s->users));
    std::printf(
        "points:   %lld outstanding (sum of balances); %lld open lots holding %lld; "
        "%lld ledger entries\n",
        ll(s->points_outstanding), ll(s->open_lots), ll(s->open_lot_points), ll(s->ledger_entries));
  });
}

}  // namespace shopctl
