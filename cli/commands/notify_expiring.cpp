// shopctl notify-expiring — the daily expiry-notice job (the scheduler runs it at 10:00).
#include <cstdio>

#include "commands/command.h"
#include "shop/points.h"
#include "shop/timefmt.h"

namespace shopctl {

void register_notify_expiring(CLI::App& app, Shopctl& ctl) {
  auto now_text = std::make_shared<std::string>();
  auto* cmd = add_command(app, "notify-expiring",
                          "Notify users whose points expire within 7 days (each lot once)");
  cmd->add_option("--now", *now_text,
                  "Pretend it is this time (YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM] or @unix); "
                  "default: the current time");
  cmd->callback([&ctl, now_text] {
    auto now = ctl.parse_now(*now_text);
    if (!now) return;
    auto engine = ctl.open_engine();
    if (!engine) return;
    auto r = engine->points().notify_expiring(*now);
    if (!r) return ctl.fail(r.error());
    if (ctl.json_output) {
      ctl.print_json({{"users_notified", r->users_notified}, {"lots_flagged", r->lots_flagged}});
    } else {
      std::printf("notified %lld users about %lld expiring lots\n",
                  static_cast<long long>(r->users_notified),
                  static_cast<long long>(r->lots_flagged));
    }
  });
}

}  // namespace shopctl
