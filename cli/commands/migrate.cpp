// shopctl migrate — create the database or bring its schema up to date.
#include <cstdio>

#include "commands/command.h"

namespace shopctl {

void register_migrate(CLI::App& app, Shopctl& ctl) {
  auto* cmd = add_command(app, "migrate", "Create the database or migrate its schema");
  cmd->callback([&ctl] {
    auto engine = ctl.open_engine(/*must_exist=*/false);
    if (!engine) return;
    if (ctl.json_output) {
      std::printf("{\"ok\": true, \"db\": \"%s\"}\n", ctl.db_path.c_str());
    } else {
      std::printf("database %s is up to date\n", ctl.db_path.c_str());
    }
  });
}

}  // namespace shopctl
