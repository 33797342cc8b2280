// shopctl restock — an admin stock adjustment (moves `stock` and `restocked` together, so the
// stock bookkeeping `verify` checks stays exact). For one product, or every active product
// (e.g. before an order benchmark).
#include <cstdio>
#include <vector>

#include "commands/command.h"
#include "shop/catalog.h"

namespace shopctl {

void register_restock(CLI::App& app, Shopctl& ctl) {
  struct Args {
    std::int64_t product = 0;
    bool all = false;
    std::int64_t amount = 0;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = add_command(app, "restock", "Add (or remove, with a negative amount) product stock");
  auto* product = cmd->add_option("--product", args->product, "Product id")
                      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 62));
  auto* all = cmd->add_flag("--all", args->all, "Every active product");
  product->excludes(all);
  cmd->add_option("--amount", args->amount, "Units to add (negative: remove)")
      ->required()
      ->check(CLI::Range(-1'000'000'000LL, 1'000'000'000LL));
  cmd->callback([&ctl, args] {
    if (!args->all && args->product == 0) return ctl.fail("give --product ID or --all", 2);
    auto engine = ctl.open_engine();
    if (!engine) return;
    std::vector<std::int64_t> ids;
    if (args->all) {
      for (std::int64_t page = 1;; ++page) {
        shop::ProductQuery q;
        q.page = page;
        q.page_size = 100;
        q.ordering = "created_at";
        auto r = engine->catalog().list_products(q);
        if (!r) return ctl.fail(r.error());
        for (const auto& p : r->results) ids.push_back(p.id);
        if (!r->has_next()) break;
      }
    } else {
      ids.push_back(args->product);
    }
    std::int64_t changed = 0;
    for (auto id : ids) {
      auto r = engine->catalog().restock(id, args->amount);
      if (!r) return ctl.fail("product " + std::to_string(id) + ": " + r.error().message);
      ++changed;
    }
    if (ctl.json_output) {
      ctl.print_json({{"products", changed}, {"amount", args->amount}});
    } else {
      std::printf("restocked %lld product(s) by %lld\n", static_cast<long long>(changed),
                  static_cast<long long>(args->amount));
    }
  });
}

}  // namespace shopctl
