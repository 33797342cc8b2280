// shopctl expire-points — the daily point-expiry job (the scheduler runs it at 02:00), on demand.
#include <cstdio>

#include "commands/command.h"
#include "shop/points.h"
#include "shop/timefmt.h"

namespace shopctl {

void register_expire_points(CLI::App& app, Shopctl& ctl) {
  auto now_text = std::make_shared<std::string>();
  auto* cmd = add_command(app, "expire-points",
                          "Expire the remainder of every point lot due at --now (idempotent)");
  cmd->add_option("--now", *now_text,
                  "Pretend it is this time (YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM] or @unix); "
                  "default: the current time");
  cmd->callback([&ctl, now_text] {
    auto now = ctl.parse_now(*now_text);
    if (!now) return;
    auto engine = ctl.open_engine();
    if (!engine) return;
    auto r = engine->points().expire_due_lots(*now);
    if (!r) return ctl.fail(r.error());
    if (ctl.json_output) {
      ctl.print_json(
          {{"now", shop::timefmt::format_datetime(*now, engine->options().utc_offset_minutes)},
           {"lots_expired", r->lots_expired},
           {"lots_closed", r->lots_closed},
           {"points_expired", r->points_expired},
           {"users_affected", r->users_affected},
           {"failed", r->failed},
           {"first_error", r->first_error}});
    } else {
      std::printf(
          "expired %lld points from %lld lots of %lld users (%lld spent lots closed) at %s\n",
          static_cast<long long>(r->points_expired), static_cast<long long>(r->lots_expired),
          static_cast<long long>(r->users_affected), static_cast<long long>(r->lots_closed),
          shop::timefmt::format_datetime(*now, engine->options().utc_offset_minutes).c_str());
    }
    if (r->failed > 0) {
      ctl.fail(std::to_string(r->failed) +
               " lot(s) failed and will be retried on the next run: " + r->first_error);
    }
  });
}

}  // namespace shopctl
