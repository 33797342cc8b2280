// shopctl adjust-points — an operator's admin_add / admin_deduct ledger entry.
#include <cstdio>

#include "commands/command.h"
#include "shop/admin.h"
#include "shop/points.h"

namespace shopctl {

void register_adjust_points(CLI::App& app, Shopctl& ctl) {
  struct Args {
    std::string user, reason;
    std::int64_t amount = 0;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = add_command(app, "adjust-points",
                          "Add (admin_add) or deduct (admin_deduct, FIFO) a user's points");
  cmd->add_option("--user", args->user, "Username or user id")->required();
  cmd->add_option("--amount", args->amount, "Points: positive adds, negative deducts")
      ->required()
      ->check(CLI::Range(std::int64_t{-1'000'000'000}, std::int64_t{1'000'000'000}));
  cmd->add_option("--reason", args->reason, "Why (recorded in the ledger entry)")->required();
  cmd->callback([&ctl, args] {
    if (args->amount == 0) return ctl.fail("--amount must not be 0");
    if (args->reason.empty()) return ctl.fail("--reason must not be empty");
    auto engine = ctl.open_engine();
    if (!engine) return;
    auto user = engine->admin().find_user(args->user);
    if (!user) return ctl.fail(user.error());
    auto r = engine->points().admin_adjust(user->id, args->amount, args->reason);
    if (!r) return ctl.fail(r.error());
    if (ctl.json_output) {
      ctl.print_json({{"user_id", user->id},
                      {"username", user->username},
                      {"type", args->amount > 0 ? "admin_add" : "admin_deduct"},
                      {"amount", r->amount},
                      {"entry_id", r->entry_id},
                      {"balance", r->balance_after}});
    } else {
      std::printf("%s: %s %lld points (entry %lld); balance %lld\n", user->username.c_str(),
                  args->amount > 0 ? "added" : "deducted", static_cast<long long>(r->amount),
                  static_cast<long long>(r->entry_id), static_cast<long long>(r->balance_after));
    }
  });
}

}  // namespace shopctl
