// shopctl set-tier — set a user's membership level (the API treats it as read-only).
#include <cstdio>

#include "commands/command.h"
#include "shop/admin.h"

namespace shopctl {

void register_set_tier(CLI::App& app, Shopctl& ctl) {
  struct Args {
    std::string user, tier;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = add_command(app, "set-tier", "Set a user's membership level (earn rate 1/2/3/5 %)");
  cmd->add_option("--user", args->user, "Username or user id")->required();
  cmd->add_option("--tier", args->tier, "bronze | silver | gold | vip")->required();
  cmd->callback([&ctl, args] {
    auto engine = ctl.open_engine();
    if (!engine) return;
    auto user = engine->admin().find_user(args->user);
    if (!user) return ctl.fail(user.error());
    const std::string before = user->tier;
    auto r = engine->admin().set_tier(user->id, args->tier);
    if (!r) return ctl.fail(r.error());
    if (ctl.json_output) {
      ctl.print_json({{"user_id", r->id},
                      {"username", r->username},
                      {"previous_tier", before},
                      {"tier", r->tier}});
    } else {
      std::printf("%s: %s -> %s\n", r->username.c_str(), before.c_str(), r->tier.c_str());
    }
  });
}

}  // namespace shopctl
