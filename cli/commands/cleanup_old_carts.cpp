// shopctl cleanup-old-carts — the reference's cleanup_old_carts: stale anonymous carts, inactive
// anonymous carts, and member carts inactive for long.
#include <cstdio>

#include "commands/command.h"
#include "shop/admin.h"

namespace shopctl {

void register_cleanup_old_carts(CLI::App& app, Shopctl& ctl) {
  auto o = std::make_shared<shop::CartCleanupOptions>();
  auto* cmd = add_command(app, "cleanup-old-carts", "Delete old anonymous and inactive carts");
  cmd->add_option("--anonymous-days", o->anonymous_days,
                  "Active anonymous carts not updated for this many days (default 7)")
      ->check(CLI::Range(0, 36500));
  cmd->add_option("--inactive-days", o->inactive_days,
                  "Inactive member carts not updated for this many days (default 90)")
      ->check(CLI::Range(0, 36500));
  cmd->add_flag("--dry-run", o->dry_run, "Only count what would be deleted");
  cmd->callback([&ctl, o] {
    auto engine = ctl.open_engine();
    if (!engine) return;
    auto r = engine->admin().cleanup_old_carts(*o);
    if (!r) return ctl.fail(r.error());
    if (ctl.json_output) {
      ctl.print_json({{"dry_run", r->dry_run},
                      {"anonymous_stale", r->anonymous_stale},
                      {"anonymous_inactive", r->anonymous_inactive},
                      {"member_inactive", r->member_inactive},
                      {"items", r->items}});
      return;
    }
    std::printf(
        "%s %lld stale anonymous carts (> %d days), %lld inactive anonymous carts, "
        "%lld inactive member carts (> %d days); %lld lines\n",
        r->dry_run ? "would delete" : "deleted", static_cast<long long>(r->anonymous_stale),
        o->anonymous_days, static_cast<long long>(r->anonymous_inactive),
        static_cast<long long>(r->member_inactive), o->inactive_days,
        static_cast<long long>(r->items));
  });
}

}  // namespace shopctl
