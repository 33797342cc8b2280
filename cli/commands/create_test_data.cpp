// shopctl create-test-data — the reference's create_test_data presets (contract §4), made through
// the engine so every invariant holds: points as ledger lots, orders through cart -> intake ->
// processing -> payment. Unlike the reference (D25) the flag beats $TEST_DATA_PRESET, and there is
// a working default (basic).
#include <chrono>
#include <cstdio>
#include <random>

#include "commands/command.h"
#include "shop/admin.h"
#include "shop/testdata.h"

namespace shopctl {

namespace {

json clear_json(const shop::testdata::ClearReport& c) {
  return {{"users", c.users},       {"categories", c.categories},
          {"products", c.products}, {"carts", c.carts},
          {"orders", c.orders},     {"orders_of_test_accounts", c.foreign_orders}};
}

void print_clear(const shop::testdata::ClearReport& c) {
  std::printf("  cleared: %lld users, %lld categories, %lld products, %lld carts, %lld orders",
              static_cast<long long>(c.users), static_cast<long long>(c.categories),
              static_cast<long long>(c.products), static_cast<long long>(c.carts),
              static_cast<long long>(c.orders));
  if (c.foreign_orders > 0) {
    std::printf(" (%lld placed by test accounts themselves)",
                static_cast<long long>(c.foreign_orders));
  }
  std::printf("\n");
}

}  // namespace

void register_create_test_data(CLI::App& app, Shopctl& ctl) {
  struct Args {
    std::string preset = "basic";
    bool clear = false;
    bool show_presets = false;
    bool reviews = true;
    int users = 0;
    std::uint64_t seed = 0;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = add_command(app, "create-test-data",
                          "Create categories, products, users (+admin), carts and sample orders "
                          "from a preset (tagged, so --clear removes exactly them)");
  cmd->add_option("--preset", args->preset,
                  "minimal | basic | full (default basic; $TEST_DATA_PRESET if no flag)")
      ->envname("TEST_DATA_PRESET");
  cmd->add_flag("--clear", args->clear,
                "Remove earlier test data first (only rows create-test-data made)");
  auto* users = cmd->add_option("--users", args->users, "Number of test_userN accounts")
                    ->check(CLI::Range(1, 1000));
  cmd->add_flag("--reviews,!--no-reviews", args->reviews,
                "Reviews (accepted for compatibility; shopd has no reviews)");
  auto* seed = cmd->add_option("--seed", args->seed, "Random seed (same seed, same data)");
  cmd->add_flag("--show-presets", args->show_presets, "List the presets and exit");
  cmd->callback([&ctl, args, users, seed] {
    if (args->show_presets) {
      if (ctl.json_output) {
        json out = json::array();
        for (const auto& p : shop::testdata::presets()) {
          out.push_back({{"name", p.name},
                         {"top_categories", p.top_categories},
                         {"sub_categories", p.top_categories * 4},
                         {"users", p.users},
                         {"carts", p.carts},
                         {"max_orders", p.max_orders},
                         {"description", p.description}});
        }
        ctl.print_json(out);
      } else {
        for (const auto& p : shop::testdata::presets()) {
          std::printf("%-8s %s\n", p.name.c_str(), p.description.c_str());
        }
      }
      return;
    }
    if (!shop::testdata::find_preset(args->preset)) {
      ctl.fail("unknown preset '" + args->preset + "' (valid: " + shop::testdata::preset_names() +
               ")");
      return;
    }
    shop::testdata::Options o;
    o.preset = args->preset;
    o.clear_first = args->clear;
    o.reviews = args->reviews;
    if (users->count() > 0) o.users = args->users;
    o.seed = seed->count() > 0 ? args->seed : std::random_device{}();
    auto engine = ctl.open_engine(/*must_exist=*/false);
    if (!engine) return;
    const auto started = std::chrono::steady_clock::now();
    auto r = engine->admin().create_test_data(o);
    if (!r) return ctl.fail(r.error());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (ctl.json_output) {
      json out = {{"preset", r->preset},
                  {"seed", r->seed},
                  {"top_categories", r->top_categories},
                  {"sub_categories", r->sub_categories},
                  {"products", r->products},
                  {"users", r->users},
                  {"carts", r->carts},
                  {"orders", r->orders},
                  {"orders_by_status", r->orders_by_status},
                  {"points_granted", r->points_granted},
                  {"notes", r->notes},
                  {"seconds", seconds}};
      if (r->cleared) out["cleared"] = clear_json(*r->cleared);
      ctl.print_json(out);
      return;
    }
    std::printf("create-test-data: preset %s, seed %llu (%.2f s)\n", r->preset.c_str(),
                static_cast<unsigned long long>(r->seed), seconds);
    if (r->cleared) print_clear(*r->cleared);
    std::printf("  categories: %lld top + %lld sub\n", static_cast<long long>(r->top_categories),
                static_cast<long long>(r->sub_categories));
    std::printf("  products:   %lld\n", static_cast<long long>(r->products));
    std::printf(
        "  users:      %lld (test_user1..%lld / %s, admin / %s)\n",
        static_cast<long long>(r->users),
        static_cast<long long>(o.users.value_or(shop::testdata::find_preset(o.preset)->users)),
        shop::testdata::kUserPassword, shop::testdata::kAdminPassword);
    std::printf("  points:     %lld granted as ledger lots expiring in 365 days\n",
                static_cast<long long>(r->points_granted));
    std::string statuses;
    for (const auto& [status, n] : r->orders_by_status) {
      statuses += (statuses.empty() ? "" : ", ") + status + " " + std::to_string(n);
    }
    std::printf("  orders:     %lld%s%s%s\n", static_cast<long long>(r->orders),
                statuses.empty() ? "" : " (", statuses.c_str(), statuses.empty() ? "" : ")");
    std::printf("  carts:      %lld\n", static_cast<long long>(r->carts));
    for (const auto& note : r->notes) std::printf("  note: %s\n", note.c_str());
  });
}

}  // namespace shopctl
